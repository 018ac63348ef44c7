/**
 * Which appointment slots a service centre offers for an item on a day
 * (R-APPT-1, measures Art. 14 and 31), from the centre's configuration and
 * the day's status on the statutory calendar:
 * - working days (including adjusted working weekends): normal hours;
 *   "早晚弹性办" one hour before opening and one hour after closing, for
 *   booked items (every slot here is a booking); "午间不间断" lunch-time service;
 * - Saturdays that are neither a holiday nor a working day: "周末不休息" service
 *   for the items the centre marks as frequent personal items;
 * - other days (Sundays, holidays): none.
 */
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const centreConfigSchema = z.object({
  centreId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  name: z.string().min(1),
  /** 6-digit administrative region code: the case number's region part. */
  region: z.string().regex(/^\d{6}$/),
  /** Set when the centre accepts on behalf of implementing bodies (entrusted acceptance). */
  entrustedBody: z.string().min(1).nullable(),
  hours: z.object({ open: hhmm, close: hhmm, lunch: z.object({ from: hhmm, to: hhmm }) }),
  slotMinutes: z.int().min(5).max(240),
  extended: z.object({
    earlyLate: z.boolean(),
    lunchService: z.boolean(),
    saturday: z.object({ open: hhmm, close: hhmm }).nullable(),
  }),
  items: z.array(z.object({ itemCode: z.string().min(1), capacityPerSlot: z.int().min(1).max(1000), frequentPersonal: z.boolean() })),
  staff: z.array(z.object({ staffId: z.string().min(1), name: z.string().min(1) })),
});
export type CentreConfig = z.infer<typeof centreConfigSchema>;

export const slotKinds = ['normal', 'early', 'late', 'lunch', 'saturday'] as const;
export type SlotKind = (typeof slotKinds)[number];

export const slotSpecSchema = z.object({
  slotId: z.string().min(1),
  centreId: z.string().min(1),
  itemCode: z.string().min(1),
  date: z.iso.date(),
  start: hhmm,
  end: hhmm,
  kind: z.enum(slotKinds),
  capacity: z.int().min(1),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
});
export type SlotSpec = z.infer<typeof slotSpecSchema>;

/** The calendar's verdict on a day, as data. */
export interface DayInfo {
  readonly date: string;
  readonly working: boolean;
  readonly kind: 'workday' | 'weekend' | 'holiday' | 'adjusted-workday';
  /** 0 Sunday … 6 Saturday. */
  readonly dayOfWeek: number;
}

const minutes = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
const clock = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export const slotIdOf = (centreId: string, itemCode: string, date: string, start: string): string =>
  `${centreId}~${itemCode}~${date.replaceAll('-', '')}~${start.replace(':', '')}`;

/** `centre~item~yyyymmdd~HHMM` → its parts; null when it is not a slot id. */
export function parseSlotId(slotId: string): { centreId: string; itemCode: string; date: string; start: string } | null {
  const m = /^([a-z0-9][a-z0-9-]{1,62})~([0-9A-Za-z][0-9A-Za-z._-]*)~(\d{4})(\d{2})(\d{2})~(\d{2})(\d{2})$/.exec(slotId);
  if (!m) return null;
  return { centreId: m[1]!, itemCode: m[2]!, date: `${m[3]}-${m[4]}-${m[5]}`, start: `${m[6]}:${m[7]}` };
}

export function slotsOn(centre: CentreConfig, itemCode: string, day: DayInfo): SlotSpec[] {
  const item = centre.items.find((i) => i.itemCode === itemCode);
  if (!item) return [];
  const windows: { from: number; to: number; kind: SlotKind }[] = [];
  const { open, close, lunch } = centre.hours;
  if (day.working) {
    if (centre.extended.earlyLate) windows.push({ from: minutes(open) - 60, to: minutes(open), kind: 'early' });
    windows.push({ from: minutes(open), to: minutes(lunch.from), kind: 'normal' });
    if (centre.extended.lunchService) windows.push({ from: minutes(lunch.from), to: minutes(lunch.to), kind: 'lunch' });
    windows.push({ from: minutes(lunch.to), to: minutes(close), kind: 'normal' });
    if (centre.extended.earlyLate) windows.push({ from: minutes(close), to: minutes(close) + 60, kind: 'late' });
  } else if (day.dayOfWeek === 6 && day.kind === 'weekend' && centre.extended.saturday && item.frequentPersonal) {
    windows.push({ from: minutes(centre.extended.saturday.open), to: minutes(centre.extended.saturday.close), kind: 'saturday' });
  }
  const slots: SlotSpec[] = [];
  for (const w of windows) {
    for (let t = w.from; t + centre.slotMinutes <= w.to; t += centre.slotMinutes) {
      const start = clock(t);
      const end = clock(t + centre.slotMinutes);
      slots.push({
        slotId: slotIdOf(centre.centreId, itemCode, day.date, start),
        centreId: centre.centreId,
        itemCode,
        date: day.date,
        start,
        end,
        kind: w.kind,
        capacity: item.capacityPerSlot,
        startsAt: `${day.date}T${start}:00+08:00`,
        endsAt: `${day.date}T${end}:00+08:00`,
      });
    }
  }
  return slots;
}
