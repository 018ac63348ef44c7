/**
 * Audit verification for supervisors: every stream's hash chain (ADR 0003:
 * each event's hash covers its content and the previous hash, so altering,
 * removing, inserting or reordering an event breaks the chain there) and
 * every sealed document's Ed25519 signature over its canonical content,
 * checked against the seals' public keys from configuration. The report
 * names the first broken link.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '@govsvc/eventstore/audit/canonical-json';
import { computeEventHash } from '@govsvc/eventstore/audit/hash-chain';
import type { EventStore, StoredEvent } from '@govsvc/eventstore/port';
import { caseEvents, type CaseTimeline } from './case-timeline.ts';

/** A seal's public key as the sealing service publishes it (intake: `GET /intake/seal-keys`). */
export const sealPublicKeySchema = z.object({
  keyId: z.string().min(1),
  sealId: z.string().min(1),
  algorithm: z.literal('Ed25519'),
  jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1) }),
});
export type SealPublicKey = z.infer<typeof sealPublicKeySchema>;

export interface BrokenLink {
  readonly stream: string;
  readonly revision: string;
  readonly globalPosition: string;
  readonly eventId: string;
  readonly type: string;
  readonly problem: 'hash-mismatch' | 'chain-broken' | 'revision-gap' | 'seal-invalid';
  readonly detail: string;
}

export interface VerificationReport {
  readonly valid: boolean;
  readonly streams: number;
  readonly events: number;
  readonly seals: number;
  /** The first broken link in global order, or null. */
  readonly firstBroken: BrokenLink | null;
  /** Every problem found (a broken chain usually shows more than one). */
  readonly problems: readonly BrokenLink[];
}

const linkOf = (event: StoredEvent, problem: BrokenLink['problem'], detail: string): BrokenLink => ({
  stream: event.stream,
  revision: event.revision.toString(),
  globalPosition: event.globalPosition.toString(),
  eventId: event.id,
  type: event.type,
  problem,
  detail,
});

/** Checks events of one stream, in revision order, continuing from `previous` (the event before the first, if any). */
export function checkChain(events: readonly StoredEvent[], previous: { revision: bigint; hash: string } | null = null): BrokenLink[] {
  const problems: BrokenLink[] = [];
  let prev = previous;
  for (const event of events) {
    const expectedRevision = prev === null ? 0n : prev.revision + 1n;
    if (event.revision !== expectedRevision) {
      problems.push(linkOf(event, 'revision-gap', `expected revision ${expectedRevision}, found ${event.revision}: an event is missing or was inserted`));
    }
    const expectedPrev = prev === null ? null : prev.hash;
    if (event.metadata.prevHash !== expectedPrev) {
      problems.push(linkOf(event, 'chain-broken', `prevHash ${String(event.metadata.prevHash)} does not match the previous event's hash ${String(expectedPrev)}`));
    }
    const recomputed = computeEventHash(event, event.metadata.prevHash);
    if (recomputed !== event.metadata.hash) {
      problems.push(linkOf(event, 'hash-mismatch', `stored hash ${event.metadata.hash} ≠ recomputed ${recomputed}: the event's content was altered after it was written`));
    }
    prev = { revision: event.revision, hash: event.metadata.hash };
  }
  return problems;
}

interface SealedDocumentShape {
  content: Record<string, unknown>;
  signature: { algorithm: 'Ed25519'; keyId: string; value: string };
}

const sealedShape = z.object({
  content: z.record(z.string(), z.unknown()),
  signature: z.object({ algorithm: z.literal('Ed25519'), keyId: z.string(), value: z.string() }),
});

/** Every sealed document (`{ content, signature }`) anywhere inside an event's data. */
export function sealedDocumentsIn(value: unknown, found: SealedDocumentShape[] = [], depth = 0): SealedDocumentShape[] {
  if (depth > 8 || value === null || typeof value !== 'object') return found;
  const parsed = sealedShape.safeParse(value);
  if (parsed.success) {
    found.push(parsed.data as SealedDocumentShape);
    return found;
  }
  for (const member of Array.isArray(value) ? value : Object.values(value)) sealedDocumentsIn(member, found, depth + 1);
  return found;
}

