/**
 * Who may see a case, checked from outside: an intruder (another applicant,
 * a clerk of another centre, a reviewer or chief of another department) must
 * get exactly what a caller gets for a case that does not exist, on every
 * route that names a case.
 */
import type { Role } from '@govsvc/service-kit/principal';
import { sampleValid } from './fuzz.ts';
import { urlOf, type Route } from './routes.ts';
import type { System } from './system.ts';
import { APPLICANT_B, HAIDIAN_CLERK, subjectOf } from './workload.ts';

export const UNKNOWN_CASE = '00000000-0000-4000-8000-000000000000';
export const OTHER_DEPARTMENT = '北京市海淀区市场监督管理局';

/** Intruders per role: tokens of someone with that role who has no business with the case. */
export function intruderToken(system: System, role: Role): Promise<string> | undefined {
  switch (role) {
    case 'applicant':
      return system.token('applicant', { subject: subjectOf(APPLICANT_B) });
    case 'clerk':
      return system.token('clerk', HAIDIAN_CLERK);
    case 'reviewer':
    case 'chief':
      return system.token(role, { subject: `${role}-haidian-1`, department: OTHER_DEPARTMENT });
    default:
      // supervisor, operator, integration, admin act city-wide: no tenant to cross.
      return undefined;
  }
}

/** Placeholder values for the other path parameters of a case route. */
const OTHER_PARAMS: Readonly<Record<string, string>> = { ratingId: 'r-1', noticeId: 'n-1', channel: 'sms', requestId: 'q-1' };

export interface Probe {
  readonly route: Route;
  readonly role: Role;
  readonly status: number;
  readonly unknownStatus: number;
  /** The difference between the two answers (ids masked), if any. */
  readonly leak?: string;
  readonly body: string;
}

function comparable(body: string, caseId: string): unknown {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const { correlationId: _c, instance: _i, ...rest } = parsed;
    return JSON.parse(JSON.stringify(rest).split(caseId).join('<case>').split(UNKNOWN_CASE).join('<case>'));
  } catch {
    return body;
  }
}

/** Sends the same request for the real case and for an unknown one, as `role`'s intruder. */
export async function probe(system: System, route: Route, role: Role, caseId: string): Promise<Probe | undefined> {
  const token = await intruderToken(system, role);
  if (token === undefined) return undefined;
  const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : sampleValid(route.body);
  const send = (id: string) => system.http({ method: route.method, url: urlOf(route, { ...OTHER_PARAMS, caseId: id }), token, ...(body !== undefined && { body }) });
  const real = await send(caseId);
  const unknown = await send(UNKNOWN_CASE);
  const [a, b] = [comparable(real.body, caseId), comparable(unknown.body, caseId)];
  const same = real.status === unknown.status && JSON.stringify(a) === JSON.stringify(b);
  return {
    route,
    role,
    status: real.status,
    unknownStatus: unknown.status,
    body: real.body,
    ...(!same && { leak: `real case → ${real.status} ${JSON.stringify(a).slice(0, 200)}; unknown case → ${unknown.status} ${JSON.stringify(b).slice(0, 200)}` }),
  };
}
