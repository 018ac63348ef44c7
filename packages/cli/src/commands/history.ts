/**
 * `govsvc history <caseId>`: a case's complete timeline across every
 * service's streams, in global order, from the running supervision service
 * (`GET /supervision/cases/:caseId/history`, supervisor role). Also the small
 * HTTP client the supervision commands share (state, verify, deadlines,
 * rebuild): base URL and bearer token from `--url` / `--token` or the
 * environment (GOVSVC_SUPERVISION_URL, GOVSVC_TOKEN).
 */
import { Option, type Command } from 'commander';
import { NotFoundError, ValidationError } from '@govsvc/errors/errors';
import { emit, type CommandContext } from '../context.ts';

export interface ServiceOptions {
  readonly url: string;
  readonly token?: string;
  readonly json?: boolean;
}

/** The connection options every supervision command takes. */
export function withService(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'base URL of the supervision service').env('GOVSVC_SUPERVISION_URL').default('http://localhost:3000'))
    .addOption(new Option('--token <jwt>', 'bearer token (supervisor or operator role)').env('GOVSVC_TOKEN'))
    .option('--json', 'machine-readable output');
}

/** Calls the supervision service; problem+json answers become the CLI's errors (exit 1). */
export async function callSupervision(options: ServiceOptions, method: 'GET' | 'POST', path: string): Promise<Record<string, unknown>> {
  if (!options.token) throw new ValidationError('a token is required', [{ path: '--token', reason: 'pass --token or set GOVSVC_TOKEN (mint one with the service kit’s mint-token)' }]);
  const url = new URL(path, options.url.endsWith('/') ? options.url : `${options.url}/`);
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' } });
  } catch (error) {
    throw new ValidationError(`cannot reach ${url.origin}`, [{ path: '--url', reason: (error as Error).message }]);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 404) throw new NotFoundError(String(body['detail'] ?? `${path} not found`));
  if (!response.ok) throw new ValidationError(`${method} ${path} answered ${response.status}`, [{ path, reason: String(body['detail'] ?? body['title'] ?? response.statusText) }]);
  return body;
}

interface Entry {
  position: string;
  recordedAt: string;
  stream: string;
  type: string;
  summary: string;
  actor: { id: string; role: string };
  guideVersion: string | null;
}

export function formatHistory(caseId: string, entries: readonly Entry[]): string {
  const lines = entries.map((e) => {
    const summary = e.summary !== e.type ? `  ${e.summary}` : '';
    const guide = e.guideVersion ? `  [指南 ${e.guideVersion}]` : '';
    return `${e.position.padStart(6)}  ${e.recordedAt}  ${e.stream.padEnd(40)}  ${e.type.padEnd(26)}  ${e.actor.role}:${e.actor.id}${guide}${summary}`;
  });
  return [`办件 ${caseId}: ${entries.length} events`, ...lines].join('\n');
}

export function registerHistoryCommand(program: Command, ctx: CommandContext): void {
  withService(program.command('history').description('a case’s complete timeline across all services, in global order').argument('<caseId>')).action(
    async (caseId: string, options: ServiceOptions) => {
      const body = await callSupervision(options, 'GET', `supervision/cases/${encodeURIComponent(caseId)}/history`);
      const entries = body['entries'] as Entry[];
      ctx.setExit(emit(ctx, { exitCode: 0, json: body, text: formatHistory(caseId, entries) }, options.json === true));
    },
  );
}
