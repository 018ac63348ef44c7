/**
 * A guide's state: every version with its status, which one is open as a
 * draft and which one is in force. Plain data, replaced never mutated.
 */
import type { GuideContent } from './content.ts';
import type { Change, GuideEvent } from './events.ts';

export type VersionStatus = 'draft' | 'published' | 'superseded' | 'withdrawn';

export interface GuideVersion {
  readonly version: number;
  readonly status: VersionStatus;
  readonly content: GuideContent;
  readonly change: Change | null;
  readonly draftedAt: string;
  readonly publishedAt?: string;
  readonly supersededAt?: string;
  readonly withdrawnAt?: string;
}

export interface GuideState {
  readonly implementationCode: string | null;
  /** Index i holds version i + 1. */
  readonly versions: readonly GuideVersion[];
  readonly openDraft: number | null;
  readonly inForce: number | null;
}

export const initialGuideState = (): GuideState => ({ implementationCode: null, versions: [], openDraft: null, inForce: null });

export const versionOf = (state: GuideState, version: number): GuideVersion | undefined => state.versions[version - 1];

/** The most recent version that was ever published (in force, superseded or withdrawn). */
export const lastPublished = (state: GuideState): GuideVersion | undefined =>
  [...state.versions].reverse().find((v) => v.status !== 'draft');

function replace(state: GuideState, version: number, change: (v: GuideVersion) => GuideVersion): GuideState {
  return { ...state, versions: state.versions.map((v) => (v.version === version ? change(v) : v)) };
}

export function evolveGuide(state: GuideState, event: GuideEvent): GuideState {
  switch (event.type) {
    case 'GuideDrafted': {
      const { implementationCode, version, content, change, draftedAt } = event.data;
      return {
        ...state,
        implementationCode,
        versions: [...state.versions, { version, status: 'draft', content, change, draftedAt }],
        openDraft: version,
      };
    }
    case 'GuideRevised':
      return replace(state, event.data.version, (v) => ({ ...v, content: event.data.content }));
    case 'GuidePublished': {
      const { version, content, publishedAt } = event.data;
      return {
        ...replace(state, version, (v) => ({ ...v, status: 'published', content, publishedAt })),
        openDraft: state.openDraft === version ? null : state.openDraft,
        inForce: version,
      };
    }
    case 'GuideSuperseded': {
      const { version, supersededAt } = event.data;
      // GuidePublished of the successor comes first in the same append and already moved inForce.
      return replace(state, version, (v) => ({ ...v, status: 'superseded', supersededAt }));
    }
    case 'GuideWithdrawn': {
      const { version, withdrawnAt } = event.data;
      return {
        ...replace(state, version, (v) => ({ ...v, status: 'withdrawn', withdrawnAt })),
        inForce: state.inForce === version ? null : state.inForce,
      };
    }
  }
}