export class SealVerifier {
  private readonly keys = new Map<string, { key: SealPublicKey; object: KeyObject }>();

  constructor(keys: readonly SealPublicKey[]) {
    for (const key of keys) this.keys.set(key.keyId, { key, object: createPublicKey({ key: key.jwk as JsonWebKey, format: 'jwk' }) });
  }

  /** null when the seal holds; otherwise why not. */
  check(document: SealedDocumentShape): string | null {
    const entry = this.keys.get(document.signature.keyId);
    if (!entry) return `no public key ${document.signature.keyId} is configured`;
    const seal = document.content['seal'] as { sealId?: unknown } | undefined;
    if (seal?.sealId !== undefined && seal.sealId !== entry.key.sealId) return `key ${entry.key.keyId} belongs to seal ${entry.key.sealId}, not ${String(seal.sealId)}`;
    const ok = verify(null, Buffer.from(canonicalJson(document.content), 'utf8'), entry.object, Buffer.from(document.signature.value, 'base64url'));
    return ok ? null : `the signature of key ${entry.key.keyId} does not match the document's content`;
  }
}

function checkSeals(events: readonly StoredEvent[], seals: SealVerifier): { count: number; problems: BrokenLink[] } {
  let count = 0;
  const problems: BrokenLink[] = [];
  for (const event of events) {
    for (const document of sealedDocumentsIn(event.data)) {
      count++;
      const problem = seals.check(document);
      const id = (document.content['documentId'] as string | undefined) ?? '(no id)';
      if (problem) problems.push(linkOf(event, 'seal-invalid', `document ${id}: ${problem}`));
    }
  }
  return { count, problems };
}

const byPosition = (a: BrokenLink, b: BrokenLink) => (BigInt(a.globalPosition) < BigInt(b.globalPosition) ? -1 : BigInt(a.globalPosition) > BigInt(b.globalPosition) ? 1 : 0);

function report(streams: number, events: number, seals: number, problems: BrokenLink[]): VerificationReport {
  const sorted = [...problems].sort(byPosition);
  return { valid: sorted.length === 0, streams, events, seals, firstBroken: sorted[0] ?? null, problems: sorted };
}

/** Verifies every stream the case's events are in (whole streams: a chain is only as good as its start) and their seals. */
export async function verifyCase(store: EventStore, timeline: CaseTimeline, caseId: string, seals: SealVerifier): Promise<VerificationReport> {
  const streams = [...new Set((await caseEvents(store, timeline, caseId)).map((e) => e.stream))].sort();
  const problems: BrokenLink[] = [];
  let events = 0;
  let sealCount = 0;
  for (const stream of streams) {
    const stored = await store.readStream(stream);
    events += stored.length;
    problems.push(...checkChain(stored));
    const checked = checkSeals(stored, seals);
    sealCount += checked.count;
    problems.push(...checked.problems);
  }
  return report(streams.length, events, sealCount, problems);
}

/** Verifies the whole store in one pass over the log, chaining each stream as its events come. */
export async function verifyStore(store: EventStore, seals: SealVerifier, pageSize = 5_000): Promise<VerificationReport> {
  const heads = new Map<string, { revision: bigint; hash: string }>();
  const problems: BrokenLink[] = [];
  let events = 0;
  let sealCount = 0;
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) break;
    for (const event of page) {
      problems.push(...checkChain([event], heads.get(event.stream) ?? null));
      heads.set(event.stream, { revision: event.revision, hash: event.metadata.hash });
    }
    const checked = checkSeals(page, seals);
    sealCount += checked.count;
    problems.push(...checked.problems);
    events += page.length;
    after = page[page.length - 1]!.globalPosition;
  }
  return report(heads.size, events, sealCount, problems);
}
