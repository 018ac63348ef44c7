/**
 * Signatures and the decision (R-REV-5, measures Art. 30: "最多签两次"; R-REV-1,
 * R-REV-2; R-COLLAB-1). The handler (经办人) signs a draft, the chief
 * representative (首席代表) signs it and so concludes the case. A third
 * signature is refused, except for items that by law need a collective
 * decision: there the step after the two signatures records the collective
 * decision (its minutes) and that concludes the case.
 */
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { isDeepStrictEqual } from 'node:util';
import { requireCase, requireReasons } from './guards.ts';
import type { SignDecision } from './review-commands.ts';
import type { DecisionDraft, ReviewEvent, ReviewEventOf } from './review-events.ts';
import { collaborationComplete, licenceFormsFor, type OpenCase, type ReviewState } from './review-state.ts';
import type { Signature } from './values.ts';
import { notice, texts } from './notices.ts';

type DecisionData = ReviewEventOf<'DecisionMade'>['data'];
export type UnsealedDecision = DecisionData extends infer D ? (D extends unknown ? Omit<D, 'seal'> : never) : never;

/** The canonical document a decision's seal signs; recomputable from the stored DecisionMade. */
export interface DecisionDocument {
  readonly kind: 'review-decision';
  readonly caseId: string;
  readonly itemCode: string;
  readonly itemName: string;
  readonly decision: UnsealedDecision;
}

export function decisionDocument(state: OpenCase, decision: UnsealedDecision): DecisionDocument {
  return { kind: 'review-decision', caseId: state.caseId, itemCode: state.item.itemCode, itemName: state.item.itemName, decision };
}

function checkDraft(draft: DecisionDraft | undefined): DecisionDraft {
  if (!draft) throw new ValidationError('the handler signs a draft decision', [{ path: '/draft', reason: 'required with the first signature', rule: 'R-REV-5' }]);
  if (draft.outcome === 'refuse') {
    // R-REV-2: a refusal states its reasons and a contact; nothing is stored without them.
    requireReasons(draft.reasons, '/draft/reasons', 'R-REV-2');
    if (!draft.contact) throw new ValidationError('a refusal names a contact', [{ path: '/draft/contact', reason: 'required for a refusal', rule: 'R-REV-2' }]);
  }
  return draft;
}

interface Step {
  readonly signature: Signature | null;
  readonly collectiveMinutesId: string | null;
  readonly draft: DecisionDraft;
  /** The decision this step makes, when it concludes the case. */
  readonly decision: UnsealedDecision | null;
}

