/**
 * Intake's own adapters from its configuration, given what a host shares
 * (store, bus, clock, ids, logger, calendar, topic and group names): used by `main.ts` and by the
 * standalone composition, so both wire intake the same way.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { parseContactKeyring } from '@govsvc/contracts/sealed-contact';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import type { Closer } from '@govsvc/service-kit/shutdown';
import { LocalDataSharing } from './app/data-sharing.ts';
import { createRedisSlotCounter } from './app/redis-slot-counter.ts';
import { ed25519SealSigner, generateSealKey } from './app/seal.ts';
import { InMemorySlotCounter, type SlotCounter } from './app/slot-counter.ts';
import type { IntakeConfig } from './config.ts';
import type { IntakeModuleDeps } from './module.ts';

export interface SharedDeps {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly calendar: WorkingCalendar;
  readonly topicFor: (topic: string) => string;
  readonly consumerGroupId: string;
}

export function intakeDepsFromConfig(config: IntakeConfig, shared: SharedDeps): { deps: IntakeModuleDeps; closers: Closer[] } {
  const log = shared.logger;
  const redisCounter = config.REDIS_URL ? createRedisSlotCounter({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }) : undefined;
  const slotCounter: SlotCounter = redisCounter ?? new InMemorySlotCounter(shared.clock);
  const sealKeys = config.INTAKE_SEAL_KEYS ?? config.seals.map((s) => generateSealKey(`dev-${s.sealId}`, s.sealId));
  if (!config.INTAKE_SEAL_KEYS) log.warn({ seals: sealKeys.length }, 'INTAKE_SEAL_KEYS not set: sealing with development keys generated at start');
  const contactKeys = parseContactKeyring(config.APPLICANT_CONTACT_KEYS ?? `dev-${shared.clock.now().getTime()}:${randomBytes(32).toString('base64')}`);
  if (!config.APPLICANT_CONTACT_KEYS) log.warn({}, 'APPLICANT_CONTACT_KEYS not set: contacts are sealed with a key generated at start that delivery cannot open');
  return {
    deps: {
      ...shared,
      centres: config.centres,
      seals: config.seals,
      signer: ed25519SealSigner(sealKeys),
      slotCounter,
      dataSharing: new LocalDataSharing(),
      contactKeys,
      collaborations: config.INTAKE_COLLABORATIONS,
      supplementWorkingDays: config.SUPPLEMENT_WORKING_DAYS,
      relaySubscriptionId: config.INTAKE_RELAY_SUBSCRIPTION,
      caseIndexSubscriptionId: config.INTAKE_CASE_INDEX_SUBSCRIPTION,
      readinessChecks: redisCounter ? [{ name: 'redis', check: () => redisCounter.ping() }] : [],
    },
    closers: [{ name: 'slot-counter', close: () => slotCounter.close() }],
  };
}
