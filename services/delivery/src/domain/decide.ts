/**
 * The delivery decider (R-NOTIFY-1, R-DELIV-1). Each command's own decision
 * is followed by the automatic steps its new state makes due (`followUps`):
 * schedule the result's delivery once the approval and the applicant's choice
 * are both known (they arrive on different topics, in any order), issue a
 * pickup code or hand over to the post once the licence is there, and tell
 * the applicant each time.
 */
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';
import type { CommandContext, DeliveryCommand, RetryPolicy } from './commands.ts';
import type { DeliveryEvent, NoticeFacts } from './events.ts';
import { evolveDelivery, initialDeliveryState, type DeliveryState } from './state.ts';

const plusMs = (iso: string, ms: number): string => new Date(new Date(iso).getTime() + ms).toISOString();

/** Delay after the n-th failed attempt. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return policy.delaysMs[Math.min(attempt, policy.delaysMs.length) - 1] ?? 0;
}

/** A masked ID (`110105********002X`) matches a full one when every visible character does. */
export function matchesMasked(masked: string, full: string): boolean {
  if (masked.length !== full.length) return false;
  return [...masked].every((ch, i) => ch === '*' || ch === full[i]?.toUpperCase());
}

function notice(ctx: CommandContext, state: DeliveryState, noticeKey: string, facts: NoticeFacts): DeliveryEvent[] {
  const noticeId = ctx.noticeIdOf(noticeKey);
  if (state.notices.has(noticeId)) return [];
  return [{ type: 'NoticeRequested', data: { noticeId, noticeKey, facts, requestedAt: ctx.now } }];
}

/** The automatic steps due in `state`, applied one after another until none is. */
function followUps(state: DeliveryState, ctx: CommandContext): DeliveryEvent[] {
  const produced: DeliveryEvent[] = [];
  for (let guard = 0; guard < 10; guard++) {
    const next = nextStep(state, ctx);
    if (next.length === 0) return produced;
    produced.push(...next);
    state = next.reduce(evolveDelivery, state);
  }
  throw new Error('delivery follow-ups did not settle');
}

function nextStep(state: DeliveryState, ctx: CommandContext): DeliveryEvent[] {
  const prefs = state.preferences;
  if (!prefs || state.decision?.outcome !== 'approve' || state.delivered) return [];
  const choice = prefs.choice;
  if (!state.scheduled) {
    return [
      {
        type: 'ResultDeliveryScheduled',
        data: { deliveryId: ctx.deliveryId, method: choice.method, decidedAt: state.decision.decidedAt, deliverBy: state.decision.deliverBy, scheduledAt: ctx.now },
      },
    ];
  }
  const licence = state.licence;
  if (!licence) return [];
  if ((choice.method === 'window-pickup' || choice.method === 'kiosk-pickup') && state.pickupCode?.method !== choice.method) {
    return [{ type: 'PickupCodeIssued', data: { method: choice.method, serviceCentre: choice.serviceCentre, code: ctx.pickupCode, issuedAt: ctx.now } }];
  }
  if (choice.method === 'post' && !state.postal) {
    return [
      {
        type: 'PostalDeliveryRequested',
        data: {
          // Each hand-over is its own shipment: after a return, posting again is a new one.
          deliveryId: state.postalReturns === 0 ? state.scheduled.deliveryId : `${state.scheduled.deliveryId}-r${state.postalReturns}`,
          caseNumber: prefs.caseNumber,
          applicant: prefs.applicant,
          contents: [{ kind: 'licence', reference: licence.licenceId, title: licence.resultName }],
          recipient: prefs.contact,
          deliverBy: state.decision.deliverBy,
          requestedAt: ctx.now,
        },
      },
    ];
  }
  const centre = choice.method === 'window-pickup' || choice.method === 'kiosk-pickup' ? choice.serviceCentre : null;
  const round = state.postalReturns === 0 ? '' : `:r${state.postalReturns}`;
  return notice(ctx, state, `licence-issued:${licence.licenceId}:${choice.method}${round}`, {
    stage: 'licence-issued',
    resultName: licence.resultName,
    validUntil: licence.validUntil,
    method: choice.method,
    serviceCentre: centre,
    pickupCode: centre ? (state.pickupCode?.code ?? null) : null,
    deliverBy: state.decision.deliverBy.date,
  });
}

function deliveredNotice(state: DeliveryState, ctx: CommandContext, events: DeliveryEvent[]): DeliveryEvent[] {
  const delivered = events.find((e) => e.type === 'ResultDelivered');
  if (!delivered || delivered.type !== 'ResultDelivered') return events;
  const after = events.reduce(evolveDelivery, state);
  return [
    ...events,
    ...notice(ctx, after, `result-delivered:${state.scheduled?.deliveryId ?? ctx.deliveryId}`, {
      stage: 'result-delivered',
      method: delivered.data.method,
      deliveredAt: delivered.data.deliveredAt,
    }),
  ];
}

