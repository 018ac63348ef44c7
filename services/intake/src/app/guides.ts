/**
 * Intake's local projection of published guide versions (R-CAT-13, R-CAT-14).
 * Learned from the catalog's contracts on the bus and kept in intake's own
 * streams (`intakeguide-<itemCode>`), so a restart rebuilds it from the store
 * without waiting for the catalog, and the audit trail shows which version
 * intake knew when it bound a case. Redelivered contracts are no-ops: event
 * ids derive from (item, version).
 */
import { z } from 'zod';
import type { DataOf } from '@govsvc/contracts/registry';
import { deterministicEventId } from '@govsvc/eventstore/event-ids';
import { zodEventCodec, type DomainEvent } from '@govsvc/eventstore/event-codec';
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';
import { boundGuideSchema, type BoundGuide } from '../domain/guide.ts';
import { FreshRead } from './fresh-read.ts';

export const GUIDE_CATEGORY = 'intakeguide';
const instant = z.iso.datetime({ offset: true });

const guideEventSchemas = {
  GuideVersionLearned: z.object({ guide: boundGuideSchema, effectiveFrom: instant, publishedAt: instant }),
  GuideVersionSuperseded: z.object({
    itemCode: z.string(),
    guideVersion: z.string(),
    supersededBy: z.string().nullable(),
    reason: z.string(),
    supersededAt: instant,
  }),
} as const;
type GuideEvent =
  | { type: 'GuideVersionLearned'; data: z.infer<typeof guideEventSchemas.GuideVersionLearned> }
  | { type: 'GuideVersionSuperseded'; data: z.infer<typeof guideEventSchemas.GuideVersionSuperseded> };

const codec = zodEventCodec<GuideEvent>({
  GuideVersionLearned: { schemaVersion: 1, schema: guideEventSchemas.GuideVersionLearned },
  GuideVersionSuperseded: { schemaVersion: 1, schema: guideEventSchemas.GuideVersionSuperseded },
});

interface KnownVersion {
  readonly guide: BoundGuide;
  readonly effectiveFrom: number;
  supersededAt: number | null;
}

export const guideStream = (itemCode: string): string => `${GUIDE_CATEGORY}-${itemCode}`;

/** The contract's published guide as the version a case binds to. */
export function boundGuideOf(published: DataOf<'catalog.guide-published.v1'>): BoundGuide {
  return {
    itemCode: published.itemCode,
    itemName: published.itemName,
    itemType: published.itemType,
    guideVersion: published.guideVersion,
    implementingBody: published.implementingBody,
    handlingForm: published.handlingForm,
    statutoryLimitWorkingDays: published.statutoryLimitWorkingDays,
    promisedLimitWorkingDays: published.promisedLimitWorkingDays,
    materials: published.materials.map((m) => ({ ...m })),
  };
}

export class GuideCatalog {
  private readonly byItem = new Map<string, KnownVersion[]>();
  /** Supersessions seen before their version (another partition order, a replay): applied when it arrives. */
  private readonly earlySupersessions = new Map<string, number>();
  /** Per item, the last revision of its stream applied here: a lookup reads only what came after. */
  private readonly seen = new Map<string, bigint>();
  /** Submissions of one item at once share one read of its stream (never one that began before they asked). */
  private readonly fresh = new FreshRead<string>(async (itemCode) => {
    const last = this.seen.get(itemCode);
    for (const stored of await this.store.readStream(guideStream(itemCode), last === undefined ? {} : { fromRevision: last + 1n })) this.apply(stored);
  });

  constructor(private readonly store: EventStore) {}

