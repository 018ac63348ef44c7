import { randomBytes } from 'node:crypto';

/** A short lowercase name unique to this run: `<label>_<pid>_<random>`, safe for schemas, topics, keys. */
export function uniqueName(label: string): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 30) || 't';
  return `${clean}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
