/**
 * The CLI's configuration: the only place it reads the environment.
 *
 * - GOVSVC_CALENDAR_DATA_DIR: the calendar data folder (default: the one in @govsvc/calendar).
 * - GOVSVC_ACTOR: who publishes (default: the login name), recorded in CalendarYearPublished.
 * - INIT_CWD: set by pnpm when run as `pnpm govsvc …` from another folder; relative file
 *   arguments are resolved against it, because `pnpm --filter … exec` runs in packages/cli.
 */
import { resolve } from 'node:path';
import { DEFAULT_CALENDAR_DATA_DIR } from '@govsvc/calendar/data-files';

export interface CliConfig {
  readonly calendarDataDir: string;
  readonly actor: string;
  readonly baseDir: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CliConfig {
  const baseDir = env.INIT_CWD && env.INIT_CWD.trim() !== '' ? env.INIT_CWD : cwd;
  return {
    calendarDataDir: env.GOVSVC_CALENDAR_DATA_DIR ? resolve(baseDir, env.GOVSVC_CALENDAR_DATA_DIR) : DEFAULT_CALENDAR_DATA_DIR,
    actor: env.GOVSVC_ACTOR || env.USER || env.LOGNAME || 'unknown',
    baseDir,
  };
}
