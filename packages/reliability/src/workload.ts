/**
 * Real cases driven through the services' HTTP APIs, as people would: an
 * applicant looks up the shared records the guide lets the system fetch
 * (R-CAT-10), submits with the materials the guide asks for, a clerk of the
 * case's centre accepts. The same steps serve the in-process rows (`inject`)
 * and the fault harness (HTTP to separate processes): both go through `Http`.
 *
 * Synthetic people: the data-sharing stand-in holds records for these two
 * resident ID numbers only (both valid by GB 11643 check character), so they
 * are the applicants; the ID numbers never appear unmasked in responses or logs.
 */
import { applicantRefOf } from '@govsvc/intake/app/application-service';
import type { Role } from '@govsvc/service-kit/principal';

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One request as a caller makes it. */
export type Http = (request: { method: string; url: string; token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<HttpReply>;

export interface Person {
  readonly id: string;
  readonly name: string;
  readonly mobile: string;
}

export const APPLICANT_A: Person = { id: '11010519491231002X', name: '王小明', mobile: '13812345678' };
export const APPLICANT_B: Person = { id: '110108198503121233', name: '李四', mobile: '13987654321' };

/** 个体工商户设立登记 at 朝阳区: a fixture guide with applicant-submitted and shared materials. */
export const SOLE_PROPRIETORSHIP = '01120010000111010500000011110105MB1628895E01001';

/** The token subject intake knows an applicant by (the opaque reference of the ID number). */
export const subjectOf = (person: Person): string => applicantRefOf(person.id);

export interface Tokens {
  /** A token for `role` with these claims. */
  token(role: Role, claims?: { subject?: string; centre?: string; department?: string }): Promise<string>;
}

function expectStatus(reply: HttpReply, allowed: readonly number[], what: string): void {
  if (!allowed.includes(reply.status)) throw new Error(`${what}: HTTP ${reply.status} ${reply.body.slice(0, 400)}`);
}

interface GuideMaterial {
  readonly id: string;
  readonly provision: string;
  readonly necessity: string;
}

/** Submits an application for `person` and returns its case id. */
export async function submitApplication(http: Http, tokens: Tokens, person: Person, options: { itemCode?: string; idempotencyKey?: string } = {}): Promise<{ caseId: string; status: number }> {
  const itemCode = options.itemCode ?? SOLE_PROPRIETORSHIP;
  const token = await tokens.token('applicant', { subject: subjectOf(person) });
  const guide = await http({ method: 'GET', url: `/catalog/guides/${itemCode}` });
  expectStatus(guide, [200], `guide ${itemCode}`);
  const materials = (JSON.parse(guide.body) as { content: { materials: GuideMaterial[] } }).content.materials;
  const lookup = await http({ method: 'POST', url: '/intake/data-sharing/lookups', token, body: { itemCode, applicant: { kind: 'person', id: person.id } } });
  expectStatus(lookup, [200], 'shared records lookup');
  const records = (JSON.parse(lookup.body) as { records: { materialId: string; recordId: string; revision: number }[] }).records;
  const submitted = await http({
    method: 'POST',
    url: '/intake/applications',
    token,
    ...(options.idempotencyKey !== undefined && { headers: { 'idempotency-key': options.idempotencyKey } }),
    body: {
      itemCode,
      applicant: { kind: 'person', id: person.id, name: person.name },
      channel: 'online',
      materials: materials
        .filter((m) => m.provision === 'applicant-submits')
        .map((m) => ({ materialId: m.id, form: 'electronic', reference: `sha256:${m.id}` })),
      sharedConfirmations: records.map((r) => ({ materialId: r.materialId, recordId: r.recordId, revision: r.revision })),
      delivery: { notificationChannels: ['sms'], resultDelivery: { method: 'window-pickup', serviceCentre: 'bj-chaoyang' }, contact: { name: person.name, mobile: person.mobile } },
    },
  });
  expectStatus(submitted, [200, 201], 'submission');
  return { caseId: (JSON.parse(submitted.body) as { caseId: string }).caseId, status: submitted.status };
}

/** Window staff as the intake defaults register them: the city centre (where online cases go) and Haidian. */
export const CITY_CLERK = { subject: 'clerk-zhao', centre: 'bj-city' } as const;
export const HAIDIAN_CLERK = { subject: 'clerk-sun', centre: 'bj-haidian' } as const;

/** The clerk of the case's centre accepts it (R-ACC-2). */
export async function acceptApplication(http: Http, tokens: Tokens, caseId: string, clerk: { subject: string; centre: string } = CITY_CLERK): Promise<HttpReply> {
  const token = await tokens.token('clerk', clerk);
  const reply = await http({ method: 'POST', url: `/intake/applications/${caseId}/accept`, token, body: {} });
  expectStatus(reply, [200, 201], 'acceptance');
  return reply;
}
