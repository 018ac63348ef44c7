/** The state of a case's delivery, folded from its events. */
import type { SealedContact } from '@govsvc/contracts/sealed-contact';
import type { Channel, DeliveryChoice, DeliveryEvent, DeliveryEventOf, NoticeFacts, SignedDocument, WorkingDayDeadline } from './events.ts';

export type ChannelStatus =
  | { readonly status: 'pending'; readonly attempts: number; readonly nextAttemptAt: string | null; readonly lastError: string | null }
  | { readonly status: 'sent'; readonly attempts: number; readonly sentAt: string; readonly providerMessageId: string }
  | { readonly status: 'failed'; readonly attempts: number; readonly failedAt: string; readonly lastError: string };

export interface Notice {
  readonly noticeId: string;
  readonly noticeKey: string;
  readonly facts: NoticeFacts;
  readonly requestedAt: string;
  /** Per channel; a channel appears once a send was attempted or the notice was fanned out to it. */
  readonly channels: Readonly<Partial<Record<Channel, ChannelStatus>>>;
  /** Rounds of attempts per channel: 0 at first, +1 each time an operator sends a failed one again. */
  readonly rounds: Readonly<Partial<Record<Channel, number>>>;
}

export interface Preferences {
  readonly caseNumber: string;
  readonly itemCode: string;
  readonly itemName: string;
  readonly applicant: DeliveryEventOf<'PreferencesRecorded'>['data']['applicant'];
  readonly channels: readonly Channel[];
  readonly choice: DeliveryChoice;
  readonly contact: SealedContact;
}

export interface Licence {
  readonly licenceId: string;
  readonly resultName: string;
  readonly electronicLicenceId: string | null;
  readonly validUntil: string | null;
  readonly issuedAt: string;
  readonly document: SignedDocument;
}

export interface DeliveryState {
  readonly caseId: string | null;
  /** Known once intake's submission arrived; null online or not yet known. */
  readonly submissionCentre: string | null;
  readonly preferences: Preferences | null;
  readonly notices: ReadonlyMap<string, Notice>;
  readonly decision: { readonly outcome: 'approve' | 'refuse'; readonly decidedAt: string; readonly deliverBy: WorkingDayDeadline } | null;
  readonly scheduled: { readonly deliveryId: string; readonly scheduledAt: string } | null;
  readonly licence: Licence | null;
  readonly pickupCode: { readonly code: string; readonly serviceCentre: string; readonly method: 'window-pickup' | 'kiosk-pickup' } | null;
  readonly postal: { readonly requestedAt: string; readonly waybillId: string | null; readonly status: string | null } | null;
  /** Postal hand-overs that came back to the centre (returned to sender). */
  readonly postalReturns: number;
  readonly downloads: readonly { readonly downloadId: string; readonly by: string; readonly at: string }[];
  readonly delivered: DeliveryEventOf<'ResultDelivered'>['data'] | null;
}

export const initialDeliveryState = (): DeliveryState => ({
  caseId: null,
  submissionCentre: null,
  preferences: null,
  notices: new Map(),
  decision: null,
  scheduled: null,
  licence: null,
  pickupCode: null,
  postal: null,
  postalReturns: 0,
  downloads: [],
  delivered: null,
});

function withChannel(state: DeliveryState, noticeId: string, channel: Channel, status: ChannelStatus): DeliveryState {
  const notice = state.notices.get(noticeId);
  if (!notice) return state;
  const notices = new Map(state.notices);
  notices.set(noticeId, { ...notice, channels: { ...notice.channels, [channel]: status } });
  return { ...state, notices };
}

const attemptsOf = (state: DeliveryState, noticeId: string, channel: Channel): number => state.notices.get(noticeId)?.channels[channel]?.attempts ?? 0;

export function evolveDelivery(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  switch (event.type) {
    case 'PreferencesRecorded': {
      const d = event.data;
      return { ...state, preferences: { caseNumber: d.caseNumber, itemCode: d.itemCode, itemName: d.itemName, applicant: d.applicant, channels: d.channels, choice: d.choice, contact: d.contact } };
    }
    case 'SubmissionRecorded':
      return { ...state, submissionCentre: event.data.serviceCentre };
    case 'DeliveryMethodChanged': {
      if (!state.preferences) return state;
      // A parcel that came back is done with: the new choice (post again included) starts afresh.
      const returned = state.postal?.status === 'returned';
      return {
        ...state,
        preferences: { ...state.preferences, choice: event.data.to },
        pickupCode: event.data.to.method === state.pickupCode?.method ? state.pickupCode : null,
        postal: returned ? null : state.postal,
        postalReturns: state.postalReturns + (returned ? 1 : 0),
      };
    }
    case 'NoticeRequested': {
      const notices = new Map(state.notices);
      notices.set(event.data.noticeId, { ...event.data, channels: {}, rounds: {} });
      return { ...state, notices };
    }
    case 'NotificationSent':
      return withChannel(state, event.data.noticeId, event.data.channel, {
        status: 'sent',
        attempts: event.data.attempt,
        sentAt: event.data.sentAt,
        providerMessageId: event.data.providerMessageId,
      });
    case 'NotificationAttemptFailed':
      return withChannel(state, event.data.noticeId, event.data.channel, {
        status: 'pending',
        attempts: event.data.attempt,
        nextAttemptAt: event.data.retryAt,
        lastError: event.data.error,
      });
    case 'NotificationFailed':
      return withChannel(state, event.data.noticeId, event.data.channel, {
        status: 'failed',
        attempts: event.data.attempts,
        failedAt: event.data.failedAt,
        lastError: event.data.error,
      });
    case 'NotificationRequeued': {
      // A fresh round of attempts: the count restarts so the retry policy applies again.
      const requeued = withChannel(state, event.data.noticeId, event.data.channel, { status: 'pending', attempts: 0, nextAttemptAt: null, lastError: null });
      const notice = requeued.notices.get(event.data.noticeId);
      if (!notice) return requeued;
      const notices = new Map(requeued.notices);
      notices.set(notice.noticeId, { ...notice, rounds: { ...notice.rounds, [event.data.channel]: (notice.rounds[event.data.channel] ?? 0) + 1 } });
      return { ...requeued, notices };
    }
    case 'DecisionRecorded':
      return { ...state, decision: { outcome: event.data.outcome, decidedAt: event.data.decidedAt, deliverBy: event.data.deliverBy } };
    case 'ResultDeliveryScheduled':
      return { ...state, scheduled: { deliveryId: event.data.deliveryId, scheduledAt: event.data.scheduledAt } };
    case 'LicenceRecorded': {
      const d = event.data;
      return { ...state, licence: { licenceId: d.licenceId, resultName: d.resultName, electronicLicenceId: d.electronicLicenceId, validUntil: d.validUntil, issuedAt: d.issuedAt, document: d.document } };
    }
    case 'PickupCodeIssued':
      return { ...state, pickupCode: { code: event.data.code, serviceCentre: event.data.serviceCentre, method: event.data.method } };
    case 'ResultDownloaded':
      return { ...state, downloads: [...state.downloads, { downloadId: event.data.downloadId, by: event.data.by, at: event.data.downloadedAt }] };
    case 'PostalDeliveryRequested':
      return { ...state, postal: { requestedAt: event.data.requestedAt, waybillId: null, status: null } };
    case 'ShipmentProgressed':
      return { ...state, postal: { requestedAt: state.postal?.requestedAt ?? event.data.occurredAt, waybillId: event.data.waybillId, status: event.data.status } };
    case 'ResultDelivered':
      return { ...state, delivered: event.data };
  }
}

export { attemptsOf };
