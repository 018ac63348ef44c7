/**
 * The `CaseNumberAllocator` port: hands out the next case number of a region's
 * day. Numbers are unique (never handed out twice, across every intake instance
 * sharing the store) and readable (`京<region><yyyymmdd><seq>`), but not
 * gap-free: a number is taken before the case is appended, so a submission that
 * fails after that (store unavailable, crash, a lost idempotent race) burns it.
 * Taking it inside the case's append would need a lock or a retry loop on one
 * shared counter per day, which is what every submission used to race on.
 *
 * Adapters: `sql-case-number-allocator.ts` (a sequence per region and day in
 * the event store's own database, PostgreSQL or PGlite) and the in-memory one
 * below, for the in-memory event store only (nothing of either survives a restart).
 */
import { zodEventCodec } from '@govsvc/eventstore/event-codec';
import type { EventStore } from '@govsvc/eventstore/port';
import { checkSequenceKey, formatCaseNumber, legacyCaseNumberEventDefinitions, legacyCaseNumberStream, MAX_SEQUENCE } from '../domain/case-number.ts';
import { RuleViolation } from '@govsvc/errors/errors';

export interface CaseNumberAllocator {
  /** The next number of `region` on `date` (Shanghai civil date, `YYYY-MM-DD`); RuleViolation when the day's numbers are used up (MAX_SEQUENCE). */
  next(region: string, date: string): Promise<string>;
}

export const exhausted = (region: string, date: string): RuleViolation =>
  new RuleViolation('R-ACC-1', `no case numbers left for region ${region} on ${date}`);

const legacyCodec = zodEventCodec(legacyCaseNumberEventDefinitions);

/** The last sequence the region's day counter stream handed out before sequences (0 when it has none). */
export async function legacyLastSequence(store: EventStore, region: string, date: string): Promise<number> {
  const [last] = await store.readStream(legacyCaseNumberStream(region, date), { direction: 'backwards', maxCount: 1 });
  return last ? legacyCodec.decode(last).data.sequence : 0;
}

/** For the in-memory event store: a counter per (region, day) in this process. */
export class InMemoryCaseNumberAllocator implements CaseNumberAllocator {
  private readonly last = new Map<string, number>();

  async next(region: string, date: string): Promise<string> {
    checkSequenceKey(region, date);
    const key = `${region}|${date}`;
    const sequence = (this.last.get(key) ?? 0) + 1;
    if (sequence > MAX_SEQUENCE) throw exhausted(region, date);
    this.last.set(key, sequence);
    return formatCaseNumber(region, date, sequence);
  }
}
