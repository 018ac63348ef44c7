/**
 * Commands on a guide. Time enters as data (`…At`), and so does everything
 * the lints consult (the retained-proofs catalog, the shared-data directory):
 * the command handler reads them and hands them in.
 */
import type { LintContext } from '../lint/context.ts';
import type { GuideContent } from './content.ts';
import type { Change, LegalChange } from './events.ts';

export interface DraftGuide {
  readonly type: 'DraftGuide';
  readonly data: {
    readonly content: GuideContent;
    /** Required for every version after the first (R-CAT-14). */
    readonly change?: Change;
    readonly draftedAt: string;
  };
}

export interface ReviseGuide {
  readonly type: 'ReviseGuide';
  readonly data: {
    readonly version: number;
    readonly content: GuideContent;
    readonly revisedAt: string;
    readonly note?: string;
  };
}

export interface PublishGuide {
  readonly type: 'PublishGuide';
  readonly data: {
    readonly version: number;
    readonly publishedAt: string;
    readonly context: LintContext;
  };
}

export interface WithdrawGuide {
  readonly type: 'WithdrawGuide';
  readonly data: {
    readonly reason: string;
    readonly legalChange?: LegalChange;
    readonly withdrawnAt: string;
  };
}

export type GuideCommand = DraftGuide | ReviseGuide | PublishGuide | WithdrawGuide;
