import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import specs from '@asyncapi/specs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { examples } from './examples.ts';
import { asyncApiDocument, exportFiles, jsonSchemaOf, schemaFileOf } from './export.ts';
import { contractsVersion, eventsDocsDir } from './export-paths.ts';
import { integrationEventDefinitions } from './registry.ts';

async function committedFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? committedFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])));
  return nested.flat().sort();
}

const newAjv = () => {
  // The AsyncAPI meta-schema is draft-07 and carries its own format names; validateSchema off, as the AsyncAPI parser does.
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  addFormats.default(ajv);
  return ajv;
};

describe('docs/events export (what department back-ends read)', () => {
  it('the committed docs/events/ is exactly what `pnpm contracts:export` generates now', async () => {
    const generated = exportFiles(await contractsVersion());
    expect(await committedFiles(eventsDocsDir), 'file list differs: run `pnpm contracts:export`').toEqual([...generated.keys()].sort());
    for (const [file, content] of generated) {
      expect(await readFile(path.join(eventsDocsDir, file), 'utf8'), `${file} is stale: run \`pnpm contracts:export\``).toBe(content);
    }
  });

  it('the AsyncAPI document is valid AsyncAPI 3.0.0 (bindings included)', () => {
    const validate = newAjv().compile(specs.schemasWithoutId['3.0.0']);
    const document = asyncApiDocument('0.0.0-test');
    expect(validate(document), JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
  });

  it('has one channel per topic carrying every version of its events, with the key binding', () => {
    const document = asyncApiDocument('0.0.0-test') as {
      channels: Record<string, { messages: Record<string, unknown> }>;
      components: { messages: Record<string, { bindings: { kafka: { key: { description: string } } }; headers: { properties: Record<string, { const?: string }> } }> };
    };
    for (const definition of integrationEventDefinitions) {
      expect(document.channels[definition.topic]?.messages).toHaveProperty([definition.type]);
      const message = document.components.messages[definition.type]!;
      expect(message.bindings.kafka.key.description).toContain(`data.${definition.keyField}`);
      expect(message.headers.properties['ce_type']?.const).toBe(definition.type);
      expect(message.headers.properties['ce_dataschema']?.const).toBe(definition.dataschema);
    }
    expect(document.channels).toHaveProperty(['govsvc.intake.events.v1.dlq']);
  });

  describe('the exported JSON Schemas agree with the zod schemas', () => {
    const ajv = newAjv();
    it.each(integrationEventDefinitions.map((d) => [d.type, d] as const))('%s: accepts the example, refuses it without a required field', (type, definition) => {
      const schema = jsonSchemaOf(definition);
      expect(schema.$id).toBe(definition.dataschema);
      expect(schemaFileOf(type)).toBe(`schemas/${type}.json`);
      const validate = ajv.compile(schema);
      const example = examples[type] as Record<string, unknown>;
      expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
      const { [definition.keyField]: _key, ...withoutKey } = example;
      expect(validate(withoutKey)).toBe(false);
      expect(definition.schema.safeParse(withoutKey).success).toBe(false);
    });
  });
});
