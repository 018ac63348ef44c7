/**
 * `govsvc`: the operators' and supervisors' command line. One module per
 * command group under commands/; this file wires them and maps outcomes to
 * exit codes: 0 success, 1 a finding or invalid input, 2 a usage error.
 */
import { Command, CommanderError } from 'commander';
import { isDomainError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { registerCalendarCommands } from './commands/calendar.ts';
import { registerGuideCommands } from './commands/guide.ts';
import { registerIdCommands } from './commands/id.ts';
import { registerSealCommands } from './commands/seal.ts';
import { registerDeadlinesCommand } from './commands/deadlines.ts';
import { registerHistoryCommand } from './commands/history.ts';
import { registerRebuildCommand } from './commands/rebuild.ts';
import { registerStateCommand } from './commands/state.ts';
import { registerVerifyCommand } from './commands/verify.ts';
import { loadConfig, type CliConfig } from './config.ts';
import type { CommandContext, Output } from './context.ts';

export const EXIT_OK = 0;
export const EXIT_FINDING = 1;
export const EXIT_USAGE = 2;

export interface RunOptions {
  readonly io?: Output;
  readonly now?: () => Date;
  readonly config?: CliConfig;
}

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('govsvc')
    .description('govsvc: deadlines, identifiers and (later) guides, history and audit of government-service cases')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .showHelpAfterError('(add --help for usage)');
  registerCalendarCommands(program, ctx);
  registerIdCommands(program, ctx);
  registerSealCommands(program, ctx);
  registerGuideCommands(program, ctx);
  registerHistoryCommand(program, ctx);
  registerStateCommand(program, ctx);
  registerVerifyCommand(program, ctx);
  registerDeadlinesCommand(program, ctx);
  registerRebuildCommand(program, ctx);
  return program;
}

/** Runs the CLI on `argv` (the user's arguments only) and returns the exit code. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const io = options.io ?? stdio;
  let exitCode = EXIT_OK;
  const ctx: CommandContext = {
    io,
    now: options.now ?? (() => new Date()),
    config: options.config ?? loadConfig(),
    setExit: (code) => {
      exitCode = code;
    },
  };
  const asJson = argv.includes('--json');
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help or version).
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (isDomainError(error)) {
      const issues = error instanceof ValidationError ? error.issues : [];
      const rule = error instanceof RuleViolation ? error.rule : undefined;
      if (asJson) {
        io.out(`${JSON.stringify({ error: { code: error.code, message: error.message, ...(rule ? { rule } : {}), issues } }, null, 2)}\n`);
      } else {
        io.err(`error: ${error.message}${rule ? ` [${rule}]` : ''}\n`);
        for (const issue of issues) io.err(`  ${issue.path}: ${issue.reason}${issue.rule ? ` [${issue.rule}]` : ''}\n`);
      }
      return EXIT_FINDING;
    }
    io.err(`govsvc: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FINDING;
  }
}
