/**
 * `govsvc calendar …`: deadlines on the working-day calendar, as the
 * supervision service computes them, and publication of a year's schedule.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ValidationError } from '@govsvc/errors/errors';
import { addDays, datesInRange, isCivilDate, shanghaiDateOf, weekdayName, type CivilDate } from '@govsvc/calendar/civil-date';
import { loadCalendar, publishSchedule } from '@govsvc/calendar/data-files';
import { explainDeadline, type DeadlineExplanation } from '@govsvc/calendar/deadline';
import { SUSPENSION_REASONS, type Suspension, type SuspensionReason } from '@govsvc/calendar/suspension';
import { MAX_WORKING_DAYS, type WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { emit, type CommandContext, type CommandResult } from '../context.ts';

/** A date argument: `YYYY-MM-DD`, or an instant (`2024-09-27T18:30:00+08:00`) taken on its Shanghai date. */
export function parseDateArgument(value: string): CivilDate {
  if (isCivilDate(value)) return value;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) return shanghaiDateOf(value);
  throw new InvalidArgumentError('must be a real date YYYY-MM-DD, or an ISO-8601 instant with offset');
}

export function parseWorkingDays(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > MAX_WORKING_DAYS) {
    throw new InvalidArgumentError(`must be a whole number of working days from 0 to ${MAX_WORKING_DAYS}`);
  }
  return n;
}

const REASONS = Object.keys(SUSPENSION_REASONS) as SuspensionReason[];

/** `--suspend FROM..TO:REASON[:note]`, repeatable. */
export function parseSuspension(value: string, previous: Suspension[] = []): Suspension[] {
  const match = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2}):([a-z-]+)(?::(.+))?$/.exec(value);
  if (!match) throw new InvalidArgumentError('must be FROM..TO:REASON[:note], e.g. 2024-09-27..2024-10-09:expert-review');
  const [, from, to, reason, note] = match as unknown as [string, string, string, string, string | undefined];
  if (!isCivilDate(from) || !isCivilDate(to)) throw new InvalidArgumentError(`${from}..${to}: both ends must be real dates`);
  if (to < from) throw new InvalidArgumentError(`${from}..${to}: the end is before the start`);
  if (!(REASONS as string[]).includes(reason)) throw new InvalidArgumentError(`reason '${reason}' is not one of ${REASONS.join(', ')}`);
  return [...previous, { from, to, reason: reason as SuspensionReason, ...(note ? { note } : {}) }];
}

const KIND_TEXT = { workday: '工作日', 'adjusted-workday': '调休上班' } as const;

export function formatExplanation(e: DeadlineExplanation): string {
  const lines = [
    `due      ${e.due} (${weekdayName(e.due)}) until ${e.dueAt}${e.provisional ? '  PROVISIONAL 暂定' : ''}`,
    `start    ${e.start}, ${e.workingDays} working day(s) counted from the next day`,
    `calendar ${e.calendar.years.map((y) => (y.version === null ? `${y.year} not published` : `${y.year} v${y.version} (${y.source})`)).join('; ')}`,
  ];
  if (e.provisional) {
    lines.push(
      `         ${e.awaitingYears.join(', ')}: no schedule yet; counted on weekends and statutory holidays only,`,
      '         recomputed when the State Council notice is published',
    );
  }
  lines.push('counted');
  for (const d of e.counted) {
    const kind = d.kind === 'adjusted-workday' ? `${KIND_TEXT[d.kind]}（${d.festival ?? ''}）` : '';
    lines.push(`  ${String(d.ordinal).padStart(3)}  ${d.date} ${d.weekday}  ${kind}${d.certain ? '' : '  (provisional)'}`.trimEnd());
  }
  if (e.skipped.length > 0) lines.push('skipped');
  for (const d of e.skipped) {
    const during = d.duringSuspension ? `（中止期间：${SUSPENSION_REASONS[d.duringSuspension]}）` : '';
    const note = d.reason.kind === 'suspension' && d.reason.note ? ` — ${d.reason.note}` : '';
    lines.push(`       ${d.date} ${d.weekday}  ${d.reason.label}${note}${during}${d.certain ? '' : '  (provisional)'}`);
  }
  lines.push(`rule     ${e.convention}`);
  return lines.join('\n');
}

export function calendarAdd(
  calendar: WorkingCalendar,
  input: { start: CivilDate; workingDays: number; suspensions: Suspension[] },
): CommandResult {
  const explanation = explainDeadline(calendar, input);
  return { exitCode: 0, json: explanation, text: formatExplanation(explanation) };
}

