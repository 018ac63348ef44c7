/**
 * The deadline index in Redis (the only module here that imports ioredis for it), keeping only
 * what firing needs (issue 7: ≤ 150 bytes per deadline):
 *
 * - one sorted set `due`: a member per deadline, the deadline id compacted (`compactMember`: the
 *   common `:<kind>:submission` / `:<kind>:case` endings become one letter), scored by
 *   `nextSecond × 2^16 + revision`: seconds since 2020 (rounded up, so nothing fires early) of the
 *   next firing, and the stream revision the entry was computed from. One member carries both the
 *   schedule and the revision check, so a write is one ZSCORE and one ZADD. A deadline with nothing
 *   left to fire scores at `NEVER`; a closed one stays a while as a tombstone with a negative score
 *   (`-(closedSecond × 2^16 + revision) - 1`) so a late write of an older revision cannot resurrect
 *   it; tombstones older than `tombstoneSeconds` are swept by the writes.
 * - one hash `s`: the console summary of deadlines with a warning or card, keyed by member, as a JSON
 *   array of the entry's values without its id (`summaryOf`). The others' summaries come from the event
 *   store on demand (`useSummarySource`), folded at the revision held here. Without a source every
 *   summary is kept (the former layout's cost).
 *
 * Writes are batched: one Lua script call checks and writes up to 1,000 changes atomically. Every
 * key starts with `prefix`, so several deployments or test files share one Redis.
 */
import { Redis } from 'ioredis';
import { guardRedisCalls, onRedis } from '@govsvc/service-kit/redis-errors';
import { redisIntegrityMarker } from '@govsvc/service-kit/redis-integrity';
import { matches, type DeadlineIndex, type IndexChange, type IndexEntry, type IndexFilter, type SummarySource } from '../app/deadline-index.ts';
import { DEADLINE_KINDS, type DeadlineKind } from '../domain/kinds.ts';

const EPOCH_MS = Date.UTC(2020, 0, 1);
const REVISIONS = 65_536;
/** "Nothing left to fire": far beyond any deadline, and NEVER × 2^16 stays an exact double. */
const NEVER = 2 ** 36;
const CHUNK = 1_000;

// The changes come packed in one argument (see `packChanges`): per change, op ('u' upsert / 'r' remove) and
// member, revision, score (upsert), summary ('' = none), separated by \x1f, each change ended by \x1e.
//
// Set-wise: one ZMSCORE reads what is held for every member of the chunk, the changes are judged in order against
// it (and against the earlier changes of the chunk), and what passes is written by one ZADD, one HSET and one HDEL.
// Against a ZSCORE, a ZADD and an HSET or HDEL per change: about a fifth less of Redis's CPU (20,000 writes on
// this machine: 68-111 ms uncarded and 144-203 ms carded, against 82-138 and 174-250). Several changes to one
// member keep their order: each is judged against the one before it, ZADD applies its pairs in order (the last
// wins), and each member's summary is decided by its last change that passed.
//
// A summary exists only beside a held member (both are written and removed together here), so a member not held
// has none to delete: the HDEL is skipped, which is most writes of a rebuild.
const APPLY = `
local nowSec = tonumber(redis.call('TIME')[1]) - ${EPOCH_MS / 1000}
local out = {}
local data = ARGV[2]
local ops, members, revs, scores, sums = {}, {}, {}, {}, {}
local n = 0
local pos = 1
while pos <= #data do
  local a = string.find(data, '\\31', pos, true)
  local b = string.find(data, '\\31', a + 1, true)
  local c = string.find(data, '\\31', b + 1, true)
  local e = string.find(data, '\\30', c + 1, true)
  n = n + 1
  ops[n] = string.sub(data, pos, pos)
  members[n] = string.sub(data, pos + 1, a - 1)
  revs[n] = tonumber(string.sub(data, a + 1, b - 1))
  scores[n] = string.sub(data, b + 1, c - 1)
  if e > c + 1 then sums[n] = string.sub(data, c + 1, e - 1) else sums[n] = false end
  pos = e + 1
end
if n > 0 then
  local heldScores = redis.call('ZMSCORE', KEYS[1], unpack(members))
  -- A member's revision held so far, -1 for none: a summary can exist only where one is held.
  local heldRev, summary = {}, {}
  local zargs, zn = {}, 0
  for i = 1, n do
    local m = members[i]
    local held = heldRev[m]
    if held == nil then
      held = -1
      local s = heldScores[i]
      if s then
        s = tonumber(s)
        if s < 0 then s = -s - 1 end
        held = s % ${REVISIONS}
      end
      heldRev[m] = held
    end
    if revs[i] <= held then
      out[i] = 0
    else
      if ops[i] == 'u' then
        zargs[zn + 1] = scores[i]
        if sums[i] then summary[m] = sums[i] elseif held >= 0 then summary[m] = false end
      else
        zargs[zn + 1] = string.format('%.17g', -(nowSec * ${REVISIONS} + revs[i]) - 1)
        if held >= 0 then summary[m] = false end
      end
      zargs[zn + 2] = m
      zn = zn + 2
      heldRev[m] = revs[i]
      out[i] = 1
    end
  end
  if zn > 0 then redis.call('ZADD', KEYS[1], unpack(zargs)) end
  local hargs, hn, dargs, dn = {}, 0, {}, 0
  for m, v in pairs(summary) do
    if v then
      hargs[hn + 1] = m
      hargs[hn + 2] = v
      hn = hn + 2
    else
      dn = dn + 1
      dargs[dn] = m
    end
  end
  if hn > 0 then redis.call('HSET', KEYS[2], unpack(hargs)) end
  if dn > 0 then redis.call('HDEL', KEYS[2], unpack(dargs)) end
end
local cutoff = nowSec - tonumber(ARGV[1])
if cutoff > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '(' .. string.format('%.17g', -(cutoff * ${REVISIONS}) - 1), '(0') end
return out`;

