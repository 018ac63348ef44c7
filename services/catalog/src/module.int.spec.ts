/**
 * The catalog on the real PostgreSQL event store (own schema per run): the
 * fixture catalog published, a restarted process rebuilding its read models
 * from the store, repeated fixture loading writing nothing, racing versions,
 * and a refused guide leaving no row behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '@govsvc/errors/errors';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { createHarness, fixtureGuide, type Harness } from './test-harness.ts';
import { publishFixtureCatalog } from './app/fixture-catalog.ts';
import { publishGuideToStore } from './app/local-publish.ts';

const CTX = { actor: { id: 'int-test', role: 'system' }, correlationId: 'catalog-int' };

/**
 * The store, except that the first two appends to a stream with `prefix` wait until two reads
 * of such streams have happened: the two racing commands have both read before either writes.
 */
function bothReadBeforeEitherAppends(inner: EventStore, prefix: string): EventStore {
  let reads = 0;
  let appends = 0;
  let release: () => void = () => undefined;
  const bothRead = new Promise<void>((resolve) => {
    release = resolve;
  });
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'readStream') {
        return async (...args: Parameters<EventStore['readStream']>) => {
          const events = await target.readStream(...args);
          if (args[0].startsWith(prefix) && ++reads === 2) release();
          return events;
        };
      }
      if (property === 'appendToStream') {
        return async (...args: Parameters<EventStore['appendToStream']>) => {
          if (args[0].startsWith(prefix) && appends++ < 2) await bothRead;
          return target.appendToStream(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let schema: IsolatedSchema;
let store: EventStore;

beforeAll(async () => {
  schema = await createIsolatedSchema('catalog');
  store = await createPostgresEventStore({ connectionString: schema.connectionString, pollIntervalMs: 50 });
});

afterAll(async () => {
  await store?.close();
  await schema?.drop();
});

describe('catalog on PostgreSQL', () => {
  let first: Harness | undefined;

  it('publishes the fixture catalog and serves it', async () => {
    first = await createHarness({ store });
    const result = await publishFixtureCatalog(first.module.commands, first.fixtures, CTX);
    expect(result.published).toHaveLength(first.fixtures.guides.length);
    await first.module.caughtUp();
    const list = await first.app.inject({ method: 'GET', url: '/catalog/guides?limit=200' });
    expect(list.json().total).toBe(first.fixtures.guides.length);
    await first.close();
  });

  it('a restarted process rebuilds its read models from the store, and loading the same fixtures again writes nothing', async () => {
    const second = await createHarness({ store, start: '2025-04-01T09:00:00+08:00' });
    try {
      expect(second.module.guides.list()).toHaveLength(second.fixtures.guides.length);
      expect(second.module.proofs.catalog().get('BJZM-0107')?.status).toBe('retained');
      const head = await store.headPosition();
      const again = await publishFixtureCatalog(second.module.commands, second.fixtures, CTX);
      expect(again.published).toEqual([]);
      expect(again.proofsCatalogued).toBe(0);
      expect(await store.headPosition()).toBe(head);
    } finally {
      await second.close();
    }
  });

  it('R-CAT-14: two administrators publishing different next versions at once: one wins, the other must re-read', async () => {
    // The interleaving forced: both commands read the guide's stream (version 1 in force) before
    // either appends; both decide "version 2" and append expecting the revision they read.
    // PostgreSQL lets exactly one append through; the other gets ConcurrencyError (HTTP 412).
    const h = await createHarness({ store: bothReadBeforeEitherAppends(store, 'guide-'), start: '2025-05-01T09:00:00+08:00' });
    try {
      const base = fixtureGuide(h, 'road-freight-licence.yaml');
      const results = await Promise.allSettled([
        h.module.commands.publishGuideDocument({ ...base, hours: '法定工作日 8:30-17:00' }, { reason: '调整办理时间（甲）' }, CTX),
        h.module.commands.publishGuideDocument({ ...base, hours: '法定工作日 9:00-17:30' }, { reason: '调整办理时间（乙）' }, CTX),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(ConcurrencyError);
      await h.module.caughtUp();
      const history = h.module.guides.history(base.implementationCode);
      expect(history.map((v) => [v.version, v.status])).toEqual([
        [1, 'superseded'],
        [2, 'in-force'],
      ]);
    } finally {
      await h.close();
    }
  });

  it('publishes straight into the store (govsvc guide publish --database-url), seen by a running catalog', async () => {
    const h = await createHarness({ store, start: '2025-05-03T09:00:00+08:00' });
    try {
      const content = { ...fixtureGuide(h, 'birth-medical-certificate.yaml'), hours: '法定工作日 8:00-16:30' };
      const result = await publishGuideToStore({ databaseUrl: schema.connectionString, content, change: { reason: '调整签发时间' }, actor: 'ops-1', correlationId: 'cli-1' });
      expect(result).toMatchObject({ version: 2, published: true, supersedes: 1 });
      await h.module.caughtUp();
      expect(h.module.guides.inForce(content.implementationCode)).toMatchObject({ version: 2, content: { hours: '法定工作日 8:00-16:30' } });
      const [event] = await store.readStream(`guide-${content.implementationCode}`, { direction: 'backwards', maxCount: 1 });
      expect(event?.metadata.actor).toEqual({ id: 'ops-1', role: 'admin' });
    } finally {
      await h.close();
    }
  });

  it('a guide refused by its lints leaves nothing in the store', async () => {
    const h = await createHarness({ store, start: '2025-05-02T09:00:00+08:00' });
    try {
      const head = await store.headPosition();
      const content = fixtureGuide(h, 'mortgage-first-registration.yaml');
      const response = await h.app.inject({
        method: 'POST',
        url: '/catalog/admin/guides/publish',
        headers: await h.bearer('admin'),
        payload: { content: { ...content, fee: { charged: true, standard: '每件80元' } }, change: { reason: '收费调整' } },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ rule: 'R-CAT-3', path: '/fee/basis' })]);
      expect(await store.headPosition()).toBe(head);
    } finally {
      await h.close();
    }
  });
});
