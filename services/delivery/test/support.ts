/** Shared by delivery's integration tests: keys, sealed contacts, contract payloads and a publisher. */
import { randomBytes, randomUUID } from 'node:crypto';
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { DataOf, IntegrationEvent } from '@govsvc/contracts/registry';
import { parseContactKeyring, sealContact, type ApplicantContact } from '@govsvc/contracts/sealed-contact';
import type { MessageBus } from '@govsvc/messaging/bus';

export const contactKeys = parseContactKeyring(`test-1:${randomBytes(32).toString('base64')}`);
export const applicantRef = '0f8fad5b-d9cb-469f-a165-70867728950e';

export const contact: ApplicantContact = {
  name: '张三',
  mobile: '13812345678',
  email: 'zhangsan@example.cn',
  postalAddress: { recipient: '张三', phone: '13812345678', region: '110105', address: '北京市朝阳区建国路1号', postcode: '100022' },
};

export function preferencesEvent(caseId: string, over: Partial<ApplicantContact> = {}, choice: DataOf<'intake.delivery-preferences-recorded.v1'>['resultDelivery'] = { method: 'post' }, channels: ('sms' | 'email' | 'phone')[] = ['email', 'sms']): IntegrationEvent {
  return {
    type: 'intake.delivery-preferences-recorded.v1',
    data: {
      ...examples['intake.delivery-preferences-recorded.v1'],
      caseId,
      caseNumber: `京110105-20250310-${caseId.slice(-6)}`,
      applicant: { kind: 'person', maskedId: '110105********002X', ref: applicantRef },
      notificationChannels: channels,
      resultDelivery: choice,
      contact: sealContact({ ...contact, ...over }, caseId, contactKeys),
    },
  } as IntegrationEvent;
}

export const decisionEvent = (caseId: string, decidedAt = '2025-03-20T16:00:00+08:00'): IntegrationEvent => ({
  type: 'review.decision-made.v1',
  data: { ...examples['review.decision-made.v1'], caseId, decidedAt, decision: { documentId: `dec-${caseId}`, kind: 'approval-decision' }, outcome: 'approve', licenceForms: ['electronic', 'paper'] } as never,
});

export const licenceEvent = (caseId: string): IntegrationEvent => ({
  type: 'review.licence-issued.v1',
  data: { ...examples['review.licence-issued.v1'], caseId, licenceId: `lic-${caseId}` },
});

export async function publish(bus: MessageBus, topicFor: (t: string) => string, event: IntegrationEvent, id: string = randomUUID()): Promise<string> {
  const record = encodeIntegrationEvent(event, { id, time: new Date(), correlationId: `corr-${id}`, causationId: null });
  await bus.publish(topicFor(record.topic), [{ key: record.key, value: record.value, headers: record.headers }]);
  return id;
}
