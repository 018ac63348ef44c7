/**
 * The acceptance decision's outcomes (R-ACC-2) and the documents they issue
 * (R-ACC-3), plus deemed acceptance (Licensing Law Art. 32). `checkOutcome`
 * refuses what the rules refuse; `draftDocument` is the document content the
 * seal signs. The app calls both before sealing, the decider again when
 * deciding, so a sealed document always says exactly what was decided.
 */
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { materialOf } from '../guide.ts';
import { canonicalJson } from '../canonical-json.ts';
import { DOCUMENT_KINDS, maskIdentifier, type DocumentContent, type DocumentKind, type SealedDocument } from '../document.ts';
import type { IssuingCommand } from './commands.ts';
import type { ApplicationEvent } from './events.ts';
import { assertDeficiencies, assertSealFits, isAfter, requireSubmitted } from './rules.ts';
import { missingMaterials, type ApplicationState } from './state.ts';

export const ART_32_BASIS = '《中华人民共和国行政许可法》第三十二条';

const kindOf = (command: IssuingCommand): DocumentKind =>
  ({
    AcceptApplication: 'acceptance-receipt',
    RequestSupplement: 'supplement-notice',
    AcceptWithToleratedDeficiencies: 'tolerated-deficiency-acceptance',
    NotAcceptApplication: 'non-acceptance-decision',
    DeemAccepted: 'deemed-acceptance-notice',
  })[command.type] as DocumentKind;

/** Throws the refusal for an outcome the state does not allow. */
export function checkOutcome(command: IssuingCommand, state: ApplicationState): void {
  requireSubmitted(state);
  assertSealFits(state, command.seal);
  const deciding = state.status === 'awaiting-decision';
  switch (command.type) {
    case 'AcceptApplication': {
      if (!deciding) throw new RuleViolation('R-ACC-2', `the case is ${state.status}: there is no acceptance decision to make`);
      const missing = missingMaterials(state);
      if (missing.length > 0) {
        throw new RuleViolation('R-ACC-2', `materials are incomplete (${missing.join(', ')}): issue a supplement notice or, where the guide allows, accept with tolerated deficiencies`, { missing });
      }
      return;
    }
    case 'RequestSupplement': {
      if (!deciding) throw new RuleViolation('R-ACC-2', `the case is ${state.status}: a supplement notice is given only while acceptance is being decided`);
      assertDeficiencies(state, command.items);
      if (state.supplementNotices === 0 && state.noticeDue && isAfter(command.at, state.noticeDue.endsAt)) {
        // Art. 32: past the period, the application already counts as accepted; a late notice cannot undo that.
        throw new RuleViolation('R-ACC-2', `no notice was given by ${state.noticeDue.date}: the application counts as accepted (${ART_32_BASIS})`);
      }
      const named = new Set(command.items.map((i) => i.materialId));
      if (state.supplementNotices === 0) {
        // One notice lists everything at once: every missing material is on it.
        const omitted = missingMaterials(state).filter((id) => !named.has(id));
        if (omitted.length > 0) throw new RuleViolation('R-ACC-2', `the notice must list everything at once; missing and not listed: ${omitted.join(', ')}`, { omitted });
      } else {
        // A further notice may only name what arrived after the last one: anything else the first could have named.
        const couldHaveNamed = command.items.filter((i) => !state.receivedSinceNotice.includes(i.materialId)).map((i) => i.materialId);
        if (couldHaveNamed.length > 0) {
          throw new RuleViolation('R-ACC-2', `a further notice may only name materials supplemented since the last one; an earlier notice could have named ${couldHaveNamed.join(', ')}`, {
            couldHaveNamed,
          });
        }
      }
      return;
    }
    case 'AcceptWithToleratedDeficiencies': {
      if (!deciding) throw new RuleViolation('R-ACC-2', `the case is ${state.status}: there is no acceptance decision to make`);
      assertDeficiencies(state, command.items);
      const notTolerable = command.items.filter((i) => !materialOf(state.guide, i.materialId)?.toleratedDeficiencyAllowed).map((i) => i.materialId);
      if (notTolerable.length > 0) {
        throw new RuleViolation('R-ACC-2', `the guide does not allow 容缺受理 for ${notTolerable.join(', ')}`, { notTolerable });
      }
      const named = new Set(command.items.map((i) => i.materialId));
      const untreated = missingMaterials(state).filter((id) => !named.has(id));
      if (untreated.length > 0) {
        throw new RuleViolation('R-ACC-2', `missing materials not covered by tolerance (${untreated.join(', ')}) need a supplement notice`, { untreated });
      }
      if (!isAfter(command.deadline.endsAt, command.at)) throw new RuleViolation('R-ACC-2', 'the supplement deadline must lie after the acceptance');
      return;
    }
    case 'NotAcceptApplication': {
      if (!deciding && state.status !== 'awaiting-supplement') {
        throw new RuleViolation('R-ACC-2', `the case is ${state.status}: there is no acceptance decision to make`);
      }
      if (command.reasons.length === 0) throw new ValidationError('a decision not to accept states its reasons', [{ path: '/reasons', reason: 'empty', rule: 'R-ACC-2' }]);
      return;
    }
    case 'DeemAccepted': {
      if (!deciding || state.supplementNotices > 0) {
        throw new RuleViolation('R-ACC-2', `deemed acceptance applies only when no notice was given and no decision made (the case is ${state.status}, ${state.supplementNotices} notice(s))`);
      }
      if (!state.noticeDue || !isAfter(command.at, state.noticeDue.endsAt)) {
        throw new RuleViolation('R-ACC-2', `the notice period runs until ${state.noticeDue?.date ?? '?'}: not deemed accepted yet (${ART_32_BASIS})`);
      }
      return;
    }
  }
}

