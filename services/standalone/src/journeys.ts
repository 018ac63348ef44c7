/**
 * Case journeys over HTTP, as the people in them act: the applicant applies
 * online, the window clerk decides acceptance, the lead department's
 * reviewer and chief representative sign. The same steps run against the
 * standalone process and the distributed run (the `GovsvcClient` knows where
 * each service answers); the guided demo and the end-to-end tests use them.
 *
 * The data are the catalog's published fixtures: 食品经营许可（新办） of
 * 东城区, and the enterprise whose business licence the local data-sharing
 * register holds.
 */
import { applicantRefOf } from '@govsvc/intake/app/application-service';
import { eventually, type Caller, type GovsvcClient, type Reply } from './client.ts';

export const FOOD_LICENCE = {
  itemCode: '01120040000111010100000011110101MB855928X301001',
  itemName: '食品经营许可（新办）',
  lead: '北京市东城区市场监督管理局',
  materials: ['application-form', 'layout', 'safety-rules', 'power-of-attorney'],
  shared: { materialId: 'business-licence', recordSuffix: 3 },
} as const;

export const ENTERPRISE = { kind: 'enterprise' as const, id: '91110108551385082Q', name: '北京京味餐饮管理有限公司' };

export const PEOPLE = {
  applicant: { role: 'applicant', subject: applicantRefOf(ENTERPRISE.id) },
  clerk: { role: 'clerk', subject: 'clerk-zhao', centre: 'bj-city' },
  reviewer: { role: 'reviewer', subject: 'reviewer-dc-1', department: FOOD_LICENCE.lead },
  chief: { role: 'chief', subject: 'chief-dc-1', department: FOOD_LICENCE.lead },
  supervisor: { role: 'supervisor', subject: 'supervisor-1' },
  operator: { role: 'operator', subject: 'operator-1' },
  integration: { role: 'integration', subject: 'integration-1' },
  admin: { role: 'admin', subject: 'admin-1' },
} satisfies Record<string, Caller>;

export class StepFailed extends Error {
  constructor(step: string, reply: Reply) {
    super(`${step}: HTTP ${reply.status} ${reply.text.slice(0, 600)}`);
  }
}

export function expectStatus(step: string, reply: Reply, ...statuses: number[]): Reply {
  if (!statuses.includes(reply.status)) throw new StepFailed(step, reply);
  return reply;
}

const upload = (materialId: string) => ({ materialId, form: 'electronic', reference: `sha256:${materialId}` });

/** Review's profile of the item (licence validity, no collective decision); review may be writing the item's stream from the guide contract at that moment, so a 412 is retried. */
export async function ensureItemProfile(client: GovsvcClient, itemCode: string = FOOD_LICENCE.itemCode): Promise<void> {
  const reply = await eventually(
    'review to take the item profile',
    async () => {
      const r = await client.put(`/review/items/${itemCode}/profile`, PEOPLE.admin, {
        collectiveDecision: { required: false, legalBasis: null },
        licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 60, renewalLeadDays: 30 },
      });
      return r.status === 412 ? undefined : r;
    },
    60_000,
    250,
  );
  expectStatus('item profile', reply, 200);
}

export interface SubmitOptions {
  readonly materials?: readonly string[];
  readonly confirmShared?: boolean;
  readonly delivery?: unknown;
  readonly idempotencyKey?: string;
}

export const DEFAULT_DELIVERY = {
  notificationChannels: ['sms'],
  resultDelivery: { method: 'electronic' },
  contact: { name: '张经理', mobile: '13812345678' },
};

/** The applicant applies online; retried while intake has not yet learned the guide from the catalog's contract. */
export async function submitOnline(client: GovsvcClient, options: SubmitOptions = {}): Promise<{ caseId: string; caseNumber: string }> {
  const body = {
    itemCode: FOOD_LICENCE.itemCode,
    applicant: ENTERPRISE,
    channel: 'online',
    materials: (options.materials ?? FOOD_LICENCE.materials).map(upload),
    sharedConfirmations: options.confirmShared === false ? [] : [{ materialId: 'business-licence', recordId: `samr-bl-${ENTERPRISE.id}`, revision: FOOD_LICENCE.shared.recordSuffix }],
    delivery: options.delivery ?? DEFAULT_DELIVERY,
  };
  const reply = await eventually(
    'intake to know the guide',
    async () => {
      const r = await client.post('/intake/applications', PEOPLE.applicant, body, options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {});
      return r.status === 400 && r.text.includes('R-CAT-1') ? undefined : r;
    },
    90_000,
    300,
  );
  expectStatus('submit', reply, 201);
  return { caseId: reply.json.caseId as string, caseNumber: reply.json.caseNumber as string };
}

export const supplementMaterials = (client: GovsvcClient, caseId: string, materials: readonly string[]) =>
  client.post(`/intake/applications/${caseId}/supplements`, PEOPLE.applicant, { channel: 'online', materials: materials.map(upload) });

/** Waits until review opened the case from intake's acceptance contract. */
export async function reviewOpened(client: GovsvcClient, caseId: string): Promise<Reply> {
  return eventually('review to open the case', async () => {
    const r = await client.get(`/review/cases/${caseId}`, PEOPLE.reviewer);
    return r.status === 200 ? r : undefined;
  }, 90_000, 300);
}

/** Handler drafts and signs, the chief representative signs: the decision (at most two signatures, R-REV-2). */
export async function decide(client: GovsvcClient, caseId: string, outcome: 'approve' | 'refuse', reasons?: unknown): Promise<Reply> {
  // A refusal names where the applicant may ask about it (R-REV-2: reasons and the way to a remedy).
  const draft = outcome === 'approve' ? { outcome } : { outcome, reasons, contact: { department: FOOD_LICENCE.lead, phone: '010-12345', address: '北京市东城区东四北大街100号' } };
  expectStatus('handler signature', await client.post(`/review/cases/${caseId}/signatures`, PEOPLE.reviewer, { role: 'handler', draft }), 201);
  return expectStatus('chief signature', await client.post(`/review/cases/${caseId}/signatures`, PEOPLE.chief, { role: 'chief-representative' }), 201);
}

export const FIRE_BRIGADE = '北京市东城区消防救援支队';

/** The food licence is a cross-department item: the lead asks the fire brigade, which answers (R-COLLAB-1). */
export async function collaborate(client: GovsvcClient, caseId: string, opinion: 'concur' | 'object' = 'concur', reasons: readonly { text: string; legalBasis?: string }[] = []): Promise<void> {
  const asked = expectStatus('opinion request', await client.post(`/review/cases/${caseId}/opinion-requests`, PEOPLE.reviewer, { department: FIRE_BRIGADE, question: '经营场所消防安全是否符合要求？', dueInWorkingDays: 3 }), 201);
  const request = (asked.json.opinionRequests as { requestId: string; department: string }[]).find((r) => r.department === FIRE_BRIGADE);
  if (!request) throw new StepFailed('opinion request', asked);
  const fire: Caller = { role: 'reviewer', subject: 'reviewer-fire-1', department: FIRE_BRIGADE };
  expectStatus('opinion', await client.post(`/review/cases/${caseId}/opinions/${request.requestId}`, fire, { opinion, reasons }), 201);
}
