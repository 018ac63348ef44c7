/**
 * Supervision's HTTP API, mounted under `/supervision`: deadlines and their
 * explanations, the breach list, the operator console (page, live events,
 * case pages), case history, state at an instant, audit verification,
 * projection rebuilds and calendar publication.
 */
import type { EventEmitter } from 'node:events';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@govsvc/errors/errors';
import type { App } from '@govsvc/service-kit/app';
import { allow, principalOf, publicRoute } from '@govsvc/service-kit/auth';
import type { Clock } from '@govsvc/runtime/clock';
import type { EventStore } from '@govsvc/eventstore/port';
import { verifyCase, verifyStore, type SealVerifier } from '../app/audit.ts';
import type { CalendarHolder } from '../app/calendar-holder.ts';
import { caseHistory, caseStateAt } from '../app/case-history.ts';
import type { CaseTimeline } from '../app/case-timeline.ts';
import { CONSOLE_ROLES, type ConsoleSessions } from '../app/console-session.ts';
import { matches, type DeadlineIndex, type IndexEntry, type IndexFilter } from '../app/deadline-index.ts';
import { readDeadline } from '../app/deadlines.ts';
import { explain } from '../domain/schedule.ts';
import { DEADLINE_RULES } from '../domain/kinds.ts';
import { casePage, consolePage, countsOf, sortEntries } from './console-page.ts';

export interface RouteDeps {
  readonly store: EventStore;
  readonly index: DeadlineIndex;
  readonly timeline: CaseTimeline;
  /** Waits, within a bound, until the timeline holds every event committed before the call (case-timeline.ts). */
  readonly timelineFresh: () => Promise<void>;
  readonly calendar: CalendarHolder;
  readonly clock: Clock;
  readonly sessions: ConsoleSessions;
  readonly seals: SealVerifier;
  /** Emits `deadline` (IndexEntry) and `closed` ({ deadlineId }) when the index changes. */
  readonly changes: EventEmitter;
  readonly rebuild: (projection: 'deadline-index' | 'case-timeline') => Promise<{ events: number }>;
}

const filterQuery = z.strictObject({
  card: z.enum(['warning', 'yellow', 'red']).optional(),
  department: z.string().min(1).optional(),
  centre: z.string().min(1).optional(),
  itemCode: z.string().min(1).optional(),
});

/** Empty form fields mean "all". */
const filterOf = (query: Record<string, string | undefined>): IndexFilter =>
  Object.fromEntries(Object.entries(query).filter(([k, v]) => v !== undefined && v !== '' && ['card', 'department', 'centre', 'itemCode'].includes(k))) as IndexFilter;

