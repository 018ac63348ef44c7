/**
 * PublishGuideDocument: draft (or revise the open draft) and publish in one
 * decision, so all its events are appended together or not at all. A
 * document identical to the version in force is already published: nothing
 * happens, which makes loading the same fixture catalog at every start safe.
 */
import { isDeepStrictEqual } from 'node:util';
import type { PublishGuideDocument } from './commands.ts';
import { decideDraftGuide } from './decide-draft-guide.ts';
import { decidePublishGuide } from './decide-publish-guide.ts';
import { decideReviseGuide } from './decide-revise-guide.ts';
import type { GuideEvent } from './events.ts';
import { evolveGuide, versionOf, type GuideState } from './state.ts';

export function decidePublishGuideDocument(command: PublishGuideDocument, state: GuideState): GuideEvent[] {
  const { content, change, publishedAt, context } = command.data;
  const inForce = state.inForce === null ? undefined : versionOf(state, state.inForce);
  if (inForce && isDeepStrictEqual(inForce.content, content)) return [];

  const drafting: GuideEvent[] =
    state.openDraft === null
      ? decideDraftGuide({ type: 'DraftGuide', data: { content, ...(change ? { change } : {}), draftedAt: publishedAt } }, state)
      : decideReviseGuide({ type: 'ReviseGuide', data: { version: state.openDraft, content, revisedAt: publishedAt } }, state);
  const drafted = drafting.reduce(evolveGuide, state);
  const version = drafted.openDraft ?? state.versions.length;
  return [...drafting, ...decidePublishGuide({ type: 'PublishGuide', data: { version, publishedAt, context } }, drafted)];
}
