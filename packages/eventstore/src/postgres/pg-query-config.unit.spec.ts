/**
 * The local fix to `pg` (patches/pg@8.23.1.patch). Since 8.23, every query copies its config object by
 * its property descriptors (so that normalizing does not mutate the caller's object). That copy cost
 * about 3.4 µs a query and showed at 0.4–1.2 % of each service's CPU in a megacity day; the store passes
 * a fresh object literal per named statement. The patch copies a plain object by a spread and keeps the
 * descriptor copy for everything else.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

interface QueryConfig {
  name?: string;
  text: string;
  values?: unknown[];
  callback?: unknown;
}
const require = createRequire(import.meta.url);
const { normalizeQueryConfig } = require('pg/lib/utils.js') as { normalizeQueryConfig(config: unknown, values?: unknown, callback?: unknown): QueryConfig };

describe('pg query config copy (patched)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('copies a plain config object without copying descriptors, and leaves the caller’s object as it was', () => {
    const config = { name: 'govsvc_read_stream', text: 'SELECT 1', values: [1] };
    const defineProperties = vi.spyOn(Object, 'defineProperties');
    const normalized = normalizeQueryConfig(config, [2]);
    const descriptorCopies = defineProperties.mock.calls.length;
    defineProperties.mockRestore(); // before expect(), which defines properties of its own
    expect(descriptorCopies).toBe(0);
    expect(normalized).toEqual({ name: 'govsvc_read_stream', text: 'SELECT 1', values: [2] });
    expect(normalized).not.toBe(config);
    expect(config.values).toEqual([1]);
  });

  it('still copies anything else by its descriptors: a class with a getter keeps its prototype, a hidden property survives', () => {
    class Statement {
      name = 'x';
      get text() {
        return 'SELECT 2';
      }
    }
    const fromClass = normalizeQueryConfig(new Statement());
    expect(Object.getPrototypeOf(fromClass)).toBe(Statement.prototype);
    expect(fromClass.text).toBe('SELECT 2');
    const hidden = { name: 'y' };
    Object.defineProperty(hidden, 'text', { value: 'SELECT 3', enumerable: false });
    expect(normalizeQueryConfig(hidden).text).toBe('SELECT 3');
  });
});