/** What a SignDecision would do; throws the refusal when it may not happen. */
function plan(command: SignDecision, c: OpenCase): Step {
  const d = command.data;
  if (c.status === 'decided') {
    throw new RuleViolation('R-REV-5', `case ${c.caseId} is concluded with ${c.signatures.length} signature(s); no further signature`);
  }
  if (d.signer.department !== c.leadDepartment) {
    throw new RuleViolation('R-COLLAB-1', `the lead department ${c.leadDepartment} decides; ${d.signer.department} gives opinions`);
  }
  if (!collaborationComplete(c)) {
    const waiting = c.assistingDepartments.filter(
      (dep) => !c.opinionRequests.some((r) => r.department === dep) || c.opinionRequests.some((r) => r.department === dep && r.answer === null),
    );
    throw new RuleViolation('R-COLLAB-1', `the lead decides when every assisting department has answered; waiting for ${waiting.join(', ')}`);
  }
  const signature: Signature = { role: d.role, signer: d.signer, signedAt: d.signedAt };
  const conclude = (signatures: Signature[], collectiveMinutesId: string | null, draft: DecisionDraft): UnsealedDecision => {
    const common = {
      decisionId: d.decisionId,
      signatures,
      collectiveMinutesId,
      decidedAt: d.signedAt,
      decisionDue: c.decisionDue,
      // R-REV-1: on time when decided by the end of the due day (Asia/Shanghai).
      withinPromisedLimit: shanghaiDateOf(d.signedAt) <= c.decisionDue.date,
    };
    return draft.outcome === 'approve'
      ? { ...draft, ...common, licenceForms: licenceFormsFor(c.item, c.requestedForms) }
      : { ...draft, ...common, licenceForms: [] };
  };

  switch (c.signatures.length) {
    case 0: {
      if (d.role !== 'handler') throw new RuleViolation('R-REV-5', 'the handler (经办人) signs first');
      const draft = checkDraft(d.draft);
      if (draft.outcome === 'approve' && c.lapse) {
        throw new RuleViolation('R-ACC-2', `the tolerated deficiencies were not supplemented by ${c.lapse.deadline}: only a refusal with reasons may follow`);
      }
      return { signature, collectiveMinutesId: null, draft, decision: null };
    }
    case 1: {
      const draft = c.draft as DecisionDraft;
      if (d.role !== 'chief-representative') throw new RuleViolation('R-REV-5', 'the second signature is the chief representative’s (首席代表)');
      if (d.signer.staffId === c.signatures[0]?.signer.staffId) throw new RuleViolation('R-REV-5', 'two signatures are two people');
      if (d.draft && !isDeepStrictEqual(d.draft, draft)) {
        throw new RuleViolation('R-REV-5', 'the chief representative signs the handler’s draft; a changed decision starts again with the handler');
      }
      const signatures = [...c.signatures, signature];
      return { signature, collectiveMinutesId: null, draft, decision: c.item.collectiveDecision.required ? null : conclude(signatures, null, draft) };
    }
    default: {
      if (!c.item.collectiveDecision.required) {
        throw new RuleViolation('R-REV-5', 'at most two signatures (经办人, 首席代表) conclude an accepted case');
      }
      if (!d.collectiveMinutesId) {
        throw new ValidationError('the collective decision is recorded by its minutes', [
          { path: '/collectiveMinutesId', reason: 'required: this item needs a collective decision by law', rule: 'R-REV-5' },
        ]);
      }
      const draft = c.draft as DecisionDraft;
      return { signature: null, collectiveMinutesId: d.collectiveMinutesId, draft, decision: conclude([...c.signatures], d.collectiveMinutesId, draft) };
    }
  }
}

/** The decision this command would make (to be sealed by the app before deciding), or null when it does not conclude. */
export function concludingDecision(command: SignDecision, state: ReviewState): DecisionDocument | null {
  const c = requireCase(state);
  const step = plan(command, c);
  return step.decision ? decisionDocument(c, step.decision) : null;
}

export function decideSignDecision(command: SignDecision, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  const d = command.data;
  const step = plan(command, c);
  const events: ReviewEvent[] = [];
  if (step.signature) events.push({ type: 'DecisionSigned', data: { ...step.signature, draft: step.draft } });
  if (step.collectiveMinutesId) {
    events.push({
      type: 'CollectiveDecisionRecorded',
      data: { minutesId: step.collectiveMinutesId, legalBasis: c.item.collectiveDecision.legalBasis, recordedBy: d.signer, recordedAt: d.signedAt },
    });
  }
  if (step.decision) {
    if (!d.seal) throw new ValidationError('a decision bears the seal', [{ path: '/seal', reason: 'required when the step concludes the case', rule: 'R-REV-2' }]);
    const decision = step.decision;
    events.push({ type: 'DecisionMade', data: { ...decision, seal: d.seal } as DecisionData });
    events.push(
      notice(c, {
        stage: decision.outcome === 'approve' ? 'approved' : 'refused',
        outcome: decision.outcome === 'approve' ? texts.approved(c.item.itemName, c.item.resultName) : texts.refused(c.item.itemName, decision.reasons, decision.contact),
        nextStep: decision.outcome === 'approve' ? 'receive-licence' : 'may-seek-review',
        document: { documentId: decision.decisionId, kind: decision.outcome === 'approve' ? 'approval-decision' : 'refusal-decision' },
        occurredAt: decision.decidedAt,
      }),
    );
  }
  return events;
}