type ScriptRedis = Redis & { deadlineApply(due: string, summaries: string, tombstoneSeconds: string, changes: Buffer): Promise<number[]> };

/** Control characters JSON never leaves unescaped: they separate the fields and the changes in `APPLY`'s argument. */
const FIELD_END = '\x1f';
const CHANGE_END = '\x1e';

/**
 * Changes as the one argument `APPLY` reads. One string instead of five arguments a change: the client's cost
 * per argument (measured: a third of a rebuild's own CPU time) becomes one join, and Redis splits it.
 */
function packChanges(changes: readonly IndexChange[], withSummary: (entry: IndexEntry) => boolean): string {
  let packed = '';
  for (const change of changes) {
    if ('upsert' in change) {
      const entry = change.upsert;
      const member = packableMember(entry.deadlineId);
      packed += `u${member}${FIELD_END}${entry.revision}${FIELD_END}${scoreOf(entry)}${FIELD_END}${withSummary(entry) ? summaryOf(entry) : ''}${CHANGE_END}`;
    } else {
      packed += `r${packableMember(change.remove.deadlineId)}${FIELD_END}${change.remove.revision}${FIELD_END}${FIELD_END}${CHANGE_END}`;
    }
  }
  return packed;
}

/**
 * A carded deadline's summary as kept in `s`: the entry's values in a fixed order, without the id (the hash field
 * is its member). Measured on a rebuild of 20,000 breached deadlines: 222 bytes against the 400 of the entry as a
 * JSON object, and about 2.5 µs less of the Node thread a write; Redis copies and keeps half as many bytes.
 */
function summaryOf(e: IndexEntry): string {
  return JSON.stringify([e.caseId, e.kind, e.label, e.step, e.department, e.centre, e.itemCode, e.itemName, e.due, e.dueAt, e.card, e.nextAt, e.revision]);
}

/** The entry a kept summary stands for; an object is a summary written before the array layout (read as it was). */
function entryOfSummary(member: string, json: string): IndexEntry {
  if (json.charCodeAt(0) === 123 /* { */) return JSON.parse(json) as IndexEntry;
  const [caseId, kind, label, step, department, centre, itemCode, itemName, due, dueAt, card, nextAt, revision] = JSON.parse(json) as [
    string, string, string, string, string, string, string, string, string, string, IndexEntry['card'], number | null, number,
  ];
  return { deadlineId: deadlineIdOfMember(member), caseId, kind, label, step, department, centre, itemCode, itemName, due, dueAt, card, nextAt, revision };
}

/** Changes packed for `APPLY`, and how many. */
interface Packed {
  readonly packed: string;
  readonly count: number;
}

function packableMember(deadlineId: string): string {
  // Deadline ids come from case ids the contracts validate; a separator in one would split the change wrongly.
  if (deadlineId.includes(FIELD_END) || deadlineId.includes(CHANGE_END)) throw new Error(`deadline id ${JSON.stringify(deadlineId)} holds a control character the index cannot store`);
  return compactMember(deadlineId);
}

export interface RedisDeadlineIndexOptions {
  readonly url: string;
  /** Prefix of every key (e.g. `govsvc:supervision:`; tests use the testkit's uniqueKeyPrefix). */
  readonly prefix: string;
  /** How long a closed deadline's revision is remembered against late writes (default one day). */
  readonly tombstoneSeconds?: number;
}

export interface RedisDeadlineIndex extends DeadlineIndex {
  /** Round-trip check for readiness. */
  ping(): Promise<void>;
}

const COMMON_STEPS = ['submission', 'case'] as const;