export function calendarBetween(
  calendar: WorkingCalendar,
  input: { from: CivilDate; to: CivilDate; suspensions: Suspension[] },
): CommandResult {
  const workingDays = calendar.workingDaysBetween(input.from, input.to, { suspensions: input.suspensions });
  const [low, high] = input.from <= input.to ? [input.from, input.to] : [input.to, input.from];
  const days = datesInRange(addDays(low, 1), high);
  const uncertain = days.filter((d) => !calendar.dayStatus(d).certain);
  const years = [...new Set(days.flatMap((d) => calendar.dayStatus(d).governedBy))].sort((a, b) => a - b);
  const calendarVersion = years.map((y) => `${y}@${calendar.versionOf(y) ?? 'provisional'}`).join('+');
  const json = {
    from: input.from,
    to: input.to,
    workingDays,
    provisional: uncertain.length > 0,
    ...(uncertain.length > 0 ? { provisionalDays: uncertain.length } : {}),
    calendarVersion,
  };
  const text =
    `${workingDays} working day(s) after ${input.from} up to and including ${input.to}` +
    `${input.suspensions.length > 0 ? ', suspensions excluded' : ''}\n` +
    `calendar ${calendarVersion || '(no days)'}` +
    (uncertain.length > 0 ? `\nPROVISIONAL 暂定: ${uncertain.length} day(s) fall where no schedule is published yet` : '');
  return { exitCode: 0, json, text };
}

export async function calendarPublish(ctx: CommandContext, file: string): Promise<CommandResult> {
  const path = resolve(ctx.config.baseDir, file);
  let input: unknown;
  try {
    input = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ValidationError(`cannot read ${file} as JSON`, [{ path: '/', reason: (error as Error).message }]);
  }
  const result = await publishSchedule(input, {
    dir: ctx.config.calendarDataDir,
    publishedAt: ctx.now().toISOString(),
    publishedBy: ctx.config.actor,
  });
  const event = result.events[0];
  if (!event) {
    return { exitCode: 0, json: { published: false, path: result.path }, text: `unchanged: ${result.path} already holds this version` };
  }
  const { schedule } = event.data;
  const text = [
    `published ${schedule.year} version ${schedule.version}: ${schedule.source.title}${schedule.source.number ? `（${schedule.source.number}）` : ''}`,
    `  ${schedule.holidays.length} holiday(s), ${schedule.workdays.length} adjusted working day(s) → ${result.path}`,
    ...(result.supersededPath ? [`  version ${schedule.version - 1} kept in ${result.supersededPath}`] : []),
  ].join('\n');
  return { exitCode: 0, json: { published: true, path: result.path, supersededPath: result.supersededPath, event }, text };
}

export function registerCalendarCommands(program: Command, ctx: CommandContext): void {
  const calendar = program.command('calendar').description('Chinese statutory working days (Asia/Shanghai)');
  const suspendHelp = `a period that does not count, FROM..TO:REASON[:note] (repeatable); reasons: ${REASONS.join(', ')}`;

  calendar
    .command('add')
    .description('the due date n working days after <date>, and why (the start day is not counted)')
    .argument('<date>', 'start date YYYY-MM-DD (or an instant, taken in Shanghai)', parseDateArgument)
    .argument('<n>', 'working days', parseWorkingDays)
    .option('--suspend <period>', suspendHelp, parseSuspension, [])
    .option('--json', 'machine-readable output')
    .action(async (start: CivilDate, workingDays: number, options: { suspend: Suspension[]; json?: boolean }) => {
      const cal = await loadCalendar(ctx.config.calendarDataDir);
      ctx.setExit(emit(ctx, calendarAdd(cal, { start, workingDays, suspensions: options.suspend }), options.json === true));
    });

  calendar
    .command('between')
    .description('working days after <a> up to and including <b> (negative when b is earlier)')
    .argument('<a>', 'from date YYYY-MM-DD', parseDateArgument)
    .argument('<b>', 'to date YYYY-MM-DD', parseDateArgument)
    .option('--suspend <period>', suspendHelp, parseSuspension, [])
    .option('--json', 'machine-readable output')
    .action(async (from: CivilDate, to: CivilDate, options: { suspend: Suspension[]; json?: boolean }) => {
      const cal = await loadCalendar(ctx.config.calendarDataDir);
      ctx.setExit(emit(ctx, calendarBetween(cal, { from, to, suspensions: options.suspend }), options.json === true));
    });

  calendar
    .command('publish')
    .description("validate a year's schedule (JSON) and publish it into the calendar data as a new version")
    .argument('<file>', 'schedule file: year, version, source, holidays[], workdays[]')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { json?: boolean }) => {
      ctx.setExit(emit(ctx, await calendarPublish(ctx, file), options.json === true));
    });
}

