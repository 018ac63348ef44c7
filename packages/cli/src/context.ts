/** What every command gets: where to write, the clock, and the configuration. */
import type { CliConfig } from './config.ts';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface CommandContext {
  readonly io: Output;
  /** The clock enters here, so commands are testable at any date. */
  readonly now: () => Date;
  readonly config: CliConfig;
  /** Records the exit code of the command that ran. */
  readonly setExit: (code: number) => void;
}

/** A command's answer: data for `--json`, text for people, and the exit code. */
export interface CommandResult {
  readonly exitCode: 0 | 1;
  readonly json: unknown;
  readonly text: string;
}

export function emit(ctx: CommandContext, result: CommandResult, asJson: boolean): number {
  ctx.io.out(asJson ? `${JSON.stringify(result.json, null, 2)}\n` : result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  return result.exitCode;
}
