/**
 * "Per case, effects follow stream order" (issue 9), as the store lets the
 * checker verify it without guessing at races. Two kinds of evidence:
 *
 * - Causation: a consumer's effect names what caused it (`causationId` = the
 *   CloudEvents id of the contract it reacted to, which the relay derives from
 *   the stored event's id; a process manager names the stored event itself).
 *   A cause must be committed before anything can react to it, so its global
 *   position is lower, whatever the broker or a restart did in between. An
 *   effect whose cause is not in the store (a contract the harness published
 *   itself, a command id) proves nothing and is skipped, not failed.
 * - Stream rules: within one case's stream of one service, the domain's order
 *   (a review opened before it is decided, a deadline opened before it closes
 *   or breaches, a notice sent only once the preferences are known).
 */

export interface OrderedEvent {
  readonly id: string;
  readonly stream: string;
  readonly type: string;
  readonly position: bigint;
  readonly caseId?: string;
  readonly causationId?: string;
}

/** The ids a stored event's contracts carry on the bus (the relay's `contractIdOf(eventId, index)`). */
export type ContractIdOf = (eventId: string, index: number) => string;

const categoryOf = (stream: string) => stream.split('-')[0]!;

export interface CausalOrder {
  /** Effects whose cause is in the store, checked. */
  readonly checked: number;
  /** Checked effects by "cause category → effect category" (e.g. `application → review`). */
  readonly byLink: ReadonlyMap<string, number>;
  readonly problems: readonly string[];
}

/** Every event of a case whose `causationId` names an event in the store comes after that event in global order. */
export function causesPrecedeEffects(events: readonly OrderedEvent[], contractIdOf: ContractIdOf, contractsPerEvent = 4): CausalOrder {
  const byId = new Map<string, OrderedEvent>();
  for (const e of events) {
    byId.set(e.id, e);
    for (let index = 1; index < contractsPerEvent; index++) byId.set(contractIdOf(e.id, index), e);
  }
  const byLink = new Map<string, number>();
  const problems: string[] = [];
  let checked = 0;
  for (const effect of events) {
    if (effect.caseId === undefined || effect.causationId === undefined) continue;
    const cause = byId.get(effect.causationId);
    if (cause === undefined || cause === effect) continue;
    checked++;
    const link = `${categoryOf(cause.stream)} → ${categoryOf(effect.stream)}`;
    byLink.set(link, (byLink.get(link) ?? 0) + 1);
    if (!(cause.position < effect.position)) {
      problems.push(`${effect.caseId}: ${effect.type} (${effect.stream} @${effect.position}) before its cause ${cause.type} (${cause.stream} @${cause.position})`);
    }
  }
  return { checked, byLink, problems };
}

/**
 * Effects of one type whose cause is not an event of `causeCategory` in the store. The causation rule skips an
 * effect whose cause it cannot find; for effects that must have a stored cause (courier's waybill: delivery's
 * hand-over, relayed), a missing cause is itself a problem, else the order of that link would go unchecked.
 */
export function effectsWithoutCause(events: readonly OrderedEvent[], contractIdOf: ContractIdOf, effectType: string, causeCategory: string, contractsPerEvent = 4): string[] {
  const ids = new Set<string>();
  for (const e of events) {
    if (categoryOf(e.stream) !== causeCategory) continue;
    ids.add(e.id);
    for (let index = 1; index < contractsPerEvent; index++) ids.add(contractIdOf(e.id, index));
  }
  return events.filter((e) => e.type === effectType && (e.causationId === undefined || !ids.has(e.causationId))).map((e) => `${e.stream}: ${effectType} whose cause (${e.causationId ?? 'none'}) is no ${causeCategory} event in the store`);
}

/** Within each stream of a category: every `later` event comes after an `earlier` one. */
export interface StreamRule {
  readonly category: string;
  readonly earlier: string;
  readonly later: string;
}

export const STREAM_RULES: readonly StreamRule[] = [
  { category: 'application', earlier: 'ApplicationSubmitted', later: 'CaseAccepted' },
  { category: 'review', earlier: 'ReviewOpened', later: 'DecisionMade' },
  { category: 'deadline', earlier: 'DeadlineOpened', later: 'DeadlineClosed' },
  { category: 'deadline', earlier: 'DeadlineOpened', later: 'DeadlineBreached' },
  // Notices wait for the applicant's delivery preferences (parked in `deliveryparked-<case>` until they come).
  { category: 'delivery', earlier: 'PreferencesRecorded', later: 'NotificationSent' },
  // A waybill moves only once it exists: every scan and status change after its creation (early scans wait apart).
  { category: 'waybill', earlier: 'WaybillCreated', later: 'TrackingEventRecorded' },
  { category: 'waybill', earlier: 'WaybillCreated', later: 'StatusChanged' },
];

export interface StreamOrder {
  /** `later` events checked, per rule (`category: earlier < later`). */
  readonly checked: ReadonlyMap<string, number>;
  readonly problems: readonly string[];
}

export function streamRulesHold(events: readonly OrderedEvent[], rules: readonly StreamRule[] = STREAM_RULES): StreamOrder {
  const streams = new Map<string, OrderedEvent[]>();
  for (const e of events) {
    if (!rules.some((r) => r.category === categoryOf(e.stream))) continue;
    const list = streams.get(e.stream) ?? [];
    list.push(e);
    streams.set(e.stream, list);
  }
  const checked = new Map<string, number>();
  const problems: string[] = [];
  for (const [stream, list] of streams) {
    for (const rule of rules.filter((r) => r.category === categoryOf(stream))) {
      const firstEarlier = list.filter((e) => e.type === rule.earlier).reduce<bigint | undefined>((min, e) => (min === undefined || e.position < min ? e.position : min), undefined);
      for (const e of list.filter((x) => x.type === rule.later)) {
        const name = `${rule.category}: ${rule.earlier} < ${rule.later}`;
        checked.set(name, (checked.get(name) ?? 0) + 1);
        if (firstEarlier === undefined || !(firstEarlier < e.position)) problems.push(`${stream}: ${rule.later} @${e.position} ${firstEarlier === undefined ? `without ${rule.earlier}` : `before ${rule.earlier} @${firstEarlier}`}`);
      }
    }
  }
  return { checked, problems };
}
