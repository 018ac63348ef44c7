/**
 * Consumes other services' published contracts and turns them into deadline
 * commands through the trigger table. Every append is seeded by the
 * message's CloudEvents id, so a redelivered message changes nothing.
 */
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { decodeIntegrationEvent, type DecodedIntegrationEvent, type ReceivedRecord } from '@govsvc/contracts/envelope';
import type { DataOf } from '@govsvc/contracts/registry';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import { deterministicEventIds } from '@govsvc/eventstore/event-ids';
import type { EventStore } from '@govsvc/eventstore/port';
import { sharedFoldCache } from '@govsvc/eventstore/stream-fold-cache';
import {
  caseFileDecider,
  caseFileStream,
  guideFileDecider,
  guideFileStream,
  trackedOfKind,
  type CaseContext,
  type GuideFacts,
} from '../domain/case-file.ts';
import type { DeadlineCommand } from '../domain/deadline-decider.ts';
import type { Owner } from '../domain/deadline-events.ts';
import { deadlineIdOf, type DeadlineKind, type WarningPolicy } from '../domain/kinds.ts';
import { planOf, type Effect } from '../domain/triggers.ts';
import { SYSTEM_ACTOR, caseFileCodec, guideFileCodec } from './codecs.ts';
import { executeDeadline, indexState } from './deadlines.ts';
import type { DeadlineIndex } from './deadline-index.ts';

export interface ContractConsumerDeps {
  readonly store: EventStore;
  readonly index: DeadlineIndex;
  readonly calendar: () => WorkingCalendar;
  readonly warning: WarningPolicy;
}

// Every contract reads its case file and guide file before it decides: both are read from where this
// process last saw them (stream-fold-cache.ts), not folded from their first event each time.
const caseFiles = (store: EventStore) => sharedFoldCache(store, caseFileDecider, caseFileCodec);
const guideFiles = (store: EventStore) => sharedFoldCache(store, guideFileDecider, guideFileCodec);

export async function readCaseContext(store: EventStore, caseId: string): Promise<CaseContext> {
  return (await caseFiles(store).load(store, caseFileStream(caseId))).state;
}

async function readGuide(store: EventStore, itemCode: string | null, guideVersion: string | null): Promise<GuideFacts | null> {
  if (itemCode === null || guideVersion === null) return null;
  const files = guideFiles(store);
  const stream = guideFileStream(itemCode);
  const ofVersion = (guides: readonly GuideFacts[]) => guides.find((g) => g.guideVersion === guideVersion);
  // A guide version, once noted, never changes (the guide file's decider notes each version once, the first
  // facts win), so a version this process already holds needs no read: only one it has not seen yet might be
  // in the store since. Every contract used to pay a tail read of its guide file here (issue 8).
  const held = files.kept(stream);
  return (held && ofVersion(held.state)) ?? ofVersion((await files.load(store, stream)).state) ?? null;
}

