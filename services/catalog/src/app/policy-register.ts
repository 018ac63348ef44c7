/**
 * The register of policy measures and their publication (R-PUB-1). Each
 * policy is its own stream (`policy-<id>`); the publication limit is counted
 * here, on the statutory calendar, and handed to the pure decider. Writes are
 * idempotent by policy id and step, so a retried request appends nothing.
 */
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { computeDeadline } from '@govsvc/calendar/deadline';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { NotFoundError } from '@govsvc/errors/errors';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import { zodEventCodec, type EventDefinitions } from '@govsvc/eventstore/event-codec';
import { deterministicEventIds } from '@govsvc/eventstore/event-ids';
import type { EventStore } from '@govsvc/eventstore/port';
import type { Clock } from '@govsvc/runtime/clock';
import {
  INTERPRETATIONS,
  PUBLICATION_CHANNELS,
  policyDecider,
  policyEventSchemas,
  publicationStatus,
  PUBLICATION_LIMIT_WORKING_DAYS,
  type PolicyCommand,
  type PolicyEvent,
  type PolicyState,
  type PublicationStatus,
} from '../domain/policy/policy.ts';
import type { CommandContext } from './catalog-commands.ts';

export const POLICY_CATEGORY = 'policy';
const streamOf = (policyId: string) => `${POLICY_CATEGORY}-${policyId}`;

export const policyCodec = zodEventCodec<PolicyEvent>(
  Object.fromEntries(Object.entries(policyEventSchemas).map(([type, schema]) => [type, { schemaVersion: 1, schema }])) as unknown as EventDefinitions<PolicyEvent>,
);

export interface PolicyView {
  readonly policyId: string;
  readonly title: string;
  readonly issuer: string;
  readonly madeOn: string;
  readonly publicationDue: { readonly date: string; readonly provisional: boolean };
  readonly status: PublicationStatus;
  readonly publication: PolicyState['publication'];
}

export class PolicyRegister {
  constructor(private readonly deps: { readonly store: EventStore; readonly clock: Clock; readonly calendar: WorkingCalendar }) {}

  private today(): string {
    return shanghaiDateOf(this.deps.clock.now());
  }

  private async run(policyId: string, command: PolicyCommand, step: string, ctx: CommandContext): Promise<PolicyView> {
    const result = await handleCommand(this.deps.store, streamOf(policyId), policyDecider, command, {
      codec: policyCodec,
      eventIds: deterministicEventIds(`policy:${policyId}:${step}:${JSON.stringify(command.data)}`),
      metadata: { correlationId: ctx.correlationId, actor: ctx.actor, ...(ctx.causationId !== undefined ? { causationId: ctx.causationId } : {}) },
    });
    return viewOf(result.state, this.today());
  }

  /** Records a policy made on `madeOn`; its publication falls due 15 working days later (Art. 36). */
  async record(input: { readonly policyId: string; readonly title: string; readonly issuer: string; readonly madeOn: string }, ctx: CommandContext): Promise<PolicyView> {
    const due = computeDeadline(this.deps.calendar, { start: input.madeOn, workingDays: PUBLICATION_LIMIT_WORKING_DAYS });
    const now = this.deps.clock.now();
    return this.run(input.policyId, { type: 'RecordPolicy', data: { ...input, publicationDue: { date: due.due, provisional: due.provisional } }, now: now.toISOString(), today: shanghaiDateOf(now) }, 'record', ctx);
  }

  async publish(
    policyId: string,
    input: { readonly publishedOn: string; readonly channels: (typeof PUBLICATION_CHANNELS)[number][]; readonly url: string | null; readonly interpretations: (typeof INTERPRETATIONS)[number][] },
    ctx: CommandContext,
  ): Promise<PolicyView> {
    const now = this.deps.clock.now();
    return this.run(policyId, { type: 'PublishPolicy', data: input, now: now.toISOString(), today: shanghaiDateOf(now) }, 'publish', ctx);
  }

  async get(policyId: string): Promise<PolicyView> {
    const stored = await this.deps.store.readStream(streamOf(policyId));
    const state = stored.map((e) => policyCodec.decode(e)).reduce(policyDecider.evolve, policyDecider.initialState());
    if (!state.policy) throw new NotFoundError(`no policy ${policyId}`);
    return viewOf(state, this.today());
  }

  /** Every recorded policy, by the day it was made (newest first); read whole: policies are few. */
  async list(): Promise<PolicyView[]> {
    const states = new Map<string, PolicyState>();
    let after = 0n;
    for (;;) {
      const batch = await this.deps.store.readAll({ after, maxCount: 500, filter: { categories: [POLICY_CATEGORY] } });
      for (const stored of batch) {
        states.set(stored.stream, policyDecider.evolve(states.get(stored.stream) ?? policyDecider.initialState(), policyCodec.decode(stored)));
        after = stored.globalPosition;
      }
      if (batch.length < 500) break;
    }
    const today = this.today();
    return [...states.values()].flatMap((s) => (s.policy ? [viewOf(s, today)] : [])).sort((a, b) => b.madeOn.localeCompare(a.madeOn) || a.policyId.localeCompare(b.policyId));
  }
}

function viewOf(state: PolicyState, today: string): PolicyView {
  const policy = state.policy;
  if (!policy) throw new NotFoundError('no such policy');
  return {
    policyId: policy.policyId,
    title: policy.title,
    issuer: policy.issuer,
    madeOn: policy.madeOn,
    publicationDue: policy.publicationDue,
    status: publicationStatus(state, today) ?? 'awaiting',
    publication: state.publication,
  };
}
