/**
 * ReviseGuide: edits the open draft. Anything already published is
 * immutable (R-CAT-14); a revision identical to the draft changes nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { ReviseGuide } from './commands.ts';
import type { GuideRevised } from './events.ts';
import { versionOf, type GuideState } from './state.ts';

export function decideReviseGuide(command: ReviseGuide, state: GuideState): GuideRevised[] {
  const { version, content, revisedAt, note } = command.data;
  const target = versionOf(state, version);
  if (!target || state.implementationCode === null) {
    throw new NotFoundError(`guide ${content.implementationCode} has no version ${version}`);
  }
  if (target.status !== 'draft') {
    throw new RuleViolation('R-CAT-14', `version ${version} is ${target.status} and immutable: draft a new version with the reason for the change`, {
      version,
      status: target.status,
    });
  }
  if (content.implementationCode !== state.implementationCode) {
    throw new ValidationError('the implementation code of a guide cannot change', [
      { path: '/implementationCode', reason: `this guide is ${state.implementationCode}` },
    ]);
  }
  if (isDeepStrictEqual(content, target.content)) return [];
  return [
    {
      type: 'GuideRevised',
      data: { implementationCode: state.implementationCode, version, content, revisedAt, ...(note !== undefined ? { note } : {}) },
    },
  ];
}
