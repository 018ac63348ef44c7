/**
 * "Every projection equals a rebuild from the store" (issue 9), for the read
 * models other than supervision's deadline index (that one is in checks.ts):
 *
 * - supervision's case timeline (Redis, kept by a store subscription): each
 *   case's history as supervision answers it, against the checker's own fold
 *   of the store (every event whose metadata names the case, in global order),
 *   before and after `POST /supervision/projections/case-timeline/rebuild`;
 * - the read models kept in a process's memory and folded from the store at
 *   start (evaluation's statistics, rectification inbox and complaints;
 *   catalog's published guides and retained proofs): the live answers against
 *   the answers of a fresh process, which is that fold (the service is
 *   restarted with SIGTERM for it).
 *
 * Everything compared is cut at the store's head when the check began, so an
 * event appended while it runs (a deadline warning firing) is no difference.
 */
import { eventually, type Caller, type GovsvcClient } from '@govsvc/standalone/client';
import type { CheckResult } from './checks.ts';
import type { OrderedEvent } from './order.ts';

const SUPERVISOR: Caller = { role: 'supervisor', subject: 'supervisor-1' };

/** Keys whose values differ between two snapshots (present in one only, or different), each described briefly. */
export function snapshotDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, width = 160): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).map((k) => {
    const a = before.get(k);
    const b = after.get(k);
    // Shown from a little before where the two first differ: long values that share a beginning show their difference.
    let from = 0;
    if (a !== undefined && b !== undefined) {
      while (from < a.length && from < b.length && a[from] === b[from]) from++;
      from = Math.max(0, from - 40);
    }
    const cut = (v: string | undefined) => (v === undefined ? 'absent' : `${from > 0 ? '…' : ''}${v.slice(from, from + width)}${v.length > from + width ? '…' : ''}`);
    return `${k}: ${cut(a)} → ${cut(b)}`;
  });
}

/** A case's timeline as position:stream:type lines, up to the head the check began at. */
export function timelineOf(entries: readonly { position: string | bigint; stream: string; type: string }[], head: bigint): string {
  return entries
    .filter((e) => BigInt(e.position) <= head)
    .map((e) => `${String(e.position)}:${e.stream}:${e.type}`)
    .join(' ');
}

/** The checker's fold of the store: each case's events (by `metadata.caseId`) in global order. */
export function foldTimelines(events: readonly OrderedEvent[], cases: readonly string[], head: bigint): Map<string, string> {
  const wanted = new Set(cases);
  const byCase = new Map<string, OrderedEvent[]>(cases.map((c) => [c, []]));
  for (const e of events) if (e.caseId !== undefined && wanted.has(e.caseId)) byCase.get(e.caseId)!.push(e);
  return new Map([...byCase].map(([c, list]) => [c, timelineOf([...list].sort((a, b) => (a.position < b.position ? -1 : 1)), head)]));
}

