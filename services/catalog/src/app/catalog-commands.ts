/**
 * Command handlers of the catalog: read the stream, decide, append with the
 * revision read (a concurrent change answers 412), over the EventStore port.
 * Time comes from the clock port; the lint context (retained proofs, shared
 * data directory) is read fresh before every decision that lints.
 */
import { handleCommand } from '@govsvc/eventstore/command-handler';
import type { Actor, EventMetadataInput, EventStore } from '@govsvc/eventstore/port';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { NotFoundError, ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import { normalizeIdentifier } from '@govsvc/identifiers/checked';
import type { Clock } from '@govsvc/runtime/clock';
import type { GuideContent } from '../domain/guide/content.ts';
import { guideDecider } from '../domain/guide/decider.ts';
import { guideStream, type Change, type GuideEvent, type LegalChange } from '../domain/guide/events.ts';
import type { GuideState } from '../domain/guide/state.ts';
import type { LintContext } from '../domain/lint/context.ts';
import { lintGuide } from '../domain/lint/lint-guide.ts';
import type { Finding } from '../domain/lint/finding.ts';
import type { LegalReference } from '../domain/guide/content.ts';
import { proofDecider } from '../domain/proofs/decider.ts';
import { proofStream, type ProofEvent } from '../domain/proofs/events.ts';
import { guideCodec, proofCodec } from './codecs.ts';

/** Who asks, and the request the resulting events are correlated with. */
export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
}

export interface CatalogCommandsDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  /** The lint context as of now (waits for the retained-proofs read model to catch up). */
  readonly lintContext: () => Promise<LintContext>;
  /** Resolves once the proofs read model has seen every event appended so far. */
  readonly proofsCaughtUp: () => Promise<void>;
}

export interface GuideVersionRef {
  readonly implementationCode: string;
  readonly version: number;
}

const metadataOf = (ctx: CommandContext): EventMetadataInput => ({
  correlationId: ctx.correlationId,
  actor: ctx.actor,
  ...(ctx.causationId !== undefined ? { causationId: ctx.causationId } : {}),
});

export class CatalogCommands {
  constructor(private readonly deps: CatalogCommandsDeps) {}

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private async guide(implementationCode: string, command: Parameters<typeof guideDecider.decide>[0], ctx: CommandContext) {
    return handleCommand<GuideState, typeof command, GuideEvent>(this.deps.store, guideStream(normalizeIdentifier(implementationCode)), guideDecider, command, {
      metadata: metadataOf(ctx),
      codec: guideCodec,
    });
  }

  async guideState(implementationCode: string): Promise<GuideState> {
    const history = await this.deps.store.readStream(guideStream(normalizeIdentifier(implementationCode)));
    if (history.length === 0) throw new NotFoundError(`no guide ${implementationCode}`);
    return history.map((e) => guideCodec.decode(e)).reduce(guideDecider.evolve, guideDecider.initialState());
  }

  async draftGuide(content: GuideContent, change: Change | undefined, ctx: CommandContext): Promise<GuideVersionRef> {
    const result = await this.guide(content.implementationCode, { type: 'DraftGuide', data: { content, ...(change ? { change } : {}), draftedAt: this.now() } }, ctx);
    return { implementationCode: content.implementationCode, version: result.state.openDraft ?? result.state.versions.length };
  }

  async reviseGuide(implementationCode: string, version: number, content: GuideContent, note: string | undefined, ctx: CommandContext): Promise<GuideVersionRef> {
    await this.guide(implementationCode, { type: 'ReviseGuide', data: { version, content, revisedAt: this.now(), ...(note ? { note } : {}) } }, ctx);
    return { implementationCode: normalizeIdentifier(implementationCode), version };
  }

  async publishGuide(implementationCode: string, version: number, ctx: CommandContext): Promise<GuideVersionRef & { supersedes: number | null }> {
    const context = await this.deps.lintContext();
    const result = await this.guide(implementationCode, { type: 'PublishGuide', data: { version, publishedAt: this.now(), context } }, ctx);
    const published = result.events.find((e) => e.type === 'GuidePublished');
    return {
      implementationCode: normalizeIdentifier(implementationCode),
      version,
      supersedes: published?.type === 'GuidePublished' ? published.data.supersedes : null,
    };
  }

  /** Drafts (or revises the open draft) and publishes in one append; unchanged documents change nothing. */
  async publishGuideDocument(
    content: GuideContent,
    change: Change | undefined,
    ctx: CommandContext,
  ): Promise<GuideVersionRef & { published: boolean; supersedes: number | null }> {
    const context = await this.deps.lintContext();
    const result = await this.guide(
      content.implementationCode,
      { type: 'PublishGuideDocument', data: { content, ...(change ? { change } : {}), publishedAt: this.now(), context } },
      ctx,
    );
    const published = result.events.find((e) => e.type === 'GuidePublished');
    return {
      implementationCode: content.implementationCode,
      version: published?.type === 'GuidePublished' ? published.data.version : (result.state.inForce ?? 0),
      published: published !== undefined,
      supersedes: published?.type === 'GuidePublished' ? published.data.supersedes : null,
    };
  }

