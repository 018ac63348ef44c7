/**
 * The published guides, as every channel reads them (R-CAT-13): one source,
 * the `guide-*` streams, folded into the versions that were ever published,
 * each with the interval it was in force. Drafts are not here: only the
 * catalog's administrators see them (from the stream itself).
 *
 * In memory and rebuildable: a fresh process replays the streams from the
 * start; a redelivered event is recognised by its stream revision.
 */
import { categoryOf, type StoredEvent } from '@govsvc/eventstore/port';
import { normalizeIdentifier } from '@govsvc/identifiers/checked';
import type { Implementation } from '../domain/consistency.ts';
import type { GuideContent } from '../domain/guide/content.ts';
import { GUIDE_STREAM_CATEGORY, type Change, type GuideEvent } from '../domain/guide/events.ts';
import { guideCodec } from './codecs.ts';

export type PublishedStatus = 'in-force' | 'superseded' | 'withdrawn';

export interface PublishedVersion {
  readonly implementationCode: string;
  readonly version: number;
  readonly status: PublishedStatus;
  readonly content: GuideContent;
  readonly change: Change | null;
  /** In force from this instant (published at once, R-CAT-14) … */
  readonly publishedAt: string;
  /** … until the next version was published or the item withdrawn (exclusive). */
  readonly endedAt?: string;
  readonly supersededBy?: number;
  readonly withdrawalReason?: string;
}

export interface GuideSummary {
  readonly implementationCode: string;
  readonly basicCode?: string;
  readonly itemName?: string;
  readonly itemType?: string;
  readonly level?: string;
  readonly region?: string;
  readonly implementingBody?: string;
  readonly version: number;
  readonly publishedAt: string;
}

export interface GuideQuery {
  /** Implementation or basic code; hyphens and case ignored; a prefix matches. */
  readonly code?: string;
  /** Part of the item name. */
  readonly name?: string;
  readonly type?: string;
  /** Part of the implementing body's name. */
  readonly department?: string;
  readonly level?: string;
}

interface GuideRecord {
  revision: bigint;
  versions: PublishedVersion[];
}

export class PublishedGuidesReadModel {
  readonly #records = new Map<string, GuideRecord>();
  #position = 0n;

  /** Global position of the last event applied: changes whenever anything published changes. */
  get position(): bigint {
    return this.#position;
  }

  apply(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      if (stored.globalPosition > this.#position) this.#position = stored.globalPosition;
      if (categoryOf(stored.stream) !== GUIDE_STREAM_CATEGORY) continue;
      const record = this.#records.get(stored.stream) ?? { revision: -1n, versions: [] };
      if (stored.revision <= record.revision) continue;
      record.revision = stored.revision;
      this.#records.set(stored.stream, record);
      applyEvent(record, guideCodec.decode(stored));
    }
  }

  /** The version in force of every guide matching the query, by item name then code. */
  list(query: GuideQuery = {}): GuideSummary[] {
    const code = query.code === undefined ? undefined : normalizeIdentifier(query.code);
    const name = query.name?.trim();
    const department = query.department?.trim();
    return [...this.#records.values()]
      .flatMap((r) => {
        const current = r.versions.find((v) => v.status === 'in-force');
        return current ? [current] : [];
      })
      .filter(({ implementationCode, content }) => {
        if (code && !implementationCode.startsWith(code) && !normalizeIdentifier(content.basicCode ?? '').startsWith(code)) return false;
        if (name && !(content.itemName ?? '').includes(name)) return false;
        if (query.type && content.itemType !== query.type) return false;
        if (department && !(content.implementingBody?.name ?? '').includes(department)) return false;
        if (query.level && content.level !== query.level) return false;
        return true;
      })
      .map(summaryOf)
      .sort((a, b) => (a.itemName ?? '').localeCompare(b.itemName ?? '', 'zh-Hans-CN') || a.implementationCode.localeCompare(b.implementationCode));
  }

  /** Every published version of a guide, oldest first (R-CAT-14: the history shows which was in force when). */
  history(implementationCode: string): readonly PublishedVersion[] {
    return this.#records.get(streamKey(implementationCode))?.versions ?? [];
  }

  inForce(implementationCode: string): PublishedVersion | undefined {
    return this.history(implementationCode).find((v) => v.status === 'in-force');
  }

  version(implementationCode: string, version: number): PublishedVersion | undefined {
    return this.history(implementationCode).find((v) => v.version === version);
  }

  /** The version in force at an instant: published at or before it, not yet superseded or withdrawn. */
  validAt(implementationCode: string, instant: Date): PublishedVersion | undefined {
    const t = instant.getTime();
    return this.history(implementationCode).find(
      (v) => Date.parse(v.publishedAt) <= t && (v.endedAt === undefined || t < Date.parse(v.endedAt)),
    );
  }

  /** The implementations in force of one basic item, for the cross-level report (R-CAT-4). */
  implementationsOf(basicCode: string): Implementation[] {
    const wanted = normalizeIdentifier(basicCode);
    return [...this.#records.values()]
      .flatMap((r) => r.versions.filter((v) => v.status === 'in-force'))
      .filter((v) => normalizeIdentifier(v.content.basicCode ?? '') === wanted)
      .map((v) => ({ implementationCode: v.implementationCode, version: v.version, content: v.content }))
      .sort((a, b) => levelRank(a.content.level) - levelRank(b.content.level) || a.implementationCode.localeCompare(b.implementationCode));
  }
}

const streamKey = (implementationCode: string) => `${GUIDE_STREAM_CATEGORY}-${normalizeIdentifier(implementationCode)}`;
const levelRank = (level: string | undefined) => ['city', 'district', 'township'].indexOf(level ?? '');

function summaryOf(v: PublishedVersion): GuideSummary {
  const c = v.content;
  return {
    implementationCode: v.implementationCode,
    ...(c.basicCode !== undefined && { basicCode: c.basicCode }),
    ...(c.itemName !== undefined && { itemName: c.itemName }),
    ...(c.itemType !== undefined && { itemType: c.itemType }),
    ...(c.level !== undefined && { level: c.level }),
    ...(c.region !== undefined && { region: c.region.name }),
    ...(c.implementingBody !== undefined && { implementingBody: c.implementingBody.name }),
    version: v.version,
    publishedAt: v.publishedAt,
  };
}

function replaceVersion(record: GuideRecord, version: number, change: (v: PublishedVersion) => PublishedVersion): void {
  record.versions = record.versions.map((v) => (v.version === version ? change(v) : v));
}

function applyEvent(record: GuideRecord, event: GuideEvent): void {
  switch (event.type) {
    case 'GuidePublished': {
      const { implementationCode, version, content, change, publishedAt } = event.data;
      record.versions = [
        ...record.versions.filter((v) => v.version !== version),
        { implementationCode, version, status: 'in-force' as const, content, change, publishedAt },
      ].sort((a, b) => a.version - b.version);
      return;
    }
    case 'GuideSuperseded':
      replaceVersion(record, event.data.version, (v) => ({
        ...v,
        status: 'superseded',
        endedAt: event.data.supersededAt,
        supersededBy: event.data.supersededBy,
      }));
      return;
    case 'GuideWithdrawn':
      replaceVersion(record, event.data.version, (v) => ({
        ...v,
        status: 'withdrawn',
        endedAt: event.data.withdrawnAt,
        withdrawalReason: event.data.reason,
      }));
      return;
    case 'GuideDrafted':
    case 'GuideRevised':
      return;
  }
}
