/**
 * The data folder belongs to one process at a time: PGlite is a single
 * in-process database, and a second process opening the same folder would
 * corrupt it. A pid file claims the folder; a stale one (its process gone,
 * e.g. after a crash) is taken over.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_FILE = 'standalone.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function claimDataDir(dir: string): Promise<{ release(): Promise<void> }> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  try {
    const owner = Number((await readFile(file, 'utf8')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(`the data folder ${dir} is in use by process ${owner}; stop it first, or set GOVSVC_DATA_DIR to another folder`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFile(file, `${process.pid}\n`);
  return {
    async release() {
      await rm(file, { force: true });
    },
  };
}
