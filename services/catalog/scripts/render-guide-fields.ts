/** Writes docs/guide-fields.md from the guide schema (`pnpm --filter @govsvc/catalog docs:fields`). */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderGuideFieldTable } from '../src/domain/guide/field-table.ts';

const target = fileURLToPath(new URL('../../../docs/guide-fields.md', import.meta.url));
await writeFile(target, renderGuideFieldTable(), 'utf8');
console.log(`wrote ${target}`);
