/** The state an application's decisions need, folded from its events. */
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import type { BoundGuide } from '../guide.ts';
import type { Deadline, Deficiency, DocumentKind, ReceivedMaterial } from '../document.ts';
import type { Applicant, ApplicationEvent, CentreRef } from './events.ts';

export type ApplicationStatus =
  | 'none'
  /** Submitted, or supplemented in full: the acceptance decision is due. */
  | 'awaiting-decision'
  | 'awaiting-supplement'
  | 'accepted'
  /** 容缺受理: accepted, tolerated items outstanding until cured or lapsed. */
  | 'accepted-with-deficiencies'
  /** Tolerated items missed or still defective: a refusal decision with reasons follows (review). */
  | 'tolerated-lapsed'
  | 'not-accepted';

export interface OpenNotice {
  readonly documentId: string;
  readonly kind: 'supplement-notice' | 'tolerated-deficiency-notice';
  readonly items: readonly Deficiency[];
  readonly deadline: Deadline;
  readonly issuedOn: string;
  /** Items of the notice not yet received. */
  readonly outstanding: readonly string[];
}

export interface ApplicationState {
  readonly status: ApplicationStatus;
  readonly caseId: string;
  readonly caseNumber: string;
  readonly guide: BoundGuide | null;
  readonly applicant: Applicant | null;
  readonly channel: 'online' | 'mobile' | 'window';
  readonly centre: CentreRef | null;
  readonly receivedOn: string;
  readonly acceptanceDue: Deadline | null;
  readonly noticeDue: Deadline | null;
  /** Latest received version of each material, by material id. */
  readonly materials: Readonly<Record<string, ReceivedMaterial>>;
  readonly sharedAvailable: readonly string[];
  /** Supplement notices issued so far (a second one may only name what the first could not). */
  readonly supplementNotices: number;
  /** Materials received since the last supplement notice: the only ones a further notice may name. */
  readonly receivedSinceNotice: readonly string[];
  readonly openNotice: OpenNotice | null;
  readonly documents: readonly { readonly documentId: string; readonly kind: DocumentKind }[];
  /** Paper materials received at the centre by courier (R-COURIER-1), one entry per parcel, in arrival order. */
  readonly inboundParcels: readonly InboundParcel[];
}

export interface InboundParcel {
  readonly waybillId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly materials: readonly { readonly materialId: string; readonly name: string; readonly copies: number; readonly form: 'paper' }[];
  readonly outsideGuide: readonly string[];
  readonly discrepancy: string | null;
  readonly receivedAt: string;
  readonly receivedBy: { readonly staffId: string; readonly department: string };
}

export const initialApplicationState = (): ApplicationState => ({
  status: 'none',
  caseId: '',
  caseNumber: '',
  guide: null,
  applicant: null,
  channel: 'online',
  centre: null,
  receivedOn: '',
  acceptanceDue: null,
  noticeDue: null,
  materials: {},
  sharedAvailable: [],
  supplementNotices: 0,
  receivedSinceNotice: [],
  openNotice: null,
  documents: [],
  inboundParcels: [],
});

const withMaterials = (state: ApplicationState, materials: readonly ReceivedMaterial[]) => ({
  ...state.materials,
  ...Object.fromEntries(materials.map((m) => [m.materialId, m])),
});

export function evolveApplication(state: ApplicationState, event: ApplicationEvent): ApplicationState {
  switch (event.type) {
    case 'ApplicationSubmitted': {
      const d = event.data;
      return {
        ...state,
        status: 'awaiting-decision',
        caseId: d.caseId,
        caseNumber: d.caseNumber,
        guide: d.guide,
        applicant: d.applicant,
        channel: d.channel,
        centre: d.centre,
        receivedOn: d.receivedOn,
        acceptanceDue: d.acceptanceDue,
        noticeDue: d.noticeDue,
        materials: withMaterials(state, d.materials),
        sharedAvailable: d.sharedAvailable,
      };
    }
    case 'ContactRecorded':
      return state;
    case 'InboundMaterialsReceived':
      return { ...state, inboundParcels: [...state.inboundParcels, event.data] };
    case 'SupplementRequested': {
      const d = event.data;
      return {
        ...state,
        status: 'awaiting-supplement',
        supplementNotices: state.supplementNotices + 1,
        receivedSinceNotice: [],
        openNotice: {
          documentId: d.document.content.documentId,
          kind: 'supplement-notice',
          items: d.items,
          deadline: d.deadline,
          issuedOn: shanghaiDateOf(d.document.content.issuedAt),
          outstanding: d.items.map((i) => i.materialId),
        },
        documents: [...state.documents, { documentId: d.document.content.documentId, kind: d.document.content.kind }],
      };
    }
    case 'SupplementReceived': {
      const d = event.data;
      const ids = d.materials.map((m) => m.materialId);
      const outstanding = (state.openNotice?.outstanding ?? []).filter((id) => !ids.includes(id));
      const reopen = d.noticeKind === 'supplement-notice' && d.complete;
      return {
        ...state,
        materials: withMaterials(state, d.materials),
        receivedSinceNotice: [...new Set([...state.receivedSinceNotice, ...ids])],
        status: reopen ? 'awaiting-decision' : state.status,
        acceptanceDue: d.acceptanceDue ?? state.acceptanceDue,
        openNotice: state.openNotice && !reopen ? { ...state.openNotice, outstanding } : null,
      };
    }
    case 'CaseAccepted': {
      const d = event.data;
      const tolerated = d.toleratedDeficiencies;
      return {
        ...state,
        status: tolerated ? 'accepted-with-deficiencies' : 'accepted',
        receivedSinceNotice: [],
        openNotice: tolerated
          ? {
              documentId: d.document.content.documentId,
              kind: 'tolerated-deficiency-notice',
              items: tolerated.items,
              deadline: tolerated.deadline,
              issuedOn: d.effectiveFrom,
              outstanding: tolerated.items.map((i) => i.materialId),
            }
          : null,
        documents: [...state.documents, { documentId: d.document.content.documentId, kind: d.document.content.kind }],
      };
    }
    case 'ToleratedDeficienciesCured':
      return { ...state, status: 'accepted', openNotice: null };
    case 'ToleratedDeficiencyLapsed':
      return { ...state, status: 'tolerated-lapsed', openNotice: null };
    case 'CaseNotAccepted':
      return {
        ...state,
        status: 'not-accepted',
        openNotice: null,
        documents: [...state.documents, { documentId: event.data.document.content.documentId, kind: event.data.document.content.kind }],
      };
  }
}

/** Guide materials with nothing received for them yet. */
export function missingMaterials(state: ApplicationState): string[] {
  return (state.guide?.materials ?? []).map((m) => m.materialId).filter((id) => state.materials[id] === undefined);
}
