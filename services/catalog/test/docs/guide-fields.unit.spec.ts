import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GUIDE_ELEMENTS, MATERIAL_FIELDS } from '../../src/domain/lint/elements.ts';
import { renderGuideFieldTable } from '../../src/domain/guide/field-table.ts';

describe('docs/guide-fields.md', () => {
  it('is what the schema renders (run `pnpm --filter @govsvc/catalog docs:fields` after changing the schema)', async () => {
    const onDisk = await readFile(new URL('../../../../docs/guide-fields.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderGuideFieldTable());
  });

  it('R-CAT-3 / R-CAT-5: lists every guide element and material field with its Chinese label', () => {
    const table = renderGuideFieldTable();
    for (const e of GUIDE_ELEMENTS) expect(table).toContain(`| \`${e.path.slice(1).replaceAll('/', '.')}\` |`);
    for (const f of MATERIAL_FIELDS) expect(table).toMatch(new RegExp(`\\| \`materials\\[\\]\\.${f.key}\` \\| \\p{Script=Han}`, 'u'));
  });
});
