/**
 * PublishGuide: the draft becomes the version in force, and the one it
 * replaces is superseded in the same append, so every channel switches at
 * once (R-CAT-13). Publishing is refused, with every finding at once, when
 * any lint finds an error; nothing is written then.
 *
 * Versioning rules checked here, not in the lints, because they compare the
 * draft with the version before it (R-CAT-14):
 * - the legal basis (设定依据) of a new version may differ from the one it
 *   replaces only when the change names the legal change behind it;
 * - the basic code is the item's identity: a guide cannot turn into another
 *   item by a new version (R-CAT-1).
 */
import { NotFoundError, ValidationError } from '@govsvc/errors/errors';
import type { LegalReference } from './content.ts';
import { lintGuide } from '../lint/lint-guide.ts';
import { blocking, error, toFieldIssues, type Finding } from '../lint/finding.ts';
import type { PublishGuide } from './commands.ts';
import type { GuidePublished, GuideSuperseded } from './events.ts';
import { lastPublished, versionOf, type GuideState, type GuideVersion } from './state.ts';


const citation = (ref: LegalReference) => `${ref.instrument.trim()}${ref.article?.trim() ?? ''}`;

function versionFindings(draft: GuideVersion, previous: GuideVersion | undefined): Finding[] {
  if (!previous) return [];
  const findings: Finding[] = [];
  const before = new Set((previous.content.legalBasis ?? []).map(citation));
  const after = new Set((draft.content.legalBasis ?? []).map(citation));
  const changed = before.size !== after.size || [...after].some((c) => !before.has(c));
  if (changed && !draft.change?.legalChange) {
    findings.push(
      error(
        'R-CAT-14',
        '/legalBasis',
        `设定依据与第${previous.version}版不同，但变更未注明所依据的法律法规制定、修改或废止情况`,
        `the legal basis differs from version ${previous.version} but the change names no legal change behind it`,
      ),
    );
  }
  if ((previous.content.basicCode ?? '') !== (draft.content.basicCode ?? '')) {
    findings.push(
      error(
        'R-CAT-1',
        '/basicCode',
        `基本编码由“${previous.content.basicCode ?? ''}”变为“${draft.content.basicCode ?? ''}”：这是另一事项，应撤销本指南并另行编制`,
        `the basic code changed from "${previous.content.basicCode ?? ''}" to "${draft.content.basicCode ?? ''}": that is another item; withdraw this guide and draft the other`,
      ),
    );
  }
  return findings;
}

export function decidePublishGuide(command: PublishGuide, state: GuideState): (GuidePublished | GuideSuperseded)[] {
  const { version, publishedAt, context } = command.data;
  const draft = versionOf(state, version);
  if (!draft || state.implementationCode === null) throw new NotFoundError(`no version ${version} of this guide`);
  // Publishing what is already published is a retry: nothing new happens.
  if (draft.status !== 'draft') {
    if (draft.status === 'published') return [];
    throw new ValidationError(`version ${version} is ${draft.status} and cannot be published again`, [
      { path: '/version', reason: `version ${version} is ${draft.status}; draft a new version`, rule: 'R-CAT-14' },
    ]);
  }

  const findings = [...lintGuide(draft.content, context), ...versionFindings(draft, lastPublished(state))];
  const errors = blocking(findings);
  if (errors.length > 0) {
    throw new ValidationError(`guide ${state.implementationCode} version ${version} cannot be published: ${errors.length} finding(s)`, toFieldIssues(errors), {
      findings: errors,
    });
  }

  const implementationCode = state.implementationCode;
  const published: GuidePublished = {
    type: 'GuidePublished',
    data: {
      implementationCode,
      version,
      content: draft.content,
      change: draft.change,
      publishedAt,
      supersedes: state.inForce,
      warnings: findings.filter((f) => f.severity === 'warning'),
    },
  };
  if (state.inForce === null) return [published];
  const superseded: GuideSuperseded = {
    type: 'GuideSuperseded',
    data: {
      implementationCode,
      version: state.inForce,
      supersededBy: version,
      supersededAt: publishedAt,
      reason: draft.change?.reason ?? '',
      ...(draft.change?.legalChange ? { legalChange: draft.change.legalChange } : {}),
    },
  };
  return [published, superseded];
}