/** The content of the document the outcome issues: every field of R-ACC-3. */
export function draftDocument(command: IssuingCommand, state: ApplicationState): DocumentContent {
  checkOutcome(command, state);
  const guide = state.guide!;
  const applicant = state.applicant!;
  const kind = kindOf(command);
  const nameOf = (id: string) => materialOf(guide, id)?.name ?? id;
  const items = command.type === 'RequestSupplement' || command.type === 'AcceptWithToleratedDeficiencies' ? command.items : [];
  return {
    documentId: command.documentId,
    kind,
    title: DOCUMENT_KINDS[kind],
    caseId: state.caseId,
    caseNumber: state.caseNumber,
    itemCode: guide.itemCode,
    itemName: guide.itemName,
    guideVersion: guide.guideVersion,
    applicant: { kind: applicant.kind, maskedId: maskIdentifier(applicant.id), name: applicant.name },
    acceptor: command.type === 'DeemAccepted' ? null : { staffId: command.acceptor.staffId, name: command.acceptor.name },
    issuingBody: guide.implementingBody,
    entrustedBody: state.centre?.entrustedBody ?? null,
    received: Object.values(state.materials)
      .sort((a, b) => guide.materials.findIndex((m) => m.materialId === a.materialId) - guide.materials.findIndex((m) => m.materialId === b.materialId))
      .map((m) => ({ materialId: m.materialId, name: nameOf(m.materialId), form: m.form, source: m.source })),
    toSupplement: items.map((i) => ({ materialId: i.materialId, name: nameOf(i.materialId), problem: i.problem, detail: i.detail })),
    supplementDeadline: command.type === 'RequestSupplement' || command.type === 'AcceptWithToleratedDeficiencies' ? command.deadline : null,
    reasons:
      command.type === 'NotAcceptApplication'
        ? [...command.reasons]
        : command.type === 'DeemAccepted'
          ? [{ text: `自收到申请材料之日（${state.receivedOn}）起五个工作日内未告知补正，自收到之日起即为受理`, legalBasis: ART_32_BASIS }]
          : [],
    dateReceived: state.receivedOn,
    issuedAt: command.at,
    seal: command.seal,
  };
}

function sealedMatching(command: IssuingCommand, state: ApplicationState): SealedDocument {
  const expected = draftDocument(command, state);
  const sealed = command.document;
  if (!sealed) throw new Error(`${command.type}: the document must be sealed before deciding (see draftDocument)`);
  if (canonicalJson(sealed.content) !== canonicalJson(expected)) {
    // A programming error, not a user error: the app sealed something other than what is decided.
    throw new Error(`${command.type}: the sealed document does not match the decision`);
  }
  return sealed;
}

export function decideOutcome(command: IssuingCommand, state: ApplicationState): ApplicationEvent[] {
  const document = sealedMatching(command, state);
  const contact = (at: string): ApplicationEvent[] =>
    // 受理 in front of the applicant at a window is a recorded contact (R-ETHICS-1).
    state.channel === 'window' && command.type !== 'DeemAccepted'
      ? [{ type: 'ContactRecorded', data: { touchpoint: 'acceptance', staff: command.acceptor, at, note: document.content.title } }]
      : [];
  switch (command.type) {
    case 'AcceptApplication':
      return [
        {
          type: 'CaseAccepted',
          data: {
            basis: 'decision',
            document,
            acceptedAt: command.at,
            effectiveFrom: shanghaiDateOf(command.at),
            acceptor: command.acceptor,
            toleratedDeficiencies: null,
            decisionDue: command.decisionDue,
            statutoryDue: command.statutoryDue,
          },
        },
        ...contact(command.at),
      ];
    case 'AcceptWithToleratedDeficiencies':
      return [
        {
          type: 'CaseAccepted',
          data: {
            basis: 'decision',
            document,
            acceptedAt: command.at,
            effectiveFrom: shanghaiDateOf(command.at),
            acceptor: command.acceptor,
            toleratedDeficiencies: { items: [...command.items], deadline: command.deadline },
            decisionDue: command.decisionDue,
            statutoryDue: command.statutoryDue,
          },
        },
        ...contact(command.at),
      ];
    case 'RequestSupplement':
      return [
        { type: 'SupplementRequested', data: { document, items: [...command.items], deadline: command.deadline, requestedAt: command.at, acceptor: command.acceptor } },
        ...contact(command.at),
      ];
    case 'NotAcceptApplication':
      return [{ type: 'CaseNotAccepted', data: { document, reasons: [...command.reasons], decidedAt: command.at, acceptor: command.acceptor } }, ...contact(command.at)];
    case 'DeemAccepted':
      return [
        {
          type: 'CaseAccepted',
          data: {
            basis: 'deemed',
            document,
            acceptedAt: command.at,
            effectiveFrom: state.receivedOn,
            acceptor: null,
            toleratedDeficiencies: null,
            decisionDue: command.decisionDue,
            statutoryDue: command.statutoryDue,
          },
        },
      ];
  }
}
