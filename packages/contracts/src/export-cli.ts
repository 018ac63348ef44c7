/**
 * `pnpm contracts:export`: writes docs/events/ from the contracts, removing
 * files no event produces any more (a renamed event must not leave a stale schema).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportFiles } from './export.ts';
import { contractsVersion, eventsDocsDir } from './export-paths.ts';

const files = exportFiles(await contractsVersion());

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : Promise.resolve([`${prefix}${e.name}`]))),
  );
  return nested.flat();
}

for (const stale of (await listFiles(eventsDocsDir)).filter((f) => !files.has(f))) {
  await rm(path.join(eventsDocsDir, stale));
  console.log(`removed ${stale}`);
}
for (const [file, content] of files) {
  await mkdir(path.dirname(path.join(eventsDocsDir, file)), { recursive: true });
  await writeFile(path.join(eventsDocsDir, file), content);
}
console.log(`wrote ${files.size} files to ${eventsDocsDir}`);
