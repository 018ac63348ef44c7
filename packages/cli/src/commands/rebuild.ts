/** `govsvc rebuild <projection>`: rebuilds a supervision projection (deadline-index, case-timeline) from the event store. */
import { Argument, type Command } from 'commander';
import { emit, type CommandContext } from '../context.ts';
import { callSupervision, withService, type ServiceOptions } from './history.ts';

export function registerRebuildCommand(program: Command, ctx: CommandContext): void {
  withService(
    program
      .command('rebuild')
      .description('rebuild a projection of the supervision service from the event store')
      .addArgument(new Argument('<projection>').choices(['deadline-index', 'case-timeline'])),
  ).action(async (projection: string, options: ServiceOptions) => {
    const body = await callSupervision(options, 'POST', `supervision/projections/${projection}/rebuild`);
    ctx.setExit(emit(ctx, { exitCode: 0, json: body, text: `${projection} rebuilt from ${String(body['events'])} events in ${String(body['tookMs'])} ms` }, options.json === true));
  });
}
