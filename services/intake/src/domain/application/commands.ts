/**
 * Commands on an application. Instants, ids, deadlines (computed on the
 * working-day calendar by the app layer) and sealed documents arrive as data:
 * the decider reads nothing from the outside world.
 */
import type { BoundGuide } from '../guide.ts';
import type { Deadline, Deficiency, Reason, ReceivedMaterial, Seal, SealedDocument } from '../document.ts';
import type { Applicant, CentreRef, Collaboration, DeliveryPreferences, Staff } from './events.ts';

export interface SubmitApplication {
  readonly type: 'SubmitApplication';
  readonly caseId: string;
  readonly caseNumber: string;
  /** The guide version in force at `submittedAt` (R-CAT-14). */
  readonly guide: BoundGuide;
  readonly applicant: Applicant;
  readonly channel: 'online' | 'mobile' | 'window';
  readonly centre: CentreRef;
  readonly materials: readonly ReceivedMaterial[];
  readonly sharedAvailable: readonly string[];
  readonly delivery: DeliveryPreferences;
  /** Lead and assisting departments of a cross-department item (R-COLLAB-1); null otherwise. */
  readonly collaboration: Collaboration | null;
  /** The clerk receiving it at a window (接件, a recorded contact); null online. */
  readonly receivedBy: Staff | null;
  readonly submittedAt: string;
  readonly receivedOn: string;
  readonly acceptanceDue: Deadline;
  readonly noticeDue: Deadline;
}

/** What every outcome that issues a document carries. */
interface Issuing {
  readonly documentId: string;
  readonly at: string;
  readonly seal: Seal;
  /** The document sealed by the app over the content `draftDocument` yields for this command. */
  readonly document?: SealedDocument;
}

export interface AcceptApplication extends Issuing {
  readonly type: 'AcceptApplication';
  readonly acceptor: Staff;
  readonly decisionDue: Deadline;
  readonly statutoryDue: Deadline;
}

export interface RequestSupplement extends Issuing {
  readonly type: 'RequestSupplement';
  readonly acceptor: Staff;
  readonly items: readonly Deficiency[];
  readonly deadline: Deadline;
}

export interface AcceptWithToleratedDeficiencies extends Issuing {
  readonly type: 'AcceptWithToleratedDeficiencies';
  readonly acceptor: Staff;
  readonly items: readonly Deficiency[];
  readonly deadline: Deadline;
  readonly decisionDue: Deadline;
  readonly statutoryDue: Deadline;
}

export interface NotAcceptApplication extends Issuing {
  readonly type: 'NotAcceptApplication';
  readonly acceptor: Staff;
  readonly reasons: readonly Reason[];
}

/** Licensing Law Art. 32, sent by supervision when no notice came within 5 working days. */
export interface DeemAccepted extends Issuing {
  readonly type: 'DeemAccepted';
  readonly decisionDue: Deadline;
  readonly statutoryDue: Deadline;
}

export interface ReceiveSupplement {
  readonly type: 'ReceiveSupplement';
  readonly materials: readonly ReceivedMaterial[];
  readonly channel: 'online' | 'mobile' | 'window';
  readonly receivedBy: Staff | null;
  readonly at: string;
  readonly receivedOn: string;
  /** The acceptance decision due date should this supplement complete a supplement notice. */
  readonly acceptanceDue: Deadline;
}

export interface ConfirmToleratedSupplement {
  readonly type: 'ConfirmToleratedSupplement';
  readonly acceptor: Staff;
  readonly at: string;
}

/** Sent by supervision at the deadline (not-supplemented) or by a clerk who found the supplement still defective. */
export interface LapseToleratedDeficiency {
  readonly type: 'LapseToleratedDeficiency';
  readonly cause: 'not-supplemented' | 'still-defective';
  readonly reasons: readonly Reason[];
  readonly at: string;
}

export interface RecordContact {
  readonly type: 'RecordContact';
  /** Checked by the decider, not the type: an unknown touchpoint is a refusal to record (R-ETHICS-1). */
  readonly touchpoint: string;
  readonly staff: Staff;
  readonly at: string;
  readonly note: string | null;
}

/** Courier checked an inbound parcel in at the centre (R-COURIER-1): its paper materials are on the case as received. */
export interface RecordInboundMaterials {
  readonly type: 'RecordInboundMaterials';
  readonly waybillId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly materials: readonly { readonly materialId: string; readonly name: string; readonly copies: number; readonly form: 'paper' }[];
  readonly discrepancy: string | null;
  readonly receivedAt: string;
  readonly receivedBy: { readonly staffId: string; readonly department: string };
}

export type IssuingCommand = AcceptApplication | RequestSupplement | AcceptWithToleratedDeficiencies | NotAcceptApplication | DeemAccepted;

export type ApplicationCommand =
  | SubmitApplication
  | IssuingCommand
  | ReceiveSupplement
  | ConfirmToleratedSupplement
  | LapseToleratedDeficiency
  | RecordContact
  | RecordInboundMaterials;
