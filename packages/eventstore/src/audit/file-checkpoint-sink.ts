/**
 * Checkpoints as an append-only JSON Lines file, one signed checkpoint per
 * line, fsynced before `write` resolves. Put it on a volume the database's
 * operators do not control (or ship it on). A torn last line (a crash
 * mid-write) is ignored; a bad line anywhere else means the file was edited,
 * and reading it fails loudly.
 */
import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ValidationError } from '@govsvc/errors/errors';
import type { AuditCheckpoint } from './audit-checkpoint.ts';
import type { CheckpointSink } from './checkpoint-sink.ts';

export interface FileCheckpointSink extends CheckpointSink {
  /** Every checkpoint in the file, oldest first, as parsed JSON (verify before trusting). */
  readAll(): Promise<unknown[]>;
}

export function createFileCheckpointSink(path: string): FileCheckpointSink {
  const readAll = async (): Promise<unknown[]> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const lines = text.split('\n');
    const complete = text.endsWith('\n');
    const records: unknown[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const isTornTail = i === lines.length - 1 && !complete;
      try {
        records.push(JSON.parse(line));
      } catch {
        if (isTornTail) return;
        throw new ValidationError(`audit checkpoint file ${path}: line ${i + 1} is not JSON (the file was edited or damaged)`, [
          { path: `/lines/${i + 1}`, reason: 'not JSON' },
        ]);
      }
    });
    return records;
  };

  return {
    readAll,
    async latest() {
      const records = await readAll();
      return records.length > 0 ? records[records.length - 1] : null;
    },
    async write(checkpoint: AuditCheckpoint) {
      await mkdir(dirname(path), { recursive: true });
      // Recover from a torn last write (as a write-ahead log does) so it does not end up mid-file.
      const existing = await readFile(path, 'utf8').catch(() => '');
      if (existing !== '' && !existing.endsWith('\n')) await truncate(path, Buffer.byteLength(existing.slice(0, existing.lastIndexOf('\n') + 1)));
      const file = await open(path, 'a');
      try {
        await file.appendFile(`${JSON.stringify(checkpoint)}\n`, 'utf8');
        await file.datasync();
      } finally {
        await file.close();
      }
    },
  };
}