  async withdrawGuide(implementationCode: string, reason: string, legalChange: LegalChange | undefined, ctx: CommandContext): Promise<GuideVersionRef> {
    const result = await this.guide(
      implementationCode,
      { type: 'WithdrawGuide', data: { reason, ...(legalChange ? { legalChange } : {}), withdrawnAt: this.now() } },
      ctx,
    );
    const withdrawn = result.events[0];
    return { implementationCode: normalizeIdentifier(implementationCode), version: withdrawn?.type === 'GuideWithdrawn' ? withdrawn.data.version : 0 };
  }

  /** Every lint finding of a guide against the catalog as it is now; stores nothing. */
  async lint(content: GuideContent): Promise<Finding[]> {
    return lintGuide(content, await this.deps.lintContext());
  }

  private async proof(code: string, command: Parameters<typeof proofDecider.decide>[0], ctx: CommandContext) {
    const result = await handleCommand(this.deps.store, proofStream(code), proofDecider, command, { metadata: metadataOf(ctx), codec: proofCodec });
    await this.deps.proofsCaughtUp();
    return result;
  }

  async catalogueRetainedProof(proof: ProofInput, ctx: CommandContext): Promise<readonly ProofEvent[]> {
    const result = await this.proof(proof.code, { type: 'CatalogueRetainedProof', data: { ...proof, cataloguedAt: this.now() } }, ctx);
    return result.events;
  }

  /** A change of law requires a proof not yet in the catalog: the 15-working-day filing clock starts on `requiredOn`. */
  async requireNewProof(
    proof: ProofInput & { department: string; requiredBy: readonly string[]; legalChange: LegalChange; requiredOn: string },
    ctx: CommandContext,
  ): Promise<readonly ProofEvent[]> {
    const requiredBy = proof.requiredBy.map(normalizeIdentifier);
    const result = await this.proof(
      proof.code,
      { type: 'RequireNewProof', data: { ...proof, requiredBy, requiredAt: this.now(), calendar: this.deps.calendar } },
      ctx,
    );
    return result.events;
  }

  /**
   * Files a new proof and publishes, right after, the open drafts of the
   * guides that demand it (R-CAT-7: 同步更新办事指南). The drafts are linted
   * first as if the proof were already filed: when one would not publish,
   * nothing is filed and every finding is reported, so a filing never
   * leaves a guide behind.
   */
  async fileProof(
    code: string,
    filing: { filedOn: string; filingReference: string; updatedGuides: readonly string[] },
    ctx: CommandContext,
  ): Promise<{ readonly events: readonly ProofEvent[]; readonly published: readonly GuideVersionRef[] }> {
    const updatedGuides = filing.updatedGuides.map(normalizeIdentifier);
    const context = await this.deps.lintContext();
    const entry = context.retainedProofs.get(code);
    const asFiled: LintContext = {
      ...context,
      retainedProofs: new Map([...context.retainedProofs, [code, { code, name: entry?.name ?? code, status: 'retained' }]]),
    };
    const issues: FieldIssue[] = [];
    const drafts: GuideVersionRef[] = [];
    for (const [i, implementationCode] of updatedGuides.entries()) {
      const at = `/updatedGuides/${i}`;
      const state = await this.guideState(implementationCode).catch(() => null);
      const draft = state?.openDraft ? state.versions[state.openDraft - 1] : undefined;
      if (!state || !draft) {
        issues.push({ path: at, reason: `guide ${implementationCode} has no open draft to publish with the filing`, rule: 'R-CAT-7' });
        continue;
      }
      if (!(draft.content.materials ?? []).some((m) => m.proofCode === code)) {
        issues.push({ path: at, reason: `the draft of ${implementationCode} does not demand proof ${code}`, rule: 'R-CAT-7' });
      }
      for (const f of lintGuide(draft.content, asFiled).filter((f) => f.severity === 'error')) {
        issues.push({ path: `${at}${f.path}`, reason: `${f.message.zh} / ${f.message.en}`, rule: f.rule });
      }
      drafts.push({ implementationCode, version: draft.version });
    }
    if (issues.length > 0) throw new ValidationError(`proof ${code} cannot be filed with these guides: ${issues.length} problem(s)`, issues);

    const result = await this.proof(code, { type: 'FileProof', data: { ...filing, updatedGuides, filedAt: this.now() } }, ctx);
    const published: GuideVersionRef[] = [];
    for (const draft of drafts) {
      await this.publishGuide(draft.implementationCode, draft.version, { ...ctx });
      published.push(draft);
    }
    return { events: result.events, published };
  }

  async abolishProof(code: string, reason: string, legalChange: LegalChange | undefined, ctx: CommandContext): Promise<readonly ProofEvent[]> {
    const result = await this.proof(code, { type: 'AbolishProof', data: { reason, ...(legalChange ? { legalChange } : {}), abolishedAt: this.now() } }, ctx);
    return result.events;
  }
}

export interface ProofInput {
  readonly code: string;
  readonly name: string;
  readonly issuer: string;
  readonly legalBasis: readonly LegalReference[];
}
