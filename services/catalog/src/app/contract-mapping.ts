/**
 * Domain events of the catalog → the published contracts other services and
 * department back-ends read (packages/contracts, topic govsvc.catalog.events.v1).
 * The relay calls this for every stored event of the catalog's categories;
 * events that publish nothing map to an empty list. Every produced event is
 * parsed against its contract, so a mapping bug fails here, not in a consumer.
 *
 * - GuidePublished → catalog.guide-published.v2 (the version every channel
 *   and intake now bind to, R-CAT-13/14, with the facts review decides by:
 *   collective decision, licence, collaboration; R-REV-3/4/5, R-COLLAB-1)
 * - GuideSuperseded → catalog.guide-superseded.v1 (law-changed when the new
 *   version names a legal change, otherwise correction)
 * - GuideWithdrawn → catalog.guide-superseded.v1 with no successor
 *   (item-withdrawn, R-CAT-1)
 * - NewProofRequired / ProofFiled → catalog.proof-filing-required.v1 /
 *   catalog.proof-filed.v1, one per guide concerned (their key is the item
 *   code, so each guide's events stay in order)
 */
import { parseIntegrationEvent, type IntegrationEvent } from '@govsvc/contracts/registry';
import { categoryOf, type StoredEvent } from '@govsvc/eventstore/port';
import type { GuideContent, LegalReference } from '../domain/guide/content.ts';
import { STATUTORY_RENEWAL_LEAD } from '../domain/lint/review-facts.ts';
import { GUIDE_STREAM_CATEGORY, type GuideEvent, type LegalChange } from '../domain/guide/events.ts';
import { PROOF_STREAM_CATEGORY, type ProofEvent } from '../domain/proofs/events.ts';
import { guideCodec, proofCodec } from './codecs.ts';

/** Stream categories whose events the catalog's relay publishes. */
export const CATALOG_PUBLISHED_CATEGORIES = [GUIDE_STREAM_CATEGORY, PROOF_STREAM_CATEGORY] as const;

/** How the contracts name a guide version: the version number as text. */
export const contractGuideVersion = (version: number): string => String(version);

const LEGAL_CHANGE_KINDS: Record<LegalChange['kind'], string> = { enacted: '制定', amended: '修改', repealed: '废止' };

export function describeLegalChange(change: LegalChange): string {
  const effective = change.effectiveOn ? `，${change.effectiveOn}起施行` : '';
  const summary = change.summary ? `：${change.summary}` : '';
  return `${change.instrument}${LEGAL_CHANGE_KINDS[change.kind]}${effective}${summary}`.slice(0, 1000);
}

function publishedMaterials(content: GuideContent) {
  const tolerated = new Set(content.toleratedDeficiency?.allowed ? content.toleratedDeficiency.rules.map((r) => r.materialId) : []);
  return (content.materials ?? []).map((m) => ({
    materialId: m.id,
    name: m.name ?? m.id,
    toleratedDeficiencyAllowed: tolerated.has(m.id),
    electronicRequired: m.electronicRequired ?? false,
    fromDataSharing: m.provision === 'shared-confirm',
  }));
}

/** A citation as one line: 《instrument》article. */
const citation = (refs: readonly LegalReference[] | undefined): string | null =>
  refs && refs.length > 0 ? refs.map((r) => `${r.instrument}${r.article ?? ''}`).join('；').slice(0, 500) : null;

/**
 * The facts review decides by. A guide that states no licence facts (its
 * result is not a document) publishes `licence: null`, so review can tell
 * "not stated" from "paper only"; an unstated renewal is Art. 50's 30 days.
 */