/** The deadline id as a short member: `<letter><caseId>` for the common steps, `~<deadlineId>` otherwise. Reversible. */
/** `:<kind>:<step>` endings that compact, each to its letter (found by one lookup, not a scan of every kind). */
const COMPACT_LETTERS = new Map<string, string>(
  DEADLINE_KINDS.flatMap((kind, k) => COMMON_STEPS.map((step, s) => [`${kind}:${step}`, String.fromCharCode((s === 0 ? 65 : 97) + k)] as const)),
);

export function compactMember(deadlineId: string): string {
  const stepAt = deadlineId.lastIndexOf(':');
  const kindAt = stepAt > 0 ? deadlineId.lastIndexOf(':', stepAt - 1) : -1;
  if (kindAt > 0) {
    const letter = COMPACT_LETTERS.get(deadlineId.slice(kindAt + 1));
    if (letter !== undefined) return `${letter}${deadlineId.slice(0, kindAt)}`;
  }
  return `~${deadlineId}`;
}

export function deadlineIdOfMember(member: string): string {
  if (member.startsWith('~')) return member.slice(1);
  const code = member.charCodeAt(0);
  const upper = code < 97;
  const kind = DEADLINE_KINDS[code - (upper ? 65 : 97)] as DeadlineKind;
  return `${member.slice(1)}:${kind}:${upper ? 'submission' : 'case'}`;
}

const secondOf = (ms: number) => Math.max(0, Math.ceil((ms - EPOCH_MS) / 1000));

function scoreOf(entry: IndexEntry): string {
  if (entry.revision >= REVISIONS) throw new Error(`deadline ${entry.deadlineId}: revision ${entry.revision} beyond what the index encodes`);
  return String((entry.nextAt === null ? NEVER : Math.min(secondOf(entry.nextAt), NEVER)) * REVISIONS + entry.revision);
}

/** Revision and next instant held for a live score. */
function decodeScore(score: number): { revision: number; nextAt: number | null } {
  const second = Math.floor(score / REVISIONS);
  return { revision: score % REVISIONS, nextAt: second >= NEVER ? null : EPOCH_MS + second * 1000 };
}

