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

/**
 * Publishes a whole guide document in one decision: drafts it (or revises
 * the open draft) and publishes it, so a document that fails a lint leaves
 * nothing behind. What `govsvc guide publish` and the fixture catalog use.
 */
export interface PublishGuideDocument {
  readonly type: 'PublishGuideDocument';
  readonly data: {
    readonly content: GuideContent;
    readonly change?: Change;
    readonly publishedAt: string;
    readonly context: LintContext;
  };
}

export type GuideCommand = DraftGuide | ReviseGuide | PublishGuide | WithdrawGuide | PublishGuideDocument;
