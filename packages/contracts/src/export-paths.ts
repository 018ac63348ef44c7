/** Where the export goes and which version it states; shared by the CLI and the staleness test. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const eventsDocsDir = fileURLToPath(new URL('../../../docs/events/', import.meta.url));

/** The contracts package version: AsyncAPI `info.version`. */
export async function contractsVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
