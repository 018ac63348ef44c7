/** `govsvc state <caseId> [--at <instant>]`: the case rebuilt from its events up to an instant (supervision's state-at-time). */
import { Option, type Command } from 'commander';
import { ValidationError } from '@govsvc/errors/errors';
import { emit, type CommandContext } from '../context.ts';
import { callSupervision, withService, type ServiceOptions } from './history.ts';

interface View {
  at: string;
  status: string;
  outcome: string | null;
  guideVersion: string | null;
  eventsApplied: number;
  signatures: { role: string; signer: string; signedAt: string }[];
  deadlines: { label: string; status: string; due: string | null; card: string | null; resolution: string | null }[];
}

export function formatState(caseId: string, v: View): string {
  return [
    `办件 ${caseId} as of ${v.at} (${v.eventsApplied} events)`,
    `  status: ${v.status}${v.outcome ? `, outcome: ${v.outcome}` : ''}${v.guideVersion ? `, guide ${v.guideVersion}` : ''}`,
    `  signatures: ${v.signatures.length === 0 ? 'none' : v.signatures.map((s) => `${s.role} ${s.signer} at ${s.signedAt}`).join('; ')}`,
    '  deadlines:',
    ...v.deadlines.map((d) => `    ${d.label}: ${d.status}${d.due ? `, due ${d.due}` : ''}${d.card ? `, ${d.card}` : ''}${d.resolution ? ` (${d.resolution})` : ''}`),
  ].join('\n');
}

export function registerStateCommand(program: Command, ctx: CommandContext): void {
  withService(
    program
      .command('state')
      .description('the case as it was at an instant, rebuilt from its events')
      .argument('<caseId>')
      .addOption(new Option('--at <instant>', 'ISO-8601 instant with offset (default: now)')),
  ).action(async (caseId: string, options: ServiceOptions & { at?: string }) => {
    const at = options.at ?? ctx.now().toISOString();
    if (Number.isNaN(Date.parse(at)) || !/(Z|[+-]\d{2}:\d{2})$/.test(at)) {
      throw new ValidationError('--at must be an ISO-8601 instant with an offset', [{ path: '--at', reason: `"${at}" is not one (e.g. 2025-03-10T15:00:00+08:00)` }]);
    }
    const body = await callSupervision(options, 'GET', `supervision/cases/${encodeURIComponent(caseId)}/state?at=${encodeURIComponent(at)}`);
    ctx.setExit(emit(ctx, { exitCode: 0, json: body, text: formatState(caseId, body as unknown as View) }, options.json === true));
  });
}
