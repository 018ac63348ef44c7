/**
 * The registry of published integration events: (type, version) → schema,
 * topic and key extractor, plus parsing with precise errors and upcasting of
 * old versions to the current one.
 */
import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import type { IntegrationEventDefinition } from './define.ts';
import { catalogEvents } from './events/catalog.ts';
import { courierEvents } from './events/courier.ts';
import { deliveryEvents } from './events/delivery.ts';
import { evaluationEvents } from './events/evaluation.ts';
import { intakeEvents } from './events/intake.ts';
import { reviewEvents } from './events/review.ts';
import { supervisionEvents } from './events/supervision.ts';
import { reviewSupervisedEvents } from './events/review-supervised.ts';
import { catalogProofEvents } from './events/catalog-proofs.ts';
import { evaluationComplaintEvents } from './events/evaluation-complaints.ts';
import { supervisionCommands } from './events/supervision-commands.ts';
import { intakeDeliveryPreferenceEvents } from './events/intake-delivery-preferences.ts';
import { deliveryHandoverEvents } from './events/delivery-handover.ts';
import { courierMaterialsEvents } from './events/courier-materials.ts';
import { reviewCollaborationAndNoticeEvents } from './events/review-collaboration-and-notices.ts';
import { intakeSuspensionEvents } from './events/intake-suspensions.ts';
import { evaluationRectificationEvents } from './events/evaluation-rectification.ts';
import { catalogGuidePublishedV2Events } from './events/catalog-guide-published-v2.ts';
import { upcasters } from './upcasters.ts';
import { compileCheck } from '@govsvc/schema-check/compiled-check';
import { compileOrderedCopy } from '@govsvc/schema-check/ordered-copy';

export const integrationEventDefinitions = [
  ...catalogEvents,
  ...intakeEvents,
  ...reviewEvents,
  ...deliveryEvents,
  ...courierEvents,
  ...evaluationEvents,
  ...supervisionEvents,
  ...reviewSupervisedEvents,
  ...catalogProofEvents,
  ...evaluationComplaintEvents,
  ...supervisionCommands,
  ...intakeDeliveryPreferenceEvents,
  ...deliveryHandoverEvents,
  ...courierMaterialsEvents,
  ...intakeSuspensionEvents,
  ...reviewCollaborationAndNoticeEvents,
  ...evaluationRectificationEvents,
  ...catalogGuidePublishedV2Events,
] as const;

type Definitions = (typeof integrationEventDefinitions)[number];
export type IntegrationEventTypeName = Definitions['type'];
export type DefinitionOf<T extends IntegrationEventTypeName> = Extract<Definitions, { type: T }>;
export type DataOf<T extends IntegrationEventTypeName> = z.output<DefinitionOf<T>['schema']>;

/** Any published event, any version: what a parse of a stored or received payload yields. */
export type IntegrationEvent = { [T in IntegrationEventTypeName]: { readonly type: T; readonly data: DataOf<T> } }[IntegrationEventTypeName];

/** Types that an upcaster lifts to a newer version: producers no longer write them. */
export type SupersededTypeName = keyof typeof upcasters & IntegrationEventTypeName;
export type CurrentTypeName = Exclude<IntegrationEventTypeName, SupersededTypeName>;
/** What readers get: every event at the current version of its family. */
export type CurrentIntegrationEvent = Extract<IntegrationEvent, { type: CurrentTypeName }>;

const byType = new Map<string, IntegrationEventDefinition>(
  integrationEventDefinitions.map((d) => [d.type, d as unknown as IntegrationEventDefinition]),
);

export function definitionOf(type: string): IntegrationEventDefinition | undefined {
  return byType.get(type);
}

/** The definition of one version of an event family: (`intake.case-accepted`, 1) → `intake.case-accepted.v1`. */
export function definitionFor(family: string, version: number): IntegrationEventDefinition | undefined {
  return byType.get(`${family}.v${version}`);
}

/** Every topic some event travels on, sorted. */
export function integrationTopics(): string[] {
  return [...new Set(integrationEventDefinitions.map((d) => d.topic))].sort();
}

/** RFC 6901 pointer from a zod path, under `prefix` (e.g. `/data`). */
export function pointer(path: readonly PropertyKey[], prefix = ''): string {
  const escaped = path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1'));
  return `${prefix}${escaped.map((p) => `/${p}`).join('')}` || '/';
}

export function issuesOf(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({ path: pointer(issue.path, prefix), reason: issue.message }));
}

/**
 * Parses `data` as the given type. Throws ValidationError listing every
 * problem with its path (under `pathPrefix`), or naming `/type` when the type
 * is not published.
 */
