/** Shared by the decider specs: one case, a fixed context, preference and licence records. */
import type { CommandContext, DeliveryCommand } from './commands.ts';
import type { DeliveryEvent, SignedDocument } from './events.ts';

export const CASE = 'case-0001';
export const NOW = '2025-03-20T08:00:00.000Z';
export const noticeIdOf = (key: string): string => {
  // Readable but valid UUIDs: the key's length and char codes are enough to keep them apart in a spec.
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `00000000-0000-4000-8000-${h.toString(16).padStart(12, '0')}`;
};
export const ctx = (over: Partial<CommandContext> = {}): CommandContext => ({ caseId: CASE, now: NOW, deliveryId: 'dlv-case-0001', pickupCode: '12345678', noticeIdOf, ...over });

export const sealed = { alg: 'A256GCM', keyId: 'k1', iv: 'AAECAwQFBgcICQoL', ciphertext: 'c2VhbGVkIGNvbnRhY3Q=', tag: 'AAECAwQFBgcICQoLDA0ODw==' } as const;
export const applicant = { kind: 'person', maskedId: '110105********002X', ref: '0f8fad5b-d9cb-469f-a165-70867728950e' } as const;

export const preferences = (choice: Extract<DeliveryEvent, { type: 'PreferencesRecorded' }>['data']['choice'] = { method: 'post' }): DeliveryEvent => ({
  type: 'PreferencesRecorded',
  data: { caseNumber: '京110105-20250310-000123', itemCode: 'item-1', itemName: '食品经营许可', applicant, channels: ['email', 'sms'], choice, contact: sealed, recordedAt: NOW },
});

export const recordPreferences = (choice: Extract<DeliveryEvent, { type: 'PreferencesRecorded' }>['data']['choice'] = { method: 'post' }): DeliveryCommand => {
  const { data } = preferences(choice) as Extract<DeliveryEvent, { type: 'PreferencesRecorded' }>;
  return { type: 'RecordPreferences', data, ctx: ctx() };
};

export const deliverBy = { date: '2025-04-03', provisional: false };
export const decisionRecorded: DeliveryEvent = { type: 'DecisionRecorded', data: { outcome: 'approve', decisionId: 'dec-1', decidedAt: NOW, deliverBy } };
export const scheduled = (method: 'post' | 'window-pickup' | 'kiosk-pickup' | 'electronic' = 'post'): DeliveryEvent => ({
  type: 'ResultDeliveryScheduled',
  data: { deliveryId: 'dlv-case-0001', method, decidedAt: NOW, deliverBy, scheduledAt: NOW },
});
export const document: SignedDocument = { documentId: 'doc-1', content: '{}', sha256: 'a'.repeat(64), signature: 'c2ln', keyId: 'delivery-1' };
export const licenceRecorded: DeliveryEvent = {
  type: 'LicenceRecorded',
  data: { licenceId: 'lic-1', resultName: '食品经营许可证', forms: ['electronic', 'paper'], electronicLicenceId: 'el-1', validUntil: '2030-03-19', issuedAt: NOW, document },
};
