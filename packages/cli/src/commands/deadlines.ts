/** `govsvc deadlines [--breached] [--department …] [--centre …] [--item …] [--card …]`: open deadlines from the supervision service. */
import { Option, type Command } from 'commander';
import { emit, type CommandContext } from '../context.ts';
import { callSupervision, withService, type ServiceOptions } from './history.ts';

const CARD = { warning: '预警', yellow: '黄牌', red: '红牌' } as const;

interface Entry {
  deadlineId: string;
  caseId: string;
  label: string;
  due: string;
  card: keyof typeof CARD | null;
  department: string;
  centre: string;
}

export function formatDeadlines(entries: readonly Entry[]): string {
  if (entries.length === 0) return 'no deadlines';
  return entries
    .map((e) => `${(e.card ? CARD[e.card] : '—').padEnd(3)}  ${e.due}  ${e.caseId.padEnd(20)}  ${e.label.padEnd(12)}  ${e.department}${e.centre ? ` / ${e.centre}` : ''}  (${e.deadlineId})`)
    .join('\n');
}

export function registerDeadlinesCommand(program: Command, ctx: CommandContext): void {
  withService(
    program
      .command('deadlines')
      .description('open deadlines; --breached for yellow and red cards')
      .option('--breached', 'only deadlines past due (yellow and red cards)')
      .option('--department <name>')
      .option('--centre <id>')
      .option('--item <itemCode>')
      .addOption(new Option('--card <colour>').choices(['warning', 'yellow', 'red'])),
  ).action(async (options: ServiceOptions & { breached?: boolean; department?: string; centre?: string; item?: string; card?: string }) => {
    const query = new URLSearchParams();
    if (options.breached) query.set('breached', 'true');
    if (options.department) query.set('department', options.department);
    if (options.centre) query.set('centre', options.centre);
    if (options.item) query.set('itemCode', options.item);
    if (options.card) query.set('card', options.card);
    const body = await callSupervision(options, 'GET', `supervision/deadlines${query.size > 0 ? `?${query}` : ''}`);
    ctx.setExit(emit(ctx, { exitCode: 0, json: body, text: formatDeadlines(body['deadlines'] as Entry[]) }, options.json === true));
  });
}