function reviewFacts(content: GuideContent) {
  const collective = content.collectiveDecision;
  const licence = content.result?.licence;
  const collaboration = content.collaboration;
  return {
    collectiveDecision: collective?.required ? { required: true, legalBasis: citation(collective.basis) } : { required: false, legalBasis: null },
    licence: licence
      ? {
          electronicAvailable: licence.electronic.available,
          paperAbolished: licence.electronic.paperAbolished,
          validityMonths: licence.validity.term === 'fixed' ? (licence.validity.months ?? null) : null,
          renewalLead: licence.renewal?.leadTime ?? STATUTORY_RENEWAL_LEAD,
        }
      : null,
    collaboration: collaboration
      ? {
          leadDepartment: collaboration.leadDepartment,
          assistingDepartments: collaboration.assistingDepartments.map((d) => ({ department: d.name, matter: d.matter ?? null })),
        }
      : null,
  };
}

function fromGuideEvent(event: GuideEvent): IntegrationEvent[] {
  switch (event.type) {
    case 'GuidePublished': {
      const { implementationCode, version, content, publishedAt, supersedes } = event.data;
      return [
        parseIntegrationEvent('catalog.guide-published.v2', {
          itemCode: implementationCode,
          basicCode: content.basicCode,
          itemName: content.itemName,
          itemType: content.itemType,
          guideVersion: contractGuideVersion(version),
          previousVersion: supersedes === null ? null : contractGuideVersion(supersedes),
          level: content.level,
          implementingBody: content.implementingBody?.name,
          handlingForm: content.handlingForm,
          statutoryLimitWorkingDays: content.statutoryTimeLimit?.workingDays,
          promisedLimitWorkingDays: content.promisedTimeLimit?.workingDays,
          resultName: content.result?.name,
          feeCharged: content.fee?.charged,
          materials: publishedMaterials(content),
          ...reviewFacts(content),
          publishedAt,
          effectiveFrom: publishedAt,
        }),
      ];
    }
    case 'GuideSuperseded': {
      const { implementationCode, version, supersededBy, supersededAt, legalChange } = event.data;
      return [
        parseIntegrationEvent('catalog.guide-superseded.v1', {
          itemCode: implementationCode,
          guideVersion: contractGuideVersion(version),
          supersededBy: contractGuideVersion(supersededBy),
          reason: legalChange ? 'law-changed' : 'correction',
          legalBasisChange: legalChange ? describeLegalChange(legalChange) : null,
          supersededAt,
        }),
      ];
    }
    case 'GuideWithdrawn': {
      const { implementationCode, version, withdrawnAt, legalChange } = event.data;
      return [
        parseIntegrationEvent('catalog.guide-superseded.v1', {
          itemCode: implementationCode,
          guideVersion: contractGuideVersion(version),
          supersededBy: null,
          reason: 'item-withdrawn',
          legalBasisChange: legalChange ? describeLegalChange(legalChange) : null,
          supersededAt: withdrawnAt,
        }),
      ];
    }
    case 'GuideDrafted':
    case 'GuideRevised':
      return [];
  }
}

function fromProofEvent(event: ProofEvent): IntegrationEvent[] {
  switch (event.type) {
    case 'NewProofRequired':
      return event.data.requiredBy.map((itemCode) =>
        parseIntegrationEvent('catalog.proof-filing-required.v1', {
          itemCode,
          proofId: event.data.code,
          proofName: event.data.name,
          department: event.data.department,
          requiredAt: event.data.requiredAt,
        }),
      );
    case 'ProofFiled':
      return event.data.updatedGuides.map((itemCode) =>
        parseIntegrationEvent('catalog.proof-filed.v1', { itemCode, proofId: event.data.code, filedAt: event.data.filedAt }),
      );
    case 'RetainedProofCatalogued':
    case 'ProofAbolished':
      return [];
  }
}

/** The contracts one stored catalog event publishes (none for drafts and other streams). */
export function catalogIntegrationEvents(stored: StoredEvent): IntegrationEvent[] {
  switch (categoryOf(stored.stream)) {
    case GUIDE_STREAM_CATEGORY:
      return fromGuideEvent(guideCodec.decode(stored));
    case PROOF_STREAM_CATEGORY:
      return fromProofEvent(proofCodec.decode(stored));
    default:
      return [];
  }
}