export function parseIntegrationEvent<T extends IntegrationEventTypeName>(type: T, data: unknown, pathPrefix?: string): { readonly type: T; readonly data: DataOf<T> };
export function parseIntegrationEvent(type: string, data: unknown, pathPrefix?: string): IntegrationEvent;
export function parseIntegrationEvent(type: string, data: unknown, pathPrefix = ''): IntegrationEvent {
  const definition = byType.get(type);
  if (!definition) {
    throw new ValidationError(`unknown integration event type ${JSON.stringify(type)}`, [
      { path: '/type', reason: `not a published integration event type: ${type}` },
    ]);
  }
  const result = definition.schema.safeParse(data);
  if (!result.success) {
    const issues = issuesOf(result.error, pathPrefix);
    throw new ValidationError(`${type}: ${issues.length} invalid field(s): ${issues.map((i) => `${i.path} ${i.reason}`).join('; ')}`, issues, { type });
  }
  return { type, data: result.data } as IntegrationEvent;
}

// Compiled on first use per type and ordering; null = the schema is always parsed by zod.
const compiledChecks = [new Map<string, ((value: unknown) => boolean) | null>(), new Map<string, ((value: unknown) => boolean) | null>()] as const;
function compiledCheckOf(definition: IntegrationEventDefinition, ordered: boolean): ((value: unknown) => boolean) | null {
  const checks = compiledChecks[ordered ? 1 : 0];
  let check = checks.get(definition.type);
  if (check === undefined) {
    check = compileCheck(definition.schema, { ordered });
    checks.set(definition.type, check);
  }
  return check;
}

/**
 * True when the check compiled from the type's schema accepts `data` as zod would return it
 * (ADR 0005). `ordered`: with every object's keys in the schema's order too, so that its JSON is
 * byte for byte the JSON of zod's output.
 */
export function passesCompiledCheck(type: string, data: unknown, options: { readonly ordered?: boolean } = {}): boolean {
  const definition = byType.get(type);
  return definition !== undefined && compiledCheckOf(definition, options.ordered ?? false)?.(data) === true;
}

const orderedCopies = new Map<string, ((value: unknown) => unknown) | null>();

/**
 * The event as zod would return it when the compiled check accepts its data with keys in another
 * order than the schema's (data read back from jsonb): a copy in the schema's order, made without
 * zod (`compileOrderedCopy`). Null when the check does not accept the data: then zod decides.
 */
export function inSchemaOrder(type: string, data: unknown): IntegrationEvent | null {
  const definition = byType.get(type);
  if (!definition || compiledCheckOf(definition, false)?.(data) !== true) return null;
  let copy = orderedCopies.get(type);
  if (copy === undefined) {
    copy = compileOrderedCopy(definition.schema);
    orderedCopies.set(type, copy);
  }
  return copy ? ({ type, data: copy(data) } as IntegrationEvent) : null;
}

/**
 * `parseIntegrationEvent` for data that the caller owns alone, e.g. just parsed from a record's
 * bytes (ADR 0005): a check compiled from the schema accepts it as it is, without zod building a
 * copy; anything the check does not certainly accept is parsed by zod, which decides and names
 * the issues. Never pass data someone else may still change: it is returned, not copied.
 */
export function parseOwnedIntegrationEvent(type: string, data: unknown, pathPrefix = ''): IntegrationEvent {
  const definition = byType.get(type);
  const check = definition ? compiledCheckOf(definition, false) : null;
  if (check?.(data)) return { type, data } as IntegrationEvent;
  return parseIntegrationEvent(type, data, pathPrefix);
}

/** Bytes or text of a record's value → JSON → validated data (`parseOwnedIntegrationEvent`). */
export function parseIntegrationEventJson(type: string, json: string | Buffer, pathPrefix = ''): IntegrationEvent {
  return parseOwnedIntegrationEvent(type, JSON.parse(typeof json === 'string' ? json : json.toString('utf8')), pathPrefix);
}

/** Lifts an event to the current version of its family, step by step, re-validating after each step. */
export function upcastToCurrent(event: IntegrationEvent): CurrentIntegrationEvent {
  let current: IntegrationEvent = event;
  for (;;) {
    const step = (upcasters as Record<string, { readonly to: IntegrationEventTypeName; upcast(data: never): unknown }>)[current.type];
    if (!step) return current as CurrentIntegrationEvent;
    // Parse the upcaster's output: a faulty upcaster must fail here, never in a consumer's handler.
    current = parseIntegrationEvent(step.to, step.upcast(current.data as never)) as IntegrationEvent;
  }
}

/** Parse then upcast: what a reader of stored or received payloads calls. */
export function readIntegrationEvent(type: string, data: unknown, pathPrefix?: string): CurrentIntegrationEvent {
  return upcastToCurrent(parseIntegrationEvent(type, data, pathPrefix));
}

/** The current version's type of a family (`intake.case-accepted` → `intake.case-accepted.v2`). */
export function currentTypeOf(family: string): CurrentTypeName | undefined {
  let best: IntegrationEventDefinition | undefined;
  for (const definition of byType.values()) {
    if (definition.family === family && (!best || definition.version > best.version)) best = definition;
  }
  return best?.type as CurrentTypeName | undefined;
}
