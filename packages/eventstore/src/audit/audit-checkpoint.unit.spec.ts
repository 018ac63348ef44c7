import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { auditCheckpointSchema, checkCheckpoint, checkpointDigest, generateAuditKeyPair, signCheckpoint } from './audit-checkpoint.ts';
import { createFileCheckpointSink } from './file-checkpoint-sink.ts';

const k1 = generateAuditKeyPair('audit-2026-01');
const k2 = generateAuditKeyPair('audit-2026-07');
const signer1 = { keyId: k1.keyId, privateKey: k1.privateKeyPem };
const signer2 = { keyId: k2.keyId, privateKey: k2.privateKeyPem };
const keyring = { [k1.keyId]: k1.publicKeyPem, [k2.keyId]: k2.publicKeyPem };
const h = (c: string) => c.repeat(64);

const content = (sequence: number, previousDigest: string | null, revision = 3n) => ({
  sequence,
  previousDigest,
  createdAt: new Date('2026-11-26T08:00:00Z'),
  position: 42n,
  streams: new Map([
    ['application-1', { revision, hash: h('a') }],
    ['review-1', { revision: 0n, hash: h('b') }],
  ]),
});

describe('signed audit checkpoints', () => {
  it('signs the stream map and verifies with the public key of its key id', () => {
    const checkpoint = signCheckpoint(content(1, null), signer1);
    expect(auditCheckpointSchema.parse(checkpoint)).toEqual(checkpoint);
    expect(checkpoint).toMatchObject({ sequence: 1, keyId: 'audit-2026-01', position: '42', eventCount: 5 });
    expect(checkpoint.streams['application-1']).toEqual({ revision: '3', hash: h('a') });
    expect(checkCheckpoint(checkpoint, keyring)).toEqual({ ok: true, checkpoint });
    // JSON round trip (what a sink does) keeps it valid.
    expect(checkCheckpoint(JSON.parse(JSON.stringify(checkpoint)), keyring).ok).toBe(true);
  });

  it('refuses a forged signature', () => {
    const checkpoint = signCheckpoint(content(1, null), signer1);
    const forged = { ...checkpoint, signature: Buffer.alloc(64, 7).toString('base64') };
    expect(checkCheckpoint(forged, keyring)).toMatchObject({ ok: false, kind: 'bad-signature' });
    // Signed by a key that is not the one its key id names.
    const impostor = { ...signCheckpoint(content(1, null), { ...signer2, keyId: k1.keyId }) };
    expect(checkCheckpoint(impostor, keyring)).toMatchObject({ ok: false, kind: 'bad-signature' });
  });

  it('refuses a stale signature copied onto a newer body', () => {
    const first = signCheckpoint(content(1, null), signer1);
    const second = signCheckpoint(content(2, checkpointDigest(first), 5n), signer1);
    expect(checkCheckpoint({ ...second, signature: first.signature }, keyring)).toMatchObject({ ok: false, kind: 'bad-signature' });
  });

  it('refuses an edited body or stream map', () => {
    const checkpoint = signCheckpoint(content(1, null), signer1);
    expect(checkCheckpoint({ ...checkpoint, position: '41' }, keyring)).toMatchObject({ ok: false, kind: 'bad-signature' });
    // Shorten a stream in the map (to hide a truncation), keeping the signed digest.
    const streams = { ...checkpoint.streams, 'application-1': { revision: '1', hash: h('c') } };
    expect(checkCheckpoint({ ...checkpoint, streams }, keyring)).toMatchObject({ ok: false, kind: 'bad-signature', message: expect.stringMatching(/digest/) });
  });

  it('refuses an unknown key id', () => {
    const rogue = generateAuditKeyPair('audit-rogue');
    const checkpoint = signCheckpoint(content(1, null), { keyId: rogue.keyId, privateKey: rogue.privateKeyPem });
    expect(checkCheckpoint(checkpoint, keyring)).toMatchObject({ ok: false, kind: 'unknown-key', message: expect.stringContaining('audit-rogue') });
  });

  it('keeps verifying checkpoints of a rotated-out key with its old public key', () => {
    const old = signCheckpoint(content(1, null), signer1);
    const current = signCheckpoint(content(2, checkpointDigest(old)), signer2);
    expect(checkCheckpoint(old, keyring).ok).toBe(true);
    expect(checkCheckpoint(current, keyring).ok).toBe(true);
    // A keyring that dropped the old key cannot vouch for old checkpoints.
    expect(checkCheckpoint(old, { [k2.keyId]: k2.publicKeyPem })).toMatchObject({ ok: false, kind: 'unknown-key' });
  });

  it('refuses a record that does not match the schema', () => {
    const checkpoint = signCheckpoint(content(1, null), signer1);
    expect(checkCheckpoint({ ...checkpoint, sequence: 0 }, keyring)).toMatchObject({ ok: false, kind: 'checkpoint-malformed' });
    expect(checkCheckpoint({ ...checkpoint, extra: 1 }, keyring)).toMatchObject({ ok: false, kind: 'checkpoint-malformed' });
    expect(checkCheckpoint('{}', keyring)).toMatchObject({ ok: false, kind: 'checkpoint-malformed' });
  });
});

describe('file checkpoint sink (append-only JSONL)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govsvc-audit-sink-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one line per checkpoint and returns the latest', async () => {
    const sink = createFileCheckpointSink(join(dir, 'a', 'checkpoints.jsonl'));
    expect(await sink.latest()).toBeNull();
    const first = signCheckpoint(content(1, null), signer1);
    const second = signCheckpoint(content(2, checkpointDigest(first)), signer1);
    await sink.write(first);
    await sink.write(second);
    expect(await sink.readAll()).toEqual([first, second]);
    expect(await sink.latest()).toEqual(second);
    expect((await readFile(join(dir, 'a', 'checkpoints.jsonl'), 'utf8')).split('\n')).toHaveLength(3);
  });

  it('ignores a torn last line and writes after it cleanly', async () => {
    const path = join(dir, 'torn.jsonl');
    const sink = createFileCheckpointSink(path);
    const first = signCheckpoint(content(1, null), signer1);
    await sink.write(first);
    await appendFile(path, '{"format":"govsvc.audit-checkp');
    expect(await sink.latest()).toEqual(first);
    const second = signCheckpoint(content(2, checkpointDigest(first)), signer1);
    await sink.write(second);
    expect(await sink.readAll()).toEqual([first, second]);
  });

  it('fails loudly on a damaged line in the middle', async () => {
    const path = join(dir, 'edited.jsonl');
    const first = signCheckpoint(content(1, null), signer1);
    await writeFile(path, `${JSON.stringify(first)}\nnot json\n${JSON.stringify(first)}\n`);
    await expect(createFileCheckpointSink(path).readAll()).rejects.toBeInstanceOf(ValidationError);
  });
});

