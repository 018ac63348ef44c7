/**
 * A service main the way every `services/<name>/src/main.ts` is written, with
 * a module small enough to see everything the host does: it counts messages
 * on its one topic, publishes to it on request (through the producer thread when
 * KAFKA_PRODUCER_THREAD is on) and tells the instant its clock shows.
 */
import { z } from 'zod';
import type { BusSubscription } from '@govsvc/messaging/bus';
import { allow } from '@govsvc/service-kit/auth';
import { loadConfig } from '@govsvc/service-kit/config';
import type { ServiceModule } from '@govsvc/service-kit/module';
import { hostConfigSchema } from '../src/host-config.ts';
import { openHost, serve } from '../src/host.ts';

const config = loadConfig(hostConfigSchema.extend({ SERVICE_NAME: hostConfigSchema.shape.SERVICE_NAME.default('fixture') }));
const host = await openHost('fixture', config);
let seen = 0;
let subscription: BusSubscription | undefined;
const topic = host.topicFor('govsvc.fixture.v1');

const module: ServiceModule = {
  name: 'fixture',
  readinessChecks: [],
  routes: async (app) => {
    app.get('/state', { config: allow('admin'), schema: { response: { 200: z.object({ seen: z.number(), now: z.string() }) } } }, async () => ({ seen, now: host.clock.now().toISOString() }));
    app.post('/published', { config: allow('admin'), schema: { body: z.strictObject({ count: z.number().int().min(1).max(100) }) } }, async (request) => {
      const { count } = request.body as { count: number }; // checked by the schema
      await host.bus.publish(
        topic,
        Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: '{}' })),
      );
      return { published: count, sequences: typeof host.bus.sequence === 'function' };
    });
  },
  async start() {
    await host.bus.ensureTopics([{ topic, partitions: 1 }]);
    subscription = await host.bus.subscribe({ groupId: host.consumerGroup, topics: [topic], fromBeginning: true, handler: async () => void seen++ });
  },
  async stop() {
    await subscription?.stop();
    host.logger.info('fixture module stopped');
  },
};
await serve(host, { module, closers: [{ name: 'fixture-adapter', close: async () => host.logger.info('fixture adapter closed') }] });
