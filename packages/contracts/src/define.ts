/**
 * How one integration event is declared: its type (`<producer>.<name>.v<N>`),
 * its zod schema, the topic it travels on, the field that is its Kafka key and
 * CloudEvents subject, and the requirements it serves. The registry, the
 * envelope and the AsyncAPI export all read these declarations, so a new event
 * or version is one declaration plus one line in the registry.
 */
import type { z } from 'zod';
import { topicOf, type Producer } from './topics.ts';

export type IntegrationEventType = `${Producer}.${string}.v${number}`;

export interface IntegrationEventDefinition<
  Type extends IntegrationEventType = IntegrationEventType,
  Schema extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
> {
  /** `intake.case-accepted.v1`: the CloudEvents `type`. */
  readonly type: Type;
  /** `intake.case-accepted`: the event across its versions. */
  readonly family: string;
  readonly version: number;
  readonly producer: Producer;
  readonly topic: string;
  readonly schema: Schema;
  /** CloudEvents `dataschema`; also the `$id` of the exported JSON Schema. */
  readonly dataschema: string;
  /** The data field that is the Kafka key and the CloudEvents subject. */
  readonly keyField: string;
  readonly summary: string;
  /** R-IDs from REQUIREMENTS.md this event serves. */
  readonly requirements: readonly string[];
  /** Extracts the Kafka key / CloudEvents subject from (parsed) data. */
  keyOf(data: z.output<Schema>): string;
}

const typePattern = /^([a-z]+)\.([a-z][a-z0-9-]*)\.v([1-9][0-9]*)$/;

export const dataschemaFor = (type: string): string => `urn:govsvc:events:${type}`;

/** Keys of the schema's output whose values are strings: the candidates for the Kafka key. */
type StringKeys<T> = { [K in keyof T]-?: T[K] extends string ? K : never }[keyof T] & string;

export function defineIntegrationEvent<
  const Type extends IntegrationEventType,
  Schema extends z.ZodType<Record<string, unknown>>,
>(declaration: {
  type: Type;
  schema: Schema;
  keyField: StringKeys<z.output<Schema>>;
  summary: string;
  requirements: readonly string[];
}): IntegrationEventDefinition<Type, Schema> {
  const match = typePattern.exec(declaration.type);
  if (!match) throw new Error(`integration event type ${declaration.type} is not <producer>.<name>.v<N>`);
  const [, producer, name, version] = match as unknown as [string, Producer, string, string];
  const keyField = declaration.keyField;
  return {
    type: declaration.type,
    family: `${producer}.${name}`,
    version: Number(version),
    producer,
    topic: topicOf(producer),
    schema: declaration.schema,
    dataschema: dataschemaFor(declaration.type),
    keyField,
    summary: declaration.summary,
    requirements: declaration.requirements,
    keyOf: (data) => (data as Record<string, string>)[keyField] as string,
  };
}