const consoleQuery = z.strictObject({
  card: z.enum(['', 'warning', 'yellow', 'red']).optional(),
  department: z.string().optional(),
  centre: z.string().optional(),
  itemCode: z.string().optional(),
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const caseParams = z.strictObject({ caseId: z.string().min(1).max(100) });
const SUPERVISORS = allow('supervisor', 'admin');
const WATCHERS = allow('operator', 'supervisor', 'admin');

export function supervisionRoutes(deps: RouteDeps) {
  return async (app: App): Promise<void> => {
    // ── deadlines ─────────────────────────────────────────────────────────
    app.get(
      '/deadlines',
      {
        config: WATCHERS,
        schema: { querystring: filterQuery.extend({ breached: z.enum(['true', 'false']).optional() }) },
      },
      async (request) => {
        const { breached, ...rest } = request.query;
        const filter = filterOf(rest);
        const entries = breached === 'true' ? (await deps.index.carded(filter)).filter((e) => e.card === 'yellow' || e.card === 'red') : (await deps.index.all()).filter((e) => matches(e, filter));
        return { deadlines: sortByDue(entries), count: entries.length };
      },
    );

    app.get('/deadlines/:id', { config: WATCHERS, schema: { params: z.strictObject({ id: z.string().min(1) }) } }, async (request) => {
      const { state, events } = await readDeadline(deps.store, request.params.id);
      if (state.opened === null) throw new NotFoundError(`no deadline ${request.params.id}`);
      return { deadline: state.opened, status: state.status, schedule: state.schedule, warned: state.warned, breach: state.breach, escalated: state.escalated, closed: state.closed, revision: events.length - 1 };
    });

    app.get('/deadlines/:id/explain', { config: WATCHERS, schema: { params: z.strictObject({ id: z.string().min(1) }) } }, async (request) => {
      const { state, decoded, events } = await readDeadline(deps.store, request.params.id);
      const opened = state.opened;
      if (opened === null) throw new NotFoundError(`no deadline ${request.params.id}`);
      const rule = DEADLINE_RULES[opened.kind];
      // Explained with the calendar in force now, exactly as the due date was last computed.
      const explanation = explain(deps.calendar.current(), { start: opened.start, unit: state.unit, amount: state.amount, suspensions: state.suspensions });
      return {
        deadlineId: opened.deadlineId,
        caseId: opened.caseId,
        kind: opened.kind,
        label: rule.label,
        requirement: rule.requirement,
        legalSource: rule.legalSource,
        unit: state.unit,
        limit: { base: opened.amount, extensions: state.amount - opened.amount, total: state.amount },
        status: state.status,
        due: state.schedule?.due ?? null,
        dueAt: state.schedule?.dueAt ?? null,
        warnAt: state.schedule?.warnAt ?? null,
        calendarVersion: state.schedule?.calendarVersion ?? null,
        provisional: state.schedule?.provisional ?? false,
        suspensions: state.suspensions.map((s) => ({ from: s.from, to: s.to, reason: s.reason, id: s.note })),
        suspendedSince: state.suspendedSince,
        explanation,
        history: decoded.map((e, i) => ({ revision: i, type: e.type, recordedAt: events[i]!.recordedAt.toISOString(), data: e.data })),
        recomputations: decoded.filter((e) => e.type === 'DeadlineRecomputed').map((e) => e.data),
      };
    });

    // ── breaches: the console's data as JSON ───────────────────────────────
    app.get('/breaches', { config: WATCHERS, schema: { querystring: filterQuery } }, async (request) => {
      const entries = sortEntries(await deps.index.carded(filterOf(request.query)));
      return { counts: countsOf(entries), entries };
    });

    // ── operator console ──────────────────────────────────────────────────
    app.get('/console', { config: publicRoute, schema: { querystring: consoleQuery, hide: true } }, async (request, reply) => {
      const session = deps.sessions.verify(request.headers.cookie, nowSeconds());
      const filter = filterOf(request.query);
      const all = session ? await deps.index.carded() : [];
      reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
      return consolePage({ authed: session !== null, entries: all.filter((e) => matches(e, filter)), all, filter, now: deps.clock.now().toISOString() });
    });

    app.post('/console/session', { config: allow('operator', 'supervisor'), schema: { hide: true } }, async (request, reply) => {
      const { cookie, session } = deps.sessions.issue(principalOf(request), nowSeconds(), request.protocol === 'https');
      reply.header('set-cookie', cookie).header('cache-control', 'no-store');
      return { subject: session.subject, roles: session.roles, expiresAt: new Date(session.expiresAt * 1000).toISOString() };
    });

    app.get('/console/events', { config: publicRoute, schema: { hide: true } }, async (request, reply) => {
      if (!deps.sessions.verify(request.headers.cookie, nowSeconds())) {
        reply.code(401).header('content-type', 'text/plain; charset=utf-8');
        return `console session required (roles ${CONSOLE_ROLES.join(', ')})`;
      }
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      raw.write('retry: 2000\n\n');
      const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const onDeadline = (entry: IndexEntry) => (entry.card === null ? send('closed', { deadlineId: entry.deadlineId }) : send('deadline', entry));
      const onClosed = (closed: { deadlineId: string }) => send('closed', closed);
      deps.changes.on('deadline', onDeadline);
      deps.changes.on('closed', onClosed);
      // Comments keep proxies from closing an idle stream.
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      request.raw.on('close', () => {
        clearInterval(keepAlive);
        deps.changes.off('deadline', onDeadline);
        deps.changes.off('closed', onClosed);
      });
    });

    app.get('/console/cases/:caseId', { config: publicRoute, schema: { params: caseParams, hide: true } }, async (request, reply) => {
      if (!deps.sessions.verify(request.headers.cookie, nowSeconds())) return reply.redirect('/supervision/console');
      reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
      await deps.timelineFresh();
      return casePage(request.params.caseId, await caseHistory(deps.store, deps.timeline, request.params.caseId));
    });

    // ── case history, state at an instant, audit ─────────────────────────
    app.get('/cases/:caseId/history', { config: SUPERVISORS, schema: { params: caseParams } }, async (request) => {
      await deps.timelineFresh();
      const entries = await caseHistory(deps.store, deps.timeline, request.params.caseId);
      if (entries.length === 0) throw new NotFoundError(`no events for case ${request.params.caseId}`);
      return { caseId: request.params.caseId, entries };
    });

    app.get('/cases/:caseId/state', { config: SUPERVISORS, schema: { params: caseParams, querystring: z.strictObject({ at: z.iso.datetime({ offset: true }).optional() }) } }, async (request) => {
      const at = request.query.at ? new Date(request.query.at) : deps.clock.now();
      await deps.timelineFresh();
      const view = await caseStateAt(deps.store, deps.timeline, request.params.caseId, at);
      if (view.eventsApplied === 0 && (await deps.timeline.positions(request.params.caseId)).length === 0) throw new NotFoundError(`no events for case ${request.params.caseId}`);
      return view;
    });

    app.get('/cases/:caseId/verify', { config: SUPERVISORS, schema: { params: caseParams } }, async (request) => {
      await deps.timelineFresh();
      const report = await verifyCase(deps.store, deps.timeline, request.params.caseId, deps.seals);
      if (report.streams === 0) throw new NotFoundError(`no events for case ${request.params.caseId}`);
      return { caseId: request.params.caseId, ...report };
    });

    app.get('/verify', { config: SUPERVISORS }, async () => verifyStore(deps.store, deps.seals));

    // ── operations ───────────────────────────────────────────────────────
    app.post(
      '/projections/:name/rebuild',
      { config: allow('supervisor', 'admin'), schema: { params: z.strictObject({ name: z.enum(['deadline-index', 'case-timeline']) }) } },
      async (request) => {
        const started = Date.now();
        const result = await deps.rebuild(request.params.name);
        return { projection: request.params.name, ...result, tookMs: Date.now() - started };
      },
    );

    app.post('/calendar/years', { config: allow('admin'), schema: { body: z.strictObject({ schedule: z.record(z.string(), z.unknown()) }) } }, async (request, reply) => {
      const principal = principalOf(request);
      if (typeof request.body.schedule['year'] !== 'number') throw new ValidationError('schedule.year is required', [{ path: '/schedule/year', reason: 'a number' }]);
      const result = await deps.calendar.publish(request.body.schedule, principal.subject, deps.clock, deps.index);
      reply.code(result.published ? 201 : 200);
      return result;
    });
  };
}

const sortByDue = (entries: readonly IndexEntry[]) => [...entries].sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