export function createContractConsumer(deps: ContractConsumerDeps) {
  const { store } = deps;

  const meta = (message: DecodedIntegrationEvent, caseId: string) => ({
    caseId,
    correlationId: message.correlationId,
    causationId: message.id,
    actor: SYSTEM_ACTOR,
  });

  async function handle(message: DecodedIntegrationEvent): Promise<void> {
    // Whatever version of the guide arrives (the registry lifts old ones to the current one), the fields read here are v1's.
    if ((message.type as string).startsWith('catalog.guide-published.')) {
      const g = message.data as unknown as DataOf<'catalog.guide-published.v1'>;
      await handleCommand(
        store,
        guideFileStream(g.itemCode),
        guideFileDecider,
        {
          type: 'NoteGuide',
          facts: {
            itemCode: g.itemCode,
            guideVersion: g.guideVersion,
            itemName: g.itemName,
            itemType: g.itemType,
            implementingBody: g.implementingBody,
            promisedLimitWorkingDays: g.promisedLimitWorkingDays,
            statutoryLimitWorkingDays: g.statutoryLimitWorkingDays,
          },
        },
        { cache: guideFiles(store), eventIds: deterministicEventIds(`${message.id}:guide`), metadata: { correlationId: message.correlationId, causationId: message.id, actor: SYSTEM_ACTOR } },
      );
      return;
    }

    const caseId = (message.data as { caseId?: string; itemCode?: string }).caseId ?? (message.data as { itemCode?: string }).itemCode;
    if (caseId === undefined) return;
    // The case file as read here is what the contract is planned on, and what its own commands on the case file
    // start from (`freshSince`): a patch that adds nothing is then answered without reading the file again.
    const readAt = performance.now();
    let context = await readCaseContext(store, caseId);
    const own = message.data as { itemCode?: string; guideVersion?: string };
    const guide = await readGuide(store, context.itemCode ?? own.itemCode ?? null, context.guideVersion ?? own.guideVersion ?? null);
    const plan = planOf({ type: message.type, data: message.data } as never, { context, guide });
    if (plan === null) return;

    if (Object.keys(plan.context).length > 0) {
      const result = await handleCommand(store, caseFileStream(plan.caseId), caseFileDecider, { type: 'NoteContext', caseId: plan.caseId, patch: plan.context, cause: message.type }, {
        cache: caseFiles(store),
        freshSince: readAt,
        eventIds: deterministicEventIds(`${message.id}:context`),
        metadata: meta(message, plan.caseId),
      });
      context = result.state;
    }

    // The case file learns every deadline this contract opens in one append, before any is opened, so a
    // crash in between leaves each tracked (and the redelivery opens it) rather than an open one untracked.
    const opened = plan.effects.flatMap((effect) => (effect.effect === 'open' ? [{ deadlineId: deadlineIdOf(plan.caseId, effect.kind, effect.step), kind: effect.kind, step: effect.step }] : []));
    if (opened.length > 0) {
      await handleCommand(store, caseFileStream(plan.caseId), caseFileDecider, { type: 'TrackDeadlines', caseId: plan.caseId, deadlines: opened }, {
        cache: caseFiles(store),
        freshSince: readAt,
        eventIds: deterministicEventIds(`${message.id}:track`),
        metadata: meta(message, plan.caseId),
      });
    }

    const calendar = deps.calendar();
    const work = plan.effects.flatMap((effect, i) =>
      commandsOf(effect, plan.caseId, context, calendar, message).map(({ deadlineId, command }) => ({ deadlineId, command, seed: `${message.id}:${i}:${deadlineId}` })),
    );
    const execute = async ({ deadlineId, command, seed }: (typeof work)[number]) => {
      const result = await executeDeadline(store, deadlineId, command, { seed, correlationId: message.correlationId, causationId: message.id, guideVersion: context.guideVersion });
      await indexState(deps.index, result.state, result.revision);
    };
    if (new Set(work.map((w) => w.deadlineId)).size === work.length) {
      // Each on its own deadline stream: issued together, the store's group commit writes them in one
      // transaction instead of one commit after another (an acceptance closes two and opens two or three).
      // Every one settles before a failure is thrown, so the redelivery never runs beside them.
      const settled = await Promise.allSettled(work.map(execute));
      for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
    } else {
      // Two commands for one deadline: in the contract's order.
      for (const item of work) await execute(item);
    }
    // The scheduler hears of each deadline from the index it writes (module.ts), with when it fires next.
  }

  /** The deadline commands of one effect (an open's deadline is already tracked in the case file). */
  function commandsOf(effect: Effect, caseId: string, context: CaseContext, calendar: WorkingCalendar, message: DecodedIntegrationEvent): { deadlineId: string; command: DeadlineCommand }[] {
    const targets = (kinds: readonly DeadlineKind[], step?: string, stepPrefix?: string) =>
      kinds.flatMap((kind) =>
        step !== undefined
          ? [deadlineIdOf(caseId, kind, step)]
          : trackedOfKind(context, kind)
              .filter((d) => stepPrefix === undefined || d.step === stepPrefix || d.step.startsWith(`${stepPrefix}.`))
              .map((d) => d.deadlineId),
      );

    switch (effect.effect) {
      case 'open': {
        const deadlineId = deadlineIdOf(caseId, effect.kind, effect.step);
        const owner: Owner = {
          department: effect.department ?? context.department,
          centre: context.centre,
          itemCode: context.itemCode,
          itemName: context.itemName,
          guideVersion: context.guideVersion,
        };
        const command: DeadlineCommand = {
          type: 'OpenDeadline',
          deadlineId,
          caseId,
          kind: effect.kind,
          step: effect.step,
          openedAt: effect.openedAt,
          start: effect.start,
          ...(effect.amount !== undefined ? { amount: effect.amount } : {}),
          ...(effect.statedDue !== undefined ? { statedDue: effect.statedDue } : {}),
          owner,
          cause: message.type,
          calendar,
          warning: deps.warning,
        };
        return [{ deadlineId, command }];
      }
      case 'close':
        return targets([effect.kind], effect.step, effect.stepPrefix).map((deadlineId) => ({
          deadlineId,
          command: { type: 'CloseDeadline', at: effect.at, resolution: effect.resolution, cause: message.type } as DeadlineCommand,
        }));
      case 'suspend':
        return targets(effect.kinds).map((deadlineId) => ({
          deadlineId,
          command: { type: 'SuspendDeadline', suspensionId: effect.suspensionId, from: effect.from, reason: effect.reason, at: effect.at } as DeadlineCommand,
        }));
      case 'resume':
        return targets(effect.kinds).map((deadlineId) => ({
          deadlineId,
          command: { type: 'ResumeDeadline', suspensionId: effect.suspensionId, until: effect.until, at: effect.at, calendar } as DeadlineCommand,
        }));
      case 'extend':
        return targets(effect.kinds).map((deadlineId) => ({
          deadlineId,
          command: {
            type: 'ExtendDeadline',
            extensionId: effect.extensionId,
            units: effect.units,
            reason: effect.reason,
            approvedBy: effect.approvedBy,
            at: effect.at,
            calendar,
          } as DeadlineCommand,
        }));
    }
  }

  return {
    handle,
    /** Decodes a bus record (envelope and schema checked) and handles it. */
    async handleRecord(record: ReceivedRecord): Promise<void> {
      await handle(decodeIntegrationEvent(record));
    },
  };
}

export type ContractConsumer = ReturnType<typeof createContractConsumer>;
