/**
 * Generates what department back-ends read (`docs/events/`): a JSON Schema
 * (draft-07, the dialect AsyncAPI's default schema format is built on) per
 * event and version, an AsyncAPI 3 document with one channel per topic, and
 * an index. Pure: returns the files; `export-cli.ts` writes them, and a unit
 * test fails when the committed files differ from what this generates.
 */
import { z } from 'zod';
import type { IntegrationEventDefinition } from './define.ts';
import { deadLetterHeaders, deadLetterReasons } from './dead-letter.ts';
import { contentType, encodeIntegrationEvent } from './envelope.ts';
import { examples } from './examples.ts';
import { integrationEventDefinitions, type IntegrationEvent } from './registry.ts';
import { deadLetterTopicOf, defaultPartitions, producers, sourceOf, topicOf } from './topics.ts';
import { upcasters } from './upcasters.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const definitions = integrationEventDefinitions as unknown as readonly IntegrationEventDefinition[];
const kafkaBindingVersion = '0.5.0';
export const asyncApiVersion = '3.0.0';
export const schemaDialect = 'http://json-schema.org/draft-07/schema#';

export const schemaFileOf = (type: string): string => `schemas/${type}.json`;

const supersededBy = (type: string): string | undefined => (upcasters as Record<string, { to: string }>)[type]?.to;

function describe(definition: IntegrationEventDefinition): string {
  const next = supersededBy(definition.type);
  return [
    definition.summary,
    `Requirements: ${definition.requirements.join(', ')}.`,
    `Kafka topic ${definition.topic}, key = data.${definition.keyField} (also the CloudEvents subject).`,
    next ? `Superseded by ${next}: producers no longer write it; readers upcast stored ${definition.type} payloads to ${next}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** The JSON Schema of one event's data, as published. */
export function jsonSchemaOf(definition: IntegrationEventDefinition): JsonObject {
  const generated = z.toJSONSchema(definition.schema, { target: 'draft-07', io: 'output' }) as JsonObject;
  const { $schema: _dialect, ...body } = generated;
  return {
    $schema: schemaDialect,
    $id: definition.dataschema,
    title: definition.type,
    description: describe(definition),
    ...body,
    examples: [examples[definition.type as keyof typeof examples] as unknown as Json],
  };
}

function headersSchemaOf(definition: IntegrationEventDefinition): JsonObject {
  const text = (description: string): JsonObject => ({ type: 'string', minLength: 1, description });
  return {
    type: 'object',
    description: 'CloudEvents 1.0 attributes in Kafka binary content mode.',
    required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_subject', 'ce_time', 'ce_dataschema', 'content-type', 'ce_correlationid'],
    properties: {
      ce_specversion: { const: '1.0' },
      ce_id: text('Event id, unique per source. Re-published events keep their id: deduplicate on it.'),
      ce_source: { const: sourceOf(definition.producer) },
      ce_type: { const: definition.type },
      ce_subject: text(`Equals data.${definition.keyField} and the Kafka key.`),
      ce_time: { type: 'string', format: 'date-time', description: 'When the fact was recorded.' },
      ce_dataschema: { const: definition.dataschema },
      'content-type': { const: contentType },
      ce_correlationid: text('Correlation id of the business transaction (extension attribute).'),
      ce_causationid: text('Id of the command or event that caused this one (extension attribute), when known.'),
    },
  };
}

function exampleMessage(definition: IntegrationEventDefinition): JsonObject {
  const event = { type: definition.type, data: examples[definition.type as keyof typeof examples] } as IntegrationEvent;
  const record = encodeIntegrationEvent(event, {
    id: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
    time: '2025-03-12T02:00:00.000Z',
    correlationId: 'corr-2f1c',
    causationId: 'cmd-8a41',
  });
  return { name: 'example', headers: { ...record.headers }, payload: JSON.parse(record.value) as Json };
}

function withoutDialect(schema: JsonObject): JsonObject {
  // AsyncAPI schema objects carry no $schema / $id of their own.
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

export function asyncApiDocument(version: string): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};
  const schemas: JsonObject = {};

  for (const producer of producers) {
    const topic = topicOf(producer);
    const own = definitions.filter((d) => d.producer === producer);
    if (own.length === 0) continue;
    const channelMessages: JsonObject = {};
    for (const definition of own) {
      schemas[definition.type] = withoutDialect(jsonSchemaOf(definition));
      messages[definition.type] = {
        name: definition.type,
        title: definition.type,
        summary: definition.summary,
        description: describe(definition),
        contentType,
        headers: headersSchemaOf(definition),
        payload: { $ref: `#/components/schemas/${definition.type}` },
        correlationId: { location: '$message.header#/ce_correlationid' },
        bindings: {
          kafka: {
            key: { type: 'string', description: `data.${definition.keyField}: one case's events share a partition and stay in order.` },
            bindingVersion: kafkaBindingVersion,
          },
        },
        examples: [exampleMessage(definition)],
        ...(supersededBy(definition.type) ? { deprecated: true } : {}),
      } as JsonObject;
      channelMessages[definition.type] = { $ref: `#/components/messages/${definition.type}` };
    }
    channels[topic] = {
      address: topic,
      title: `${producer} events`,
      description: `Every integration event the ${producer} service publishes, keyed by ${own[0]!.keyField}.`,
      messages: channelMessages,
      bindings: {
        kafka: {
          partitions: defaultPartitions,
          topicConfiguration: { 'cleanup.policy': ['delete'] },
          bindingVersion: kafkaBindingVersion,
        },
      },
    };
    const dlq = deadLetterTopicOf(topic);
    channels[dlq] = {
      address: dlq,
      title: `${producer} dead letters`,
      description: `Records from ${topic} a consumer could not handle: the original key, value and headers plus dlq_* headers.`,
      messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
      bindings: { kafka: { partitions: 1, bindingVersion: kafkaBindingVersion } },
    };
    operations[`${producer}.publish`] = {
      action: 'send',
      title: `${producer} publishes its events`,
      channel: { $ref: `#/channels/${topic}` },
      messages: own.filter((d) => !supersededBy(d.type)).map((d) => ({ $ref: `#/channels/${topic}/messages/${d.type}` })),
    };
    operations[`${producer}.deadLetter`] = {
      action: 'send',
      title: `consumers of ${topic} dead-letter what they cannot handle`,
      channel: { $ref: `#/channels/${dlq}` },
      messages: [{ $ref: `#/channels/${dlq}/messages/deadLetter` }],
    };
  }

  messages['deadLetter'] = {
    name: 'deadLetter',
    title: 'Dead letter',
    summary: 'A record a consumer could not handle, with why.',
    headers: {
      type: 'object',
      required: [deadLetterHeaders.reason, deadLetterHeaders.error, deadLetterHeaders.originalTopic, deadLetterHeaders.originalPartition, deadLetterHeaders.originalOffset, deadLetterHeaders.consumerGroup, deadLetterHeaders.failedAt],
      properties: {
        [deadLetterHeaders.reason]: { type: 'string', enum: [...deadLetterReasons] },
        [deadLetterHeaders.error]: { type: 'string' },
        [deadLetterHeaders.issues]: { type: 'string', description: 'JSON array of { path, reason }.' },
        [deadLetterHeaders.originalTopic]: { type: 'string' },
        [deadLetterHeaders.originalPartition]: { type: 'string', pattern: '^[0-9]+$' },
        [deadLetterHeaders.originalOffset]: { type: 'string', pattern: '^[0-9]+$' },
        [deadLetterHeaders.consumerGroup]: { type: 'string' },
        [deadLetterHeaders.attempts]: { type: 'string', pattern: '^[0-9]+$' },
        [deadLetterHeaders.failedAt]: { type: 'string', format: 'date-time' },
      },
      additionalProperties: { type: 'string', description: 'The original record’s headers, unchanged.' },
    },
    payload: { description: 'The original value, byte for byte (it may not be JSON).' },
  };

  return {
    asyncapi: asyncApiVersion,
    info: {
      title: 'govsvc integration events',
      version,
      description:
        'Published, versioned events of the Beijing government-service case platform. Envelope: CloudEvents 1.0, Kafka binary content mode. ' +
        'Data carries no personal data: applicants appear as a masked identifier and an opaque reference. ' +
        'Delivery is at least once: deduplicate on ce_id. Events of one case share a key and stay in order.',
    },
    defaultContentType: contentType,
    channels,
    operations,
    components: { messages, schemas },
  };
}

