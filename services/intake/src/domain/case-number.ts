/**
 * Case numbers: `京<region><yyyymmdd><seq>`, e.g. 京1101052026112600001 —
 * 京, the 6-digit region code of the centre, the Shanghai date of submission
 * and a sequence per region and day, written with at least 5 digits. Which
 * sequence number a case gets is the allocator's business
 * (`app/case-number-allocator.ts`): a database sequence per region and day, so
 * submissions never race on a shared stream. This module only says what a
 * number looks like.
 *
 * Past 99,999 the sequence goes on with 6 or 7 digits (京…20261019100000)
 * instead of refusing the day's later applicants: a megacity's online channel
 * takes 250,000 cases a day in one region (issue 8's day stopped at its
 * 100,000th case). Region and date have fixed widths, so a number's length
 * tells its sequence's and no two numbers of one region and day can be equal;
 * the numbers of an ordinary day keep their 5 digits.
 */
import { z } from 'zod';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';

/** The last sequence number of a region's day (7 digits): past it the day's later applications are refused. */
export const MAX_SEQUENCE = 9_999_999;
/** The most the old counter streams could hand out (5 digits, before the sequence could grow). */
export const LEGACY_MAX_SEQUENCE = 99_999;

const REGION = /^\d{6}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The (region, day) a sequence belongs to; refuses anything that could not be part of a readable number. */
export function checkSequenceKey(region: string, date: string): void {
  if (!REGION.test(region)) throw new Error(`case-number region must be 6 digits, got ${JSON.stringify(region)}`);
  if (!DATE.test(date)) throw new Error(`case-number date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
}

export const formatCaseNumber = (region: string, date: string, sequence: number): string =>
  `京${region}${date.replaceAll('-', '')}${String(sequence).padStart(5, '0')}`;

/**
 * Before the sequences, each (region, day) had a counter stream appended with
 * an expected revision (every submission raced on it). Those streams stay in
 * the store as history; a day's sequence starts after the last number its
 * stream handed out, so a number given out that way is never given again.
 */
export const legacyCaseNumberStream = (region: string, date: string): string => `casenumber-${region}_${date.replaceAll('-', '')}`;

const legacyAssigned = z.object({ caseId: z.uuid(), caseNumber: z.string().min(1), sequence: z.int().min(1).max(LEGACY_MAX_SEQUENCE) });
export type LegacyCaseNumberEvent = { readonly type: 'CaseNumberAssigned'; readonly data: z.infer<typeof legacyAssigned> };
export const legacyCaseNumberEventDefinitions: EventDefinitions<LegacyCaseNumberEvent> = { CaseNumberAssigned: { schemaVersion: 1, schema: legacyAssigned } };
