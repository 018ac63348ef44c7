import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { CurrentIntegrationEvent } from '@govsvc/contracts/registry';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { APPLICANT_REF, DEPARTMENT, OTHER_DEPARTMENT, evaluationHarness, type Harness } from '../test-harness.ts';
import { handleIncoming } from './incoming.ts';

const CASE = 'BJ-2026-000999';
let h: Harness;
beforeEach(async () => {
  h = await evaluationHarness(createInMemoryEventStore());
});
afterEach(async () => h.close());

function decoded(event: CurrentIntegrationEvent, id: string): DecodedIntegrationEvent {
  return { ...event, id, source: `/govsvc/${event.type.split('.')[0]}`, subject: CASE, time: '2026-03-09T02:00:00.000Z', correlationId: 'corr', causationId: undefined } as unknown as DecodedIntegrationEvent;
}

const submitted = { ...examples['intake.application-submitted.v1'], caseId: CASE, applicant: { ...examples['intake.application-submitted.v1'].applicant, ref: APPLICANT_REF } };
const decision = (department: string) => {
  const d = examples['review.decision-made.v1'];
  return { ...d, caseId: CASE, signatures: d.signatures.map((s) => ({ ...s, signer: { ...s.signer, department } })) };
};

describe('facts from other services', () => {
  it('R-EVAL-3: a deemed acceptance names no department; the deciding department then answers for ratings', async () => {
    const accepted = examples['intake.case-accepted.v2'];
    const { acceptedBy: _a, seal: _s, ...rest } = accepted as Extract<typeof accepted, { basis: 'decision' }>;
    const deemed = { ...rest, caseId: CASE, basis: 'deemed' as const };
    expect(await handleIncoming(h.module.service, decoded({ type: 'intake.application-submitted.v1', data: submitted }, 'm1'))).toBe(1);
    expect(await handleIncoming(h.module.service, decoded({ type: 'intake.case-accepted.v2', data: deemed }, 'm2'))).toBe(0);
    expect((await h.module.service.getCase(CASE)).facts?.department).toBeNull();
    expect(await handleIncoming(h.module.service, decoded({ type: 'review.decision-made.v1', data: decision(DEPARTMENT) } as CurrentIntegrationEvent, 'm3'))).toBe(1);
    expect((await h.module.service.getCase(CASE)).facts?.department).toBe(DEPARTMENT);
    // Redelivered, or another department's signature later: the department stays.
    expect(await handleIncoming(h.module.service, decoded({ type: 'review.decision-made.v1', data: decision(DEPARTMENT) } as CurrentIntegrationEvent, 'm3'))).toBe(0);
    expect(await handleIncoming(h.module.service, decoded({ type: 'review.decision-made.v1', data: decision(OTHER_DEPARTMENT) } as CurrentIntegrationEvent, 'm4'))).toBe(0);
    expect((await h.module.service.getCase(CASE)).facts?.department).toBe(DEPARTMENT);
  });
});
