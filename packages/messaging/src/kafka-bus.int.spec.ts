import { uniqueGroupId, uniqueTopic } from '@govsvc/testkit/kafka';
import { describeBusContract } from './bus-contract.ts';
import { createTestKafkaBus } from './kafka-test-bus.ts';

describeBusContract('Kafka (real broker)', async () => {
  const bus = await createTestKafkaBus('bus-contract');
  return {
    bus,
    topic: uniqueTopic,
    group: uniqueGroupId,
    settleTimeoutMs: 20_000,
    dispose: () => bus.close(),
  };
});