export function createRedisDeadlineIndex(options: RedisDeadlineIndexOptions): RedisDeadlineIndex {
  const redis = new Redis(options.url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false }) as ScriptRedis;
  redis.on('error', () => undefined); // surfaced by the failing command (and readiness), not as an unhandled event
  redis.defineCommand('deadlineApply', { numberOfKeys: 2, lua: APPLY });
  const p = options.prefix;
  const keys = { due: `${p}due`, summaries: `${p}s`, built: `${p}meta:built` };
  const tombstoneSeconds = String(options.tombstoneSeconds ?? 24 * 3600);
  let source: SummarySource | undefined;

  // Redis away: UnavailableError, which the index's catch-up subscription waits out instead of ending, and HTTP
  // answers with 503 + Retry-After (reliability finding 12).
  const apply = (changes: readonly IndexChange[]) => onRedis('deadline index', () => applyCoalesced(changes));

  // Writes handed in while a script call is under way wait for it and go out together in the next (group
  // commit, as the event store's appends). The contract consumer writes each deadline of a contract on its
  // own, 11 or 12 writes a case in a megacity day, and per call the client's socket write and Redis's script
  // start cost far more than a change does.
  let waiting: { pieces: Packed[]; resolve: (written: boolean[]) => void; reject: (error: unknown) => void }[] = [];
  let sending = false;
  function applyCoalesced(changes: readonly IndexChange[]): Promise<boolean[]> {
    if (changes.length === 0) return Promise.resolve([]);
    // Packed now, so a change refused by `packChanges` fails its own call and leaves the index untouched.
    const pieces: Packed[] = [];
    for (let i = 0; i < changes.length; i += CHUNK) {
      const chunk = changes.slice(i, i + CHUNK);
      pieces.push({ packed: packChanges(chunk, (entry) => source === undefined || entry.card !== null), count: chunk.length });
    }
    return new Promise((resolve, reject) => {
      waiting.push({ pieces, resolve, reject });
      if (!sending) void sendWaiting();
    });
  }
  async function sendWaiting(): Promise<void> {
    sending = true;
    // One turn of the event loop's microtasks first: writes issued together (a contract's deadlines) share the call.
    await Promise.resolve();
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const written = await sendPieces(batch.flatMap((w) => w.pieces));
        let at = 0;
        for (const w of batch) {
          const count = w.pieces.reduce((n, p) => n + p.count, 0);
          w.resolve(written.slice(at, at + count));
          at += count;
        }
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    sending = false;
  }
  /** Pieces joined into script calls of at most CHUNK changes each, pipelined on the one connection (which keeps their order). */
  async function sendPieces(pieces: readonly Packed[]): Promise<boolean[]> {
    const calls: string[] = [];
    let current = '';
    let count = 0;
    for (const piece of pieces) {
      if (count > 0 && count + piece.count > CHUNK) {
        calls.push(current);
        current = '';
        count = 0;
      }
      current += piece.packed;
      count += piece.count;
    }
    if (count > 0) calls.push(current);
    // As bytes: a string argument is measured as UTF-8 by the client and then encoded again when written.
    const sent = calls.map((packed) => redis.deadlineApply(keys.due, keys.summaries, tombstoneSeconds, Buffer.from(packed)));
    return (await Promise.all(sent)).flat().map((written) => written === 1);
  }

  /** Entries for live members with their scores: kept summaries, the rest from the source. */
  async function entriesOf(live: readonly { member: string; score: number }[]): Promise<IndexEntry[]> {
    const out: IndexEntry[] = [];
    for (let i = 0; i < live.length; i += CHUNK) {
      const chunk = live.slice(i, i + CHUNK);
      const kept = chunk.length === 0 ? [] : await redis.hmget(keys.summaries, ...chunk.map((m) => m.member));
      const missing: { deadlineId: string; revision: number }[] = [];
      chunk.forEach((m, j) => {
        const json = kept[j];
        if (typeof json === 'string') out.push(entryOfSummary(m.member, json));
        else missing.push({ deadlineId: deadlineIdOfMember(m.member), revision: decodeScore(m.score).revision });
      });
      if (missing.length > 0 && source) for (const entry of await source(missing)) if (entry) out.push(entry);
    }
    return out;
  }

  const liveMembers = async (): Promise<{ member: string; score: number }[]> => {
    const out: { member: string; score: number }[] = [];
    let after = '0';
    for (;;) {
      const page = await redis.zrangebyscore(keys.due, after, '+inf', 'WITHSCORES', 'LIMIT', 0, 10_000);
      for (let i = 0; i < page.length; i += 2) out.push({ member: page[i]!, score: Number(page[i + 1]) });
      if (page.length < 20_000) return out;
      // Scores are unique per (second, revision) but not per member: continue at the last score and drop what was seen.
      const last = out[out.length - 1]!;
      const seen = new Set(out.filter((m) => m.score === last.score).map((m) => m.member));
      const rest = await redis.zrangebyscore(keys.due, last.score, last.score);
      for (const member of rest) if (!seen.has(member)) out.push({ member, score: last.score });
      after = `(${last.score}`;
    }
  };

  const index: RedisDeadlineIndex = {
    useSummarySource(summaries) {
      source = summaries;
    },
    async upsert(entry) {
      return (await apply([{ upsert: entry }]))[0]!;
    },
    async remove(deadlineId, revision) {
      return (await apply([{ remove: { deadlineId, revision } }]))[0]!;
    },
    applyMany: apply,
    async due(now, limit, from) {
      // Scores hold the instant rounded up to its second: `from` counts from the second it rounds up to as well.
      const lowest = from === undefined ? 0 : secondOf(from) * REVISIONS;
      const members = await redis.zrangebyscore(keys.due, lowest, Math.floor((now - EPOCH_MS) / 1000) * REVISIONS + (REVISIONS - 1), 'LIMIT', 0, limit);
      return members.map(deadlineIdOfMember);
    },
    async nextDue() {
      const [, score] = await redis.zrangebyscore(keys.due, 0, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
      return score === undefined ? null : decodeScore(Number(score)).nextAt;
    },
    async get(deadlineId) {
      const member = compactMember(deadlineId);
      const score = await redis.zscore(keys.due, member);
      if (score === null || Number(score) < 0) return null;
      const [entry] = await entriesOf([{ member, score: Number(score) }]);
      return entry ?? null;
    },
    async carded(filter?: IndexFilter) {
      const out: IndexEntry[] = [];
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(keys.summaries, cursor, 'COUNT', 1000);
        cursor = next;
        for (let i = 1; i < flat.length; i += 2) {
          const entry = entryOfSummary(flat[i - 1]!, flat[i]!);
          if (entry.card !== null && matches(entry, filter)) out.push(entry);
        }
      } while (cursor !== '0');
      return out;
    },
    async all() {
      return entriesOf(await liveMembers());
    },
    async countOpen() {
      return redis.zcount(keys.due, 0, '+inf');
    },
    integrity: redisIntegrityMarker(redis, keys.built),
    async clear() {
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 1000);
        cursor = next;
        if (batch.length > 0) await redis.unlink(...batch);
      } while (cursor !== '0');
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  // Reads too: the scheduler's pass and the console's queries meet a down Redis as UnavailableError (503 + Retry-After).
  return guardRedisCalls('deadline index', index, ['due', 'nextDue', 'get', 'carded', 'all', 'countOpen', 'clear', 'ping']);
}
