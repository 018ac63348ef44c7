/**
 * `govsvc verify <caseId>` / `govsvc verify --all`: the hash chains of the
 * case's streams (or the whole store) and every sealed document's signature.
 * Exit 0 when everything holds, 1 naming the first broken link.
 */
import type { Command } from 'commander';
import { ValidationError } from '@govsvc/errors/errors';
import { emit, type CommandContext } from '../context.ts';
import { callSupervision, withService, type ServiceOptions } from './history.ts';

interface Report {
  valid: boolean;
  streams: number;
  events: number;
  seals: number;
  firstBroken: { stream: string; revision: string; globalPosition: string; type: string; problem: string; detail: string } | null;
  problems: unknown[];
}

export function formatReport(scope: string, r: Report): string {
  const head = `${scope}: ${r.streams} streams, ${r.events} events, ${r.seals} sealed documents`;
  if (r.valid) return `${head}\nOK: every hash chain and seal holds`;
  const b = r.firstBroken!;
  return `${head}\nBROKEN (${r.problems.length} problem(s)); first: ${b.stream}@${b.revision} (position ${b.globalPosition}, ${b.type}): ${b.problem}\n  ${b.detail}`;
}

export function registerVerifyCommand(program: Command, ctx: CommandContext): void {
  withService(
    program
      .command('verify')
      .description('check hash chains and document seals of a case (or --all) and name the first broken link')
      .argument('[caseId]')
      .option('--all', 'verify the whole event store'),
  ).action(async (caseId: string | undefined, options: ServiceOptions & { all?: boolean }) => {
    if ((caseId === undefined) === (options.all !== true)) {
      throw new ValidationError('name a case or pass --all', [{ path: caseId === undefined ? '<caseId>' : '--all', reason: 'exactly one of <caseId> and --all' }]);
    }
    const path = caseId ? `supervision/cases/${encodeURIComponent(caseId)}/verify` : 'supervision/verify';
    const report = (await callSupervision(options, 'GET', path)) as unknown as Report;
    ctx.setExit(emit(ctx, { exitCode: report.valid ? 0 : 1, json: report, text: formatReport(caseId ? `办件 ${caseId}` : 'event store', report) }, options.json === true));
  });
}
