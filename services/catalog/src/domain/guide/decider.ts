/** The guide decider: one decision file per command, one evolve. */
import type { Decider } from '@govsvc/eventstore/decider';
import type { GuideCommand } from './commands.ts';
import { decideDraftGuide } from './decide-draft-guide.ts';
import { decidePublishGuide } from './decide-publish-guide.ts';
import { decidePublishGuideDocument } from './decide-publish-guide-document.ts';
import { decideReviseGuide } from './decide-revise-guide.ts';
import { decideWithdrawGuide } from './decide-withdraw-guide.ts';
import type { GuideEvent } from './events.ts';
import { evolveGuide, initialGuideState, type GuideState } from './state.ts';

export const guideDecider: Decider<GuideState, GuideCommand, GuideEvent> = {
  decide(command, state) {
    switch (command.type) {
      case 'DraftGuide':
        return decideDraftGuide(command, state);
      case 'ReviseGuide':
        return decideReviseGuide(command, state);
      case 'PublishGuide':
        return decidePublishGuide(command, state);
      case 'WithdrawGuide':
        return decideWithdrawGuide(command, state);
      case 'PublishGuideDocument':
        return decidePublishGuideDocument(command, state);
    }
  },
  evolve: evolveGuide,
  initialState: initialGuideState,
};
