/**
 * Clock suspension: periods that by law do not count toward a time limit.
 * Administrative Licensing Law Art. 45 names hearings, tenders, auctions,
 * inspection, testing, quarantine, appraisal and expert review; the time the
 * applicant takes to supplement materials is excluded the same way in
 * Beijing practice (the office cannot act until the materials arrive).
 */
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';
import { civilDateSchema, toFieldIssues } from './schedule.ts';
import { isCivilDate, type CivilDate } from './civil-date.ts';

export const SUSPENSION_REASONS = {
  supplement: '补正材料',
  hearing: '听证',
  tender: '招标',
  auction: '拍卖',
  inspection: '检验',
  testing: '检测',
  quarantine: '检疫',
  appraisal: '鉴定',
  'expert-review': '专家评审',
} as const;

export type SuspensionReason = keyof typeof SUSPENSION_REASONS;

const reasonKeys = Object.keys(SUSPENSION_REASONS) as [SuspensionReason, ...SuspensionReason[]];

/**
 * A suspension covers the civil dates `from` … `to`, both included. The
 * service that records it decides the convention for its own events (e.g.
 * a supplement period from the day after the notice to the day the
 * materials arrive); this module only refuses to count the covered days.
 */
export const suspensionSchema = z
  .strictObject({
    from: civilDateSchema,
    to: civilDateSchema,
    reason: z.enum(reasonKeys),
    /** Free text for the explanation, e.g. the expert panel or the hearing notice number. */
    note: z.string().max(200).optional(),
  })
  .refine((s) => s.to >= s.from, {
    message: 'must not be before from',
    path: ['to'],
    // Report a reversed interval together with any other problem of the same suspension.
    when: ({ value }) => {
      const v = value as { from?: unknown; to?: unknown } | undefined;
      return isCivilDate(v?.from) && isCivilDate(v?.to);
    },
  });

export type Suspension = z.infer<typeof suspensionSchema>;

// Built once: a zod schema made per call is compiled again at its first parse (22 µs of every intake
// submission went here, each computing its acceptance deadline: bench:hot-paths --only post, profiled).
const suspensionsSchema = z.array(suspensionSchema);

/** Validates suspensions given by a caller; every problem is reported with its path (`/suspensions/1/to`). */
export function parseSuspensions(input: unknown): Suspension[] {
  const result = suspensionsSchema.safeParse(input);
  if (!result.success) {
    const issues = toFieldIssues(result.error, '/suspensions');
    throw new ValidationError(`suspensions are invalid: ${issues.length} problem(s)`, issues);
  }
  return result.data;
}

/** The first suspension covering `date`, if any: overlapping suspensions cover a day only once. */
export function suspensionCovering(suspensions: readonly Suspension[], date: CivilDate): Suspension | undefined {
  return suspensions.find((s) => s.from <= date && date <= s.to);
}