function markdownIndex(): string {
  const rows = definitions.map(
    (d) =>
      `| \`${d.type}\`${supersededBy(d.type) ? ` (superseded by \`${supersededBy(d.type)}\`)` : ''} | \`${d.topic}\` | \`${d.keyField}\` | ${d.requirements.join(', ')} | [schema](${schemaFileOf(d.type)}) |`,
  );
  return [
    '# Integration events (generated)',
    '',
    'Generated by `pnpm contracts:export` from `packages/contracts`; do not edit by hand (a test fails when this folder is stale).',
    '',
    '- `asyncapi.json`: AsyncAPI 3 document: one channel per topic, messages, CloudEvents headers, Kafka key bindings, examples.',
    '- `schemas/<type>.json`: JSON Schema (draft-07) of each event’s data; its `$id` is the event’s `ce_dataschema`.',
    '',
    'Envelope: CloudEvents 1.0 in Kafka binary content mode (`ce_*` headers, `content-type: application/json`, JSON value).',
    'Key and `ce_subject`: the case id (item code for catalog events). Delivery is at least once: deduplicate on `ce_id`.',
    'Dead letters: `<topic>.dlq`, the original record plus `dlq_*` headers.',
    '',
    '| type | topic | key | requirements | schema |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

const stringify = (value: Json): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of `docs/events/`, path relative to it → content. */
export function exportFiles(version: string): Map<string, string> {
  const files = new Map<string, string>();
  files.set('README.md', markdownIndex());
  files.set('asyncapi.json', stringify(asyncApiDocument(version)));
  for (const definition of definitions) files.set(schemaFileOf(definition.type), stringify(jsonSchemaOf(definition)));
  return files;
}
