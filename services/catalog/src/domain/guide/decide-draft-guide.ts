/**
 * DraftGuide: opens a new version. A published version is never edited
 * (R-CAT-14): changing a guide means drafting the next version, and every
 * version after the first says why it exists.
 */
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { DraftGuide } from './commands.ts';
import type { GuideDrafted } from './events.ts';
import type { GuideState } from './state.ts';

export function decideDraftGuide(command: DraftGuide, state: GuideState): GuideDrafted[] {
  const { content, change, draftedAt } = command.data;
  if (state.implementationCode !== null && state.implementationCode !== content.implementationCode) {
    throw new ValidationError('the implementation code names another guide', [
      { path: '/implementationCode', reason: `this stream holds guide ${state.implementationCode}, not ${content.implementationCode}` },
    ]);
  }
  if (state.openDraft !== null) {
    throw new RuleViolation('R-CAT-14', `version ${state.openDraft} is still a draft: revise or publish it before drafting another`, {
      openDraft: state.openDraft,
    });
  }
  if (state.versions.length > 0 && change === undefined) {
    throw new RuleViolation('R-CAT-14', 'a new version of a published guide must state the reason for the change', {
      path: '/change/reason',
    });
  }
  return [
    {
      type: 'GuideDrafted',
      data: {
        implementationCode: content.implementationCode,
        version: state.versions.length + 1,
        content,
        change: change ?? null,
        draftedAt,
      },
    },
  ];
}
