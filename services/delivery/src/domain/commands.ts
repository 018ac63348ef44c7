/**
 * Commands to a case's delivery. Everything from the outside world arrives
 * here as data: instants, ids (the notice id of a notice key, the delivery id),
 * the candidate pickup code (random, drawn by the app), the signed document.
 */
import type { SealedContact } from '@govsvc/contracts/sealed-contact';
import type { Channel, DeliveryChoice, NoticeFacts, SignedDocument, WorkingDayDeadline } from './events.ts';
import type { Preferences } from './state.ts';

export interface RetryPolicy {
  /** Attempts per channel before the notification counts as failed (R-NOTIFY-1: visible, never silent). */
  readonly maxAttempts: number;
  /** Delay before attempt n + 1 after attempt n failed: `delaysMs[n - 1]`, the last one repeating. */
  readonly delaysMs: readonly number[];
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, delaysMs: [5_000, 30_000, 120_000, 600_000, 1_800_000] };

/** What every command carries besides its own data. */
export interface CommandContext {
  readonly caseId: string;
  readonly now: string;
  /** The delivery of this case's result. */
  readonly deliveryId: string;
  /** Eight random digits, used if this command leads to issuing a pickup code. */
  readonly pickupCode: string;
  /** Stable notice id of a notice key (deduplication per case and notice). */
  readonly noticeIdOf: (noticeKey: string) => string;
}

type Cmd<Type extends string, Data> = { readonly type: Type; readonly data: Data; readonly ctx: CommandContext };

export type DeliveryCommand =
  | Cmd<'RecordPreferences', Omit<Preferences, 'contact'> & { readonly contact: SealedContact; readonly recordedAt: string }>
  | Cmd<'RecordSubmission', { readonly serviceCentre: string | null; readonly submittedAt: string }>
  | Cmd<'ChangeDeliveryMethod', { readonly to: DeliveryChoice; readonly by: { readonly id: string; readonly role: string }; readonly hasPostalAddress: boolean }>
  | Cmd<'RequestNotice', { readonly noticeKey: string; readonly facts: NoticeFacts }>
  | Cmd<
      'RecordSendOutcome',
      {
        readonly noticeId: string;
        readonly channel: Channel;
        readonly attempt: number;
        readonly outcome: { readonly kind: 'sent'; readonly providerMessageId: string } | { readonly kind: 'failed'; readonly error: string; readonly permanent: boolean };
        readonly retry: RetryPolicy;
      }
    >
  | Cmd<'RequeueNotification', { readonly noticeId: string; readonly channel: Channel; readonly by: string }>
  | Cmd<'RecordDecision', { readonly outcome: 'approve' | 'refuse'; readonly decisionId: string; readonly decidedAt: string; readonly deliverBy: WorkingDayDeadline }>
  | Cmd<
      'RecordLicence',
      {
        readonly licenceId: string;
        readonly resultName: string;
        readonly forms: readonly ('electronic' | 'paper')[];
        readonly electronicLicenceId: string | null;
        readonly validUntil: string | null;
        readonly issuedAt: string;
        readonly document: SignedDocument;
      }
    >
  | Cmd<
      'ConfirmPickup',
      {
        readonly method: 'window-pickup' | 'kiosk-pickup';
        readonly code: string;
        /** Where: the service centre (window) or the kiosk id. */
        readonly place: string;
        /** The recipient's resident ID as read at the window or kiosk; compared, never stored. */
        readonly recipientId: string;
        readonly recipientKind: 'applicant' | 'agent';
        readonly authorization: string | null;
        readonly handedOverBy: string;
      }
    >
  | Cmd<'RecordDownload', { readonly downloadId: string; readonly by: string }>
  | Cmd<'RecordShipmentStatus', { readonly waybillId: string; readonly status: string; readonly occurredAt: string }>;