/** The result is with the post (handed over and not come back). */
const parcelOut = (state: DeliveryState): boolean => state.postal !== null && state.postal.status !== 'returned';

function requireDeliverable(state: DeliveryState) {
  if (state.delivered) throw new RuleViolation('R-DELIV-1', 'the result has already been delivered');
  if (!state.licence || !state.preferences || !state.scheduled) throw new RuleViolation('R-DELIV-1', 'no result is ready for delivery on this case yet');
  return { licence: state.licence, prefs: state.preferences };
}

function decideOwn(command: DeliveryCommand, state: DeliveryState): DeliveryEvent[] {
  const { ctx } = command;
  switch (command.type) {
    case 'RecordPreferences': {
      const d = command.data;
      const p = state.preferences;
      const same = (a: typeof d | NonNullable<typeof p>) =>
        JSON.stringify([a.caseNumber, a.itemCode, a.itemName, a.applicant, [...new Set(a.channels)], a.choice, a.contact.ciphertext]);
      // A redelivered or unchanged record changes nothing.
      if (p && same(p) === same(d)) return [];
      // Once the result has left (posted or delivered) a new choice of method cannot apply to it.
      const choice = p && (parcelOut(state) || state.delivered) ? p.choice : d.choice;
      return [
        {
          type: 'PreferencesRecorded',
          data: { caseNumber: d.caseNumber, itemCode: d.itemCode, itemName: d.itemName, applicant: d.applicant, channels: [...new Set(d.channels)], choice, contact: d.contact, recordedAt: d.recordedAt },
        },
      ];
    }
    case 'RecordSubmission': {
      // Online (no centre) there is nothing to record: pickup is offered only at a centre the case was handed in at.
      if (command.data.serviceCentre === null || state.submissionCentre === command.data.serviceCentre) return [];
      return [{ type: 'SubmissionRecorded', data: { serviceCentre: command.data.serviceCentre, submittedAt: command.data.submittedAt } }];
    }
    case 'ChangeDeliveryMethod': {
      const p = state.preferences;
      if (!p) throw new NotFoundError('no delivery preferences are known for this case yet');
      if (state.delivered) throw new RuleViolation('R-DELIV-1', 'the result has already been delivered; the method can no longer change');
      if (parcelOut(state)) throw new RuleViolation('R-DELIV-1', 'the result has been handed to the post; the method can change only if it comes back');
      if (command.data.to.method === 'post' && !command.data.hasPostalAddress) {
        throw new ValidationError('post needs a postal address; give one at intake first', [{ path: '/method', reason: 'no postal address on file', rule: 'R-DELIV-1' }]);
      }
      if (JSON.stringify(p.choice) === JSON.stringify(command.data.to)) return [];
      return [{ type: 'DeliveryMethodChanged', data: { from: p.choice, to: command.data.to, changedBy: command.data.by, changedAt: ctx.now } }];
    }
    case 'RequestNotice':
      return notice(ctx, state, command.data.noticeKey, command.data.facts);
    case 'RecordSendOutcome': {
      const d = command.data;
      const current = state.notices.get(d.noticeId);
      if (!current) throw new NotFoundError(`no notice ${d.noticeId} on this case`);
      const status = current.channels[d.channel];
      // Deduplication per (case, notice, channel): once sent or given up, later outcomes change nothing.
      if (status && status.status !== 'pending') return [];
      // A stale outcome (an attempt another worker already recorded) changes nothing either.
      if (d.attempt !== (status?.attempts ?? 0) + 1) return [];
      if (d.outcome.kind === 'sent') {
        return [{ type: 'NotificationSent', data: { noticeId: d.noticeId, stage: current.facts.stage, channel: d.channel, attempt: d.attempt, providerMessageId: d.outcome.providerMessageId, sentAt: ctx.now } }];
      }
      const error = d.outcome.error.slice(0, 500);
      if (d.outcome.permanent || d.attempt >= d.retry.maxAttempts) {
        return [{ type: 'NotificationFailed', data: { noticeId: d.noticeId, channel: d.channel, attempts: d.attempt, error, failedAt: ctx.now } }];
      }
      return [
        {
          type: 'NotificationAttemptFailed',
          data: { noticeId: d.noticeId, channel: d.channel, attempt: d.attempt, error, failedAt: ctx.now, retryAt: plusMs(ctx.now, retryDelay(d.retry, d.attempt)) },
        },
      ];
    }
    case 'RequeueNotification': {
      const status = state.notices.get(command.data.noticeId)?.channels[command.data.channel];
      if (!status) throw new NotFoundError(`no notification ${command.data.noticeId}/${command.data.channel}`);
      if (status.status !== 'failed') throw new RuleViolation('R-NOTIFY-1', `the notification is ${status.status}; only a failed one is sent again`);
      return [{ type: 'NotificationRequeued', data: { noticeId: command.data.noticeId, channel: command.data.channel, by: command.data.by, requeuedAt: ctx.now } }];
    }
    case 'RecordDecision': {
      if (state.decision) return [];
      const d = command.data;
      return [{ type: 'DecisionRecorded', data: { outcome: d.outcome, decisionId: d.decisionId, decidedAt: d.decidedAt, deliverBy: d.deliverBy } }];
    }
    case 'RecordLicence': {
      if (state.licence) return [];
      const d = command.data;
      return [
        {
          type: 'LicenceRecorded',
          data: { licenceId: d.licenceId, resultName: d.resultName, forms: [...d.forms], electronicLicenceId: d.electronicLicenceId, validUntil: d.validUntil, issuedAt: d.issuedAt, document: d.document },
        },
      ];
    }
    case 'ConfirmPickup': {
      const d = command.data;
      const { licence, prefs } = requireDeliverable(state);
      if (prefs.choice.method !== d.method || !state.pickupCode) {
        throw new RuleViolation('R-DELIV-1', `this result is delivered by ${prefs.choice.method}, not ${d.method}`);
      }
      if (d.method === 'window-pickup' && d.place !== state.pickupCode.serviceCentre) {
        throw new RuleViolation('R-DELIV-1', `the result is held at centre ${state.pickupCode.serviceCentre}`);
      }
      if (d.code !== state.pickupCode.code) throw new RuleViolation('R-DELIV-1', 'the pickup code does not match');
      if (d.recipientKind === 'applicant' && !matchesMasked(prefs.applicant.maskedId, d.recipientId)) {
        throw new RuleViolation('R-DELIV-1', 'the identity shown is not the applicant’s; an agent needs a power of attorney');
      }
      if (d.recipientKind === 'agent' && !d.authorization) {
        throw new ValidationError('an agent collecting the result shows a power of attorney', [{ path: '/authorization', reason: 'required for an agent', rule: 'R-DELIV-1' }]);
      }
      const recipient = { kind: d.recipientKind, maskedId: `${d.recipientId.slice(0, 6)}********${d.recipientId.slice(14)}`, authorization: d.authorization };
      const delivered: DeliveryEvent =
        d.method === 'window-pickup'
          ? { type: 'ResultDelivered', data: { method: 'window-pickup', serviceCentre: d.place, recipient, handedOverBy: d.handedOverBy, licenceId: licence.licenceId, deliveredAt: ctx.now } }
          : { type: 'ResultDelivered', data: { method: 'kiosk-pickup', kioskId: d.place, recipient, licenceId: licence.licenceId, deliveredAt: ctx.now } };
      return [delivered];
    }
    case 'RecordDownload': {
      if (!state.licence) throw new NotFoundError('no result document on this case yet');
      const prefs = state.preferences;
      if (prefs?.choice.method !== 'electronic' && !state.delivered) {
        throw new RuleViolation('R-DELIV-1', `this result is delivered by ${prefs?.choice.method ?? 'a method not chosen yet'}; choose electronic delivery to download it`);
      }
      if (state.downloads.some((x) => x.downloadId === command.data.downloadId)) return [];
      const downloaded: DeliveryEvent = { type: 'ResultDownloaded', data: { downloadId: command.data.downloadId, by: command.data.by, downloadedAt: ctx.now } };
      if (state.delivered) return [downloaded];
      const licence = state.licence;
      return [
        downloaded,
        {
          type: 'ResultDelivered',
          data: { method: 'electronic', electronicLicenceId: licence.electronicLicenceId ?? licence.document.documentId, downloadId: command.data.downloadId, licenceId: licence.licenceId, deliveredAt: ctx.now },
        },
      ];
    }
    case 'RecordShipmentStatus': {
      const d = command.data;
      if (!state.postal) throw new RuleViolation('R-COURIER-1', 'no postal delivery was requested on this case');
      if (state.delivered) return [];
      if (state.postal.waybillId === d.waybillId && state.postal.status === d.status) return [];
      const progressed: DeliveryEvent = { type: 'ShipmentProgressed', data: { waybillId: d.waybillId, status: d.status, occurredAt: d.occurredAt } };
      if (d.status !== 'delivered') return [progressed];
      const licenceId = state.licence?.licenceId;
      if (!licenceId) throw new RuleViolation('R-DELIV-1', 'a shipment was delivered for a case without a licence');
      return [progressed, { type: 'ResultDelivered', data: { method: 'post', waybillId: d.waybillId, licenceId, deliveredAt: d.occurredAt } }];
    }
  }
}

export function decideDelivery(command: DeliveryCommand, state: DeliveryState): DeliveryEvent[] {
  const own = deliveredNotice(state, command.ctx, decideOwn(command, state));
  const after = own.reduce(evolveDelivery, state);
  return [...own, ...followUps(after, command.ctx)];
}

export const deliveryDecider: Decider<DeliveryState, DeliveryCommand, DeliveryEvent> = {
  decide: decideDelivery,
  evolve: evolveDelivery,
  initialState: initialDeliveryState,
  // An online submission records nothing on any state (Decider.settles): no read to confirm that.
  settles: (command) => command.type === 'RecordSubmission' && command.data.serviceCentre === null,
};