  /** Rebuilds the projection from intake's guide streams. */
  async rebuild(): Promise<void> {
    this.byItem.clear();
    this.seen.clear();
    let after = 0n;
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: 500, filter: { categories: [GUIDE_CATEGORY] } });
      for (const stored of page) this.apply(stored);
      if (page.length < 500) return;
      after = page[page.length - 1]!.globalPosition;
    }
  }

  async learnPublished(published: DataOf<'catalog.guide-published.v1'>, correlationId: string): Promise<void> {
    const guide = boundGuideOf(published);
    await this.append(guide.itemCode, { type: 'GuideVersionLearned', data: { guide, effectiveFrom: published.effectiveFrom, publishedAt: published.publishedAt } }, `learned|${guide.guideVersion}`, correlationId);
  }

  async learnSuperseded(superseded: DataOf<'catalog.guide-superseded.v1'>, correlationId: string): Promise<void> {
    await this.append(superseded.itemCode, { type: 'GuideVersionSuperseded', data: { ...superseded } }, `superseded|${superseded.guideVersion}`, correlationId);
  }

  /**
   * The version in force at `at`, read from the item's stream in the store: what a
   * submission binds to. Another intake instance may have consumed the contract (one
   * consumer group), so the store, not this process's memory, answers.
   */
  async inForceNow(itemCode: string, at: Date): Promise<BoundGuide | null> {
    // Only the events after the last one applied (usually none: nothing to parse), one read for the submissions waiting (issue 8).
    await this.fresh.read(itemCode);
    return this.inForce(itemCode, at);
  }

  /** The version in force at `at` as this process knows it: the latest effective one not yet superseded (R-CAT-14); null when the item is not in the catalog (R-CAT-1). */
  inForce(itemCode: string, at: Date): BoundGuide | null {
    const t = at.getTime();
    const candidates = (this.byItem.get(itemCode) ?? []).filter((v) => v.effectiveFrom <= t && (v.supersededAt === null || v.supersededAt > t));
    candidates.sort((a, b) => b.effectiveFrom - a.effectiveFrom);
    return candidates[0]?.guide ?? null;
  }

  /** Every item with a version in force at `at`. */
  listInForce(at: Date): BoundGuide[] {
    return [...this.byItem.keys()].map((code) => this.inForce(code, at)).filter((g): g is BoundGuide => g !== null);
  }

  private async append(itemCode: string, event: GuideEvent, seed: string, correlationId: string): Promise<void> {
    const id = deterministicEventId(`intake-guide|${itemCode}|${seed}`, 0);
    const stream = guideStream(itemCode);
    const existing = await this.store.readStream(stream);
    if (existing.some((e) => e.id === id)) return; // redelivered: already learned
    const result = await this.store.appendToStream(
      stream,
      [{ id, ...codec.encode(event), metadata: { correlationId, actor: { id: 'catalog', role: 'integration' } } }],
      { expectedRevision: 'any' },
    );
    if (!result.alreadyAppended) this.applyDomain(event);
  }

  private apply(stored: StoredEvent): void {
    const itemCode = stored.stream.slice(GUIDE_CATEGORY.length + 1);
    if ((this.seen.get(itemCode) ?? -1n) >= stored.revision) return;
    this.applyDomain(codec.decode(stored));
    this.seen.set(itemCode, stored.revision);
  }

  private applyDomain(event: DomainEvent & GuideEvent): void {
    if (event.type === 'GuideVersionLearned') {
      const versions = this.byItem.get(event.data.guide.itemCode) ?? [];
      if (versions.some((v) => v.guide.guideVersion === event.data.guide.guideVersion)) return;
      const key = `${event.data.guide.itemCode}|${event.data.guide.guideVersion}`;
      versions.push({ guide: event.data.guide, effectiveFrom: Date.parse(event.data.effectiveFrom), supersededAt: this.earlySupersessions.get(key) ?? null });
      this.byItem.set(event.data.guide.itemCode, versions);
      return;
    }
    const version = this.byItem.get(event.data.itemCode)?.find((v) => v.guide.guideVersion === event.data.guideVersion);
    if (version) version.supersededAt = Date.parse(event.data.supersededAt);
    else this.earlySupersessions.set(`${event.data.itemCode}|${event.data.guideVersion}`, Date.parse(event.data.supersededAt));
  }
}
