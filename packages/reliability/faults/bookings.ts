/**
 * The booking part of the workload (R-APPT-1): a few real slots of the city
 * centre, each asked for more places than it has by concurrent on-site
 * bookings (a clerk, each for a different person), while the faults run.
 * The checker counts the bookings each slot stream holds against the slot's
 * capacity: no overbooked slot, and every 201 stored.
 */

/** The GB 11643 check digit of the first 17 digits of a resident ID number. */
export function checkDigit(body: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, digit, i) => s + Number(digit) * weights[i]!, 0);
  return '10X98765432'[sum % 11]!;
}

/** A resident ID number with a valid check digit: Chaoyang district, born in 1990, sequence `n` (distinct for n < 12,000). */
export function residentId(n: number): string {
  const body = `110105${19900101 + Math.floor(n / 1000) * 100}${String(n % 1000).padStart(3, '0')}`;
  return `${body}${checkDigit(body)}`;
}

export interface SlotView {
  readonly slotId: string;
  readonly capacity: number;
  readonly taken: number;
}

/** The first working day from `from` (exclusive, at least two days ahead) on which the centre offers `count` slots. */
export async function slotsToBook(list: (date: string) => Promise<SlotView[]>, from: Date, count: number): Promise<SlotView[]> {
  for (let ahead = 2; ahead <= 14; ahead++) {
    const date = new Date(from.getTime() + ahead * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const free = (await list(date)).filter((s) => s.taken === 0);
    if (free.length >= count) return free.slice(0, count);
  }
  throw new Error('no working day with free slots in the next two weeks');
}