/** Supervision's case timeline, as the history route answers it, equals the store's fold before and after a rebuild. */
export async function caseTimelineEqualsRebuild(client: GovsvcClient, events: readonly OrderedEvent[], cases: readonly string[], head: bigint): Promise<CheckResult> {
  const name = 'projection equals a rebuild (supervision case timeline: GET /supervision/cases/:id/history)';
  try {
    const fold = foldTimelines(events, cases, head);
    const answered = async () => {
      const out = new Map<string, string>();
      for (const caseId of cases) {
        const reply = await client.get(`/supervision/cases/${encodeURIComponent(caseId)}/history`, SUPERVISOR);
        if (reply.status === 404) out.set(caseId, '');
        else if (reply.status !== 200) throw new Error(`GET history of ${caseId}: ${reply.status} ${reply.text.slice(0, 200)}`);
        else out.set(caseId, timelineOf((reply.json as { entries: { position: string; stream: string; type: string }[] }).entries, head));
      }
      return out;
    };
    // The timeline's subscription may still be a moment behind the head: give it the time a catch-up takes.
    let live = await answered();
    await eventually('case timeline caught up', async () => {
      if (snapshotDiff(fold, live).length === 0) return true;
      live = await answered();
      return snapshotDiff(fold, live).length === 0;
    }, 30_000, 2_000).catch(() => undefined);
    const rebuilt = await client.post('/supervision/projections/case-timeline/rebuild', SUPERVISOR, {});
    if (rebuilt.status !== 200) throw new Error(`rebuild: ${rebuilt.status} ${rebuilt.text.slice(0, 200)}`);
    const after = await answered();
    const liveDiff = snapshotDiff(fold, live);
    const rebuildDiff = snapshotDiff(live, after);
    const entries = [...fold.values()].reduce((n, t) => n + (t === '' ? 0 : t.split(' ').length), 0);
    return {
      check: name,
      ok: liveDiff.length === 0 && rebuildDiff.length === 0,
      detail:
        liveDiff.length === 0 && rebuildDiff.length === 0
          ? `${cases.length} cases, ${entries} history entries: live = the store's fold = after rebuilding from ${String((rebuilt.json as { events?: number }).events)} events`
          : [...liveDiff.slice(0, 2).map((d) => `store fold vs live ${d}`), ...rebuildDiff.slice(0, 2).map((d) => `live vs rebuilt ${d}`)].join(' | '),
    };
  } catch (error) {
    return { check: name, ok: false, detail: (error as Error).message };
  }
}

/** What a read model answers, with the fields that only say when it was asked removed. */
function readsOf(json: unknown): string {
  return JSON.stringify(json, (key, value: unknown) => (key === 'asOf' || key === 'generatedAt' ? undefined : value));
}

export interface InMemoryReadModel {
  readonly service: string;
  readonly name: string;
  readonly paths: readonly string[];
}

/** The read models folded in a process's memory (from the store at start, then tailing it). */
export const IN_MEMORY_READ_MODELS: readonly InMemoryReadModel[] = [
  {
    service: 'evaluation',
    name: 'evaluation statistics, rectification inbox, complaints',
    paths: ['/evaluation/statistics?groupBy=department', '/evaluation/statistics?groupBy=centre', '/evaluation/statistics?groupBy=item', '/evaluation/rectifications', '/evaluation/complaints'],
  },
  { service: 'catalog', name: 'catalog published guides, retained proofs', paths: ['/catalog/guides?limit=200', '/catalog/proofs'] },
];

/** Each in-memory read model answers what a fresh process (its fold of the store at start) answers. */
export async function readModelsEqualFreshFold(client: GovsvcClient, restart: (service: string) => Promise<void>, models: readonly InMemoryReadModel[] = IN_MEMORY_READ_MODELS): Promise<CheckResult[]> {
  const snapshot = async (model: InMemoryReadModel) => {
    const out = new Map<string, string>();
    for (const path of model.paths) {
      const reply = await client.get(path, SUPERVISOR);
      if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${reply.text.slice(0, 200)}`);
      out.set(path, readsOf(reply.json));
    }
    return out;
  };
  return Promise.all(
    models.map(async (model): Promise<CheckResult> => {
      const name = `projection equals a rebuild (${model.name}: live vs a fresh process's fold of the store)`;
      try {
        const live = await snapshot(model);
        await restart(model.service);
        let fresh = await snapshot(model);
        // A fresh process may answer before its fold has reached the head: it must get there.
        await eventually(`${model.service} fold caught up`, async () => {
          if (snapshotDiff(live, fresh).length === 0) return true;
          fresh = await snapshot(model);
          return snapshotDiff(live, fresh).length === 0;
        }, 30_000, 2_000).catch(() => undefined);
        const diff = snapshotDiff(live, fresh);
        return {
          check: name,
          ok: diff.length === 0,
          detail: diff.length === 0 ? `${model.paths.length} answers identical (${[...live.values()].reduce((n, v) => n + v.length, 0)} bytes): ${model.paths.join(', ')}` : diff.slice(0, 2).join(' | '),
        };
      } catch (error) {
        return { check: name, ok: false, detail: (error as Error).message };
      }
    }),
  );
}
