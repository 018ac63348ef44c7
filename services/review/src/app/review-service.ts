/**
 * The review service's use cases: each reads a stream, asks a decider, and
 * appends with the revision it read (`handleCommand`), so two commands racing
 * on one case end with one winner and one ConcurrencyError (412). Time, ids
 * and calendar arithmetic enter here and are handed to the deciders as data.
 *
 * Idempotency: a caller's idempotency key becomes the seed of deterministic
 * event ids; a repeated request finds its events stored and returns them
 * without deciding again.
 */
import { ConcurrencyError, NotFoundError, RuleViolation, UnavailableError } from '@govsvc/errors/errors';
import { addDays, civilDate, shanghaiDateOf } from '@govsvc/calendar/civil-date';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { handleCommand, type CommandResult } from '@govsvc/eventstore/command-handler';
import type { Decider } from '@govsvc/eventstore/decider';
import { zodEventCodec, type DomainEvent, type EventCodec } from '@govsvc/eventstore/event-codec';
import { deterministicEventId, deterministicEventIds } from '@govsvc/eventstore/event-ids';
import type { Actor, EventStore } from '@govsvc/eventstore/port';
import { sharedFoldCache, type StreamFoldCache } from '@govsvc/eventstore/stream-fold-cache';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import { ChangeSignals } from '@govsvc/service-kit/change-signals';
import { itemDecider, itemEventDefinitions, itemFactsOf, itemStream, ReviewProfileSet, type ItemCommand, type ItemEvent, type ItemState, type ReviewProfileInput } from '../domain/item.ts';
import {
  addMonths,
  licenceDecider,
  licenceDocument,
  licenceEventDefinitions,
  licenceStream,
  renewedUntilOf,
  type ElectronicLicence,
  type LicenceCommand,
  type LicenceEvent,
  type LicenceState,
} from '../domain/licence.ts';
import type { ReviewCommand, SignDecision } from '../domain/review-commands.ts';
import { reviewDecider, reviewStream } from '../domain/review-decider.ts';
import { reviewEventDefinitions, type DecisionDraft, type ReviewEvent, type ReviewEventOf } from '../domain/review-events.ts';
import type { OpenCase, ReviewState } from '../domain/review-state.ts';
import { concludingDecision, decisionDocument, type UnsealedDecision } from '../domain/sign-decision.ts';
import type { Applicant, LicenceForm, MaterialRef, Reason, SealImprint, SignatureRole, StaffRef, SuspensionReason } from '../domain/values.ts';
import { ReviewDeadlines } from './deadlines.ts';
import type { SealSigner } from './seal-signer.ts';

export interface ReviewServiceDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly calendar: WorkingCalendar;
  readonly seal: SealSigner;
}

/** Who asks, and the thread of causes the command belongs to. */
export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
  /** Idempotency key (HTTP `Idempotency-Key`, a Kafka message id): same key, same effect, once. */
  readonly idempotencyKey?: string;
  /** The revision the caller based the command on (HTTP `If-Match`). */
  readonly expectedRevision?: bigint;
  /**
   * When the HTTP request arrived (`performance.now()`): a stream this request already read or
   * appended is not read again (`StreamFoldCache.load`'s `freshSince`). Absent: every read asks the store.
   */
  readonly freshSince?: number;
}

export interface Outcome<State, Event> {
  readonly state: State;
  readonly events: readonly Event[];
  readonly revision: bigint | null;
  readonly repeated: boolean;
}

export const reviewCodec = zodEventCodec<ReviewEvent>(reviewEventDefinitions);
export const licenceCodec = zodEventCodec<LicenceEvent>(licenceEventDefinitions);
export const itemCodec = zodEventCodec<ItemEvent>(itemEventDefinitions);

export const decisionIdOf = (caseId: string): string => `DEC-${caseId}`;
export const licenceIdOf = (caseId: string): string => `LIC-${caseId}`;

/**
 * Who issues a licence: the system, in consequence of the approval (Licensing Law Art. 44). The approval's
 * signers are on the decision; the licence follows from it either inline with the chief's signature or from
 * the catch-up issuer after a crash, and must be attributed the same way on both paths.
 */
export const LICENCE_ISSUER = { id: 'review-licence-issuer', role: 'system' } as const;

export class ReviewService {
  readonly deadlines: ReviewDeadlines;
  /** Notified with the stream name after every append here: a read held by `Prefer: wait` reads again. */
  readonly changes = new ChangeSignals();

  constructor(private readonly deps: ReviewServiceDeps) {
    this.deadlines = new ReviewDeadlines(deps.calendar);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  // ---- reading ----------------------------------------------------------

  // A case page polled while review waits, and every command, read only the events appended since the
  // last read of that stream (stream-fold-cache.ts; one cache per decider, shared in the process).
  private cacheOf<S, C, E extends DomainEvent>(decider: Decider<S, C, E>, codec: EventCodec<E>): StreamFoldCache<S, E> {
    return sharedFoldCache(this.deps.store, decider, codec);
  }

  // `freshSince` (a request's arrival, `CommandContext.freshSince`): a stream this request already read is not read again.
  private async load<S, E extends DomainEvent>(stream: string, decider: Decider<S, never, E>, codec: EventCodec<E>, freshSince?: number): Promise<{ state: S; revision: bigint | null }> {
    const { state, revision } = await this.cacheOf(decider, codec).load(this.deps.store, stream, { freshSince });
    return { state, revision };
  }

  readCase(caseId: string, freshSince?: number): Promise<{ state: ReviewState; revision: bigint | null }> {
    return this.load(reviewStream(caseId), reviewDecider as Decider<ReviewState, never, ReviewEvent>, reviewCodec, freshSince);
  }

  /** The open or decided case, or 404 (a case only noted from intake is not under review yet). */
  async getCase(caseId: string, freshSince?: number): Promise<{ state: OpenCase; revision: bigint }> {
    const { state, revision } = await this.readCase(caseId, freshSince);
    if (state.status !== 'open' && state.status !== 'decided') throw new NotFoundError(`no review case ${caseId}`);
    return { state, revision: revision as bigint };
  }

  readLicence(licenceId: string, freshSince?: number): Promise<{ state: LicenceState; revision: bigint | null }> {
    return this.load(licenceStream(licenceId), licenceDecider as Decider<LicenceState, never, LicenceEvent>, licenceCodec, freshSince);
  }

  readItem(itemCode: string): Promise<{ state: ItemState; revision: bigint | null }> {
    return this.load(itemStream(itemCode), itemDecider as Decider<ItemState, never, ItemEvent>, itemCodec);
  }

  // ---- writing ----------------------------------------------------------

  private async run<S, C, E extends DomainEvent>(
    stream: string,
    decider: Decider<S, C, E>,
    codec: EventCodec<E>,
    command: C,
    ctx: CommandContext,
    extra: { caseId?: string; guideVersion?: string; purpose: string; probablyNew?: boolean },
  ): Promise<Outcome<S, E>> {
    const seed = ctx.idempotencyKey === undefined ? undefined : `${stream}\u0000${extra.purpose}\u0000${ctx.actor.id}\u0000${ctx.idempotencyKey}`;
    let expectedRevision = ctx.expectedRevision;
    // A retry of a request that already succeeded replays it, whatever revision the caller saw then.
    if (seed !== undefined && expectedRevision !== undefined) {
      const firstId = deterministicEventId(seed, 0);
      if ((await this.cacheOf(decider, codec).load(this.deps.store, stream, { freshSince: ctx.freshSince })).ids.includes(firstId)) expectedRevision = undefined;
    }
    const result: CommandResult<S, E> = await handleCommand(this.deps.store, stream, decider, command, {
      cache: this.cacheOf(decider, codec),
      freshSince: ctx.freshSince,
      ...(extra.probablyNew === true && { probablyNew: true }),
      ...(seed !== undefined && { eventIds: deterministicEventIds(seed) }),
      ...(expectedRevision !== undefined && { expectedRevision }),
      metadata: {
        correlationId: ctx.correlationId,
        ...(ctx.causationId !== undefined && { causationId: ctx.causationId }),
        actor: ctx.actor,
        ...(extra.caseId !== undefined && { caseId: extra.caseId }),
        ...(extra.guideVersion !== undefined && { guideVersion: extra.guideVersion }),
      },
    });
    if (!result.alreadyAppended && result.events.length > 0) this.changes.notify(stream);
    return { state: result.state, events: result.events, revision: result.nextExpectedRevision, repeated: result.alreadyAppended };
  }

  private runReview(caseId: string, command: ReviewCommand, ctx: CommandContext, purpose: string, guideVersion?: string, probablyNew = false) {
    return this.run(reviewStream(caseId), reviewDecider, reviewCodec, command, ctx, { caseId, purpose, probablyNew, ...(guideVersion !== undefined && { guideVersion }) });
  }

  private runLicence(licenceId: string, caseId: string, command: LicenceCommand, ctx: CommandContext, purpose: string, probablyNew = false) {
    return this.run(licenceStream(licenceId), licenceDecider, licenceCodec, command, ctx, { caseId, purpose, probablyNew });
  }

  // ---- items --------------------------------------------------------------

  noteGuide(guide: Extract<ItemCommand, { type: 'NoteGuide' }>['data'], ctx: CommandContext) {
    return this.run(itemStream(guide.itemCode), itemDecider, itemCodec, { type: 'NoteGuide', data: guide }, ctx, { purpose: 'note-guide', guideVersion: guide.guideVersion });
  }

  /** An administrator's override of the catalog's facts (precedence: `../domain/item.ts`). */
  setReviewProfile(itemCode: string, profile: ReviewProfileInput, setBy: StaffRef, ctx: CommandContext) {
    const data = ReviewProfileSet.parse({ ...profile, itemCode, setBy, setAt: this.now() });
    return this.run(itemStream(itemCode), itemDecider, itemCodec, { type: 'SetReviewProfile', data }, ctx, { purpose: 'set-profile' });
  }

  // ---- from intake ----------------------------------------------------------

  noteSubmission(data: ReviewEventOf<'SubmissionNoted'>['data'], ctx: CommandContext) {
    // The case's first event here: decided without reading its (nearly always absent) stream first; a
    // redelivery finds the stream there and is answered from a fresh read.
    return this.runReview(data.caseId, { type: 'NoteSubmission', data }, ctx, 'note-submission', data.guideVersion, true);
  }

  /**
   * Opens the review when intake accepted the case. The lead department is the
   * submission's collaboration lead, else the guide's (catalog.guide-published.v2),
   * else the guide's implementing body, else the accepting clerk's department;
   * the assisting departments come from the same set-up.
   */
  async openReview(
    accepted: {
      caseId: string;
      itemCode: string;
      guideVersion: string;
      receiptId: string;
      acceptedOn: string;
      decisionDue: { date: string; provisional: boolean };
      statutoryDue: { date: string; provisional: boolean };
      acceptedByDepartment: string | null;
    },
    ctx: CommandContext,
    options: { waitForGuide?: boolean } = {},
  ): Promise<Outcome<ReviewState, ReviewEvent>> {
    const { state } = await this.readCase(accepted.caseId);
    if (state.status === 'none') {
      // intake publishes the submission before the acceptance on the same key, so this is out of order or lost.
      throw new RuleViolation('R-FLOW-1', `case ${accepted.caseId} was accepted but its submission was never seen`);
    }
    if (state.status !== 'noted') return { state, events: [], revision: null, repeated: true };
    const submission = state.submission;
    const item = await this.readItem(accepted.itemCode);
    const facts = itemFactsOf(item.state, accepted.itemCode, accepted.guideVersion);
    // The catalog's topic is not ordered with intake's: give its guide a moment to arrive before opening without it.
    if (!facts.guideKnown && options.waitForGuide) {
      throw new UnavailableError(`guide ${accepted.itemCode}@${accepted.guideVersion} not seen yet`, 1);
    }
    // R-COLLAB-1: the submission's own set-up (a joint application) wins over the guide's standing one.
    const collaboration = submission.collaboration ?? (facts.collaboration && { leadDepartment: facts.collaboration.leadDepartment, assistingDepartments: facts.collaboration.assistingDepartments });
    const leadDepartment = collaboration?.leadDepartment ?? facts.implementingBody ?? accepted.acceptedByDepartment;
    if (!leadDepartment) throw new RuleViolation('R-COLLAB-1', `case ${accepted.caseId}: no department owns the review`);
    const { guideKnown: _g, implementingBody: _b, collaboration: _c, ...itemFacts } = facts;
    return this.runReview(
      accepted.caseId,
      {
        type: 'OpenReview',
        data: {
          caseId: accepted.caseId,
          item: itemFacts,
          applicant: submission.applicant,
          leadDepartment,
          assistingDepartments: collaboration?.assistingDepartments ?? [],
          materials: submission.materials,
          receiptId: accepted.receiptId,
          acceptedOn: accepted.acceptedOn,
          decisionDue: accepted.decisionDue,
          statutoryDue: accepted.statutoryDue,
          openedAt: this.now(),
        },
      },
      ctx,
      'open-review',
      accepted.guideVersion,
    );
  }

  /** R-ACC-2: supplement time intake recorded; the part after acceptance is added to the decision limits. */
  async excludeSupplementTime(caseId: string, input: { noticeId: string; from: string; to: string }, ctx: CommandContext) {
    const { state } = await this.readCase(caseId, ctx.freshSince);
    if (state.status !== 'open') return { state, events: [], revision: null, repeated: true };
    // The decision limit counts from the day after acceptance: earlier days were never in it.
    const from = input.from > state.acceptedOn ? input.from : addDays(civilDate(state.acceptedOn), 1);
    const newDue = input.to > state.acceptedOn ? this.deadlines.afterSuspension(state.decisionDue, from, input.to) : state.decisionDue;
    const newStatutoryDue = input.to > state.acceptedOn ? this.deadlines.afterSuspension(state.statutoryDue, from, input.to) : state.statutoryDue;
    return this.runReview(caseId, { type: 'ExcludeSupplementTime', data: { ...input, newDue, newStatutoryDue } }, ctx, 'exclude-supplement');
  }

  /** R-ACC-2: intake reports that tolerated deficiencies lapsed; only a refusal may follow. */
  noteDeficiencyLapse(caseId: string, data: ReviewEventOf<'ToleratedDeficiencyLapsed'>['data'], ctx: CommandContext) {
    return this.runReview(caseId, { type: 'NoteDeficiencyLapse', data }, ctx, 'deficiency-lapse');
  }

  // ---- collaboration --------------------------------------------------------

  async requestOpinion(
    caseId: string,
    input: { department: string; question: string; dueInWorkingDays: number; materials?: readonly MaterialRef[] },
    requestedBy: StaffRef,
    ctx: CommandContext,
  ) {
    const now = this.deps.clock.now();
    return this.runReview(
      caseId,
      {
        type: 'RequestOpinion',
        data: {
          requestId: `OPN-${this.deps.ids.next()}`,
          department: input.department,
          question: input.question,
          ...(input.materials !== undefined && { materials: input.materials }),
          due: this.deadlines.after(this.deadlines.today(now), input.dueInWorkingDays),
          requestedAt: now.toISOString(),
          requestedBy,
        },
      },
      ctx,
      'request-opinion',
    );
  }

  giveOpinion(
    caseId: string,
    input: { requestId: string; opinion: 'concur' | 'concur-with-conditions' | 'object'; reasons: Reason[]; signedBy: StaffRef; givenAt?: string; channel: 'http' | 'kafka' },
    ctx: CommandContext,
  ) {
    return this.runReview(
      caseId,
      {
        type: 'GiveOpinion',
        data: {
          requestId: input.requestId,
          department: input.signedBy.department,
          opinion: input.opinion,
          reasons: input.reasons,
          givenAt: input.givenAt ?? this.now(),
          signedBy: input.signedBy,
          channel: input.channel,
        },
      },
      ctx,
      'give-opinion',
    );
  }

  // ---- signatures and the decision -----------------------------------------

  /**
   * Signs (R-REV-5). When the signature concludes the case, the decision
   * document is sealed first and appended against the revision it was built
   * from, so the seal always covers what is stored.
   */
  async sign(caseId: string, input: { role: SignatureRole; draft?: DecisionDraft; collectiveMinutesId?: string }, signer: StaffRef, ctx: CommandContext) {
    const { state, revision } = await this.readCase(caseId, ctx.freshSince);
    const command: SignDecision = {
      type: 'SignDecision',
      data: {
        role: input.role,
        signer,
        signedAt: this.now(),
        ...(input.draft !== undefined && { draft: input.draft }),
        ...(input.collectiveMinutesId !== undefined && { collectiveMinutesId: input.collectiveMinutesId }),
        decisionId: decisionIdOf(caseId),
      },
    };
    let seal: SealImprint | undefined;
    // A repeated request is answered from the store; only a fresh one is planned and sealed.
    const repeat = ctx.idempotencyKey !== undefined && (await this.isRepeat(reviewStream(caseId), 'sign', ctx));
    // If-Match first: a caller who saw an older case gets 412, whatever the rules would say of the newer one.
    if (!repeat && ctx.expectedRevision !== undefined && ctx.expectedRevision !== revision) {
      throw new ConcurrencyError(reviewStream(caseId), ctx.expectedRevision.toString(), revision === null ? 'no stream' : revision.toString());
    }
    if (!repeat) {
      const document = concludingDecision(command, state);
      if (document) seal = { kind: 'approval-business', sealId: this.deps.seal.sealId, ...(await this.deps.seal.sign(document)) };
    }
    const outcome = await this.runReview(caseId, { ...command, data: { ...command.data, ...(seal && { seal }) } }, {
      ...ctx,
      expectedRevision: ctx.expectedRevision ?? (repeat ? undefined : (revision ?? undefined)),
    }, 'sign');
    const made = outcome.events.find((e): e is ReviewEventOf<'DecisionMade'> => e.type === 'DecisionMade');
    // Issued by the same system actor as the catch-up issuer's: whichever path wins the race, the audit trail reads the same.
    if (made && made.data.outcome === 'approve') await this.ensureLicence(caseId, { actor: LICENCE_ISSUER, correlationId: ctx.correlationId, causationId: ctx.causationId ?? ctx.correlationId });
    return outcome;
  }

  private async isRepeat(stream: string, purpose: string, ctx: CommandContext): Promise<boolean> {
    const seed = `${stream}\u0000${purpose}\u0000${ctx.actor.id}\u0000${ctx.idempotencyKey}`;
    const firstId = deterministicEventId(seed, 0);
    return (await this.cacheOf(reviewDecider, reviewCodec).load(this.deps.store, stream, { freshSince: ctx.freshSince })).ids.includes(firstId);
  }

  // ---- time limit -------------------------------------------------------------

  async extendTimeLimit(
    caseId: string,
    input: { authority: 'agency-head' | 'government-head'; extensionWorkingDays: number; reason: Reason | null; applicantToldAt: string },
    approvedBy: StaffRef,
    ctx: CommandContext,
  ) {
    const { state } = await this.getCase(caseId, ctx.freshSince);
    const days = Math.max(0, Math.min(input.extensionWorkingDays, 15));
    return this.runReview(
      caseId,
      {
        type: 'ExtendTimeLimit',
        data: {
          authority: input.authority,
          extensionWorkingDays: input.extensionWorkingDays,
          reason: input.reason,
          approvedBy,
          applicantToldAt: input.applicantToldAt,
          newDue: this.deadlines.after(state.decisionDue.date, days, state.decisionDue.provisional),
          newStatutoryDue: this.deadlines.after(state.statutoryDue.date, days, state.statutoryDue.provisional),
          extendedAt: this.now(),
        },
      },
      ctx,
      'extend',
    );
  }

  suspendClock(
    caseId: string,
    input: { reason: SuspensionReason; from: string; note: string | null; noticeId: string; expectedWorkingDays: number; applicantToldAt: string | null },
    suspendedBy: StaffRef,
    ctx: CommandContext,
  ) {
    return this.runReview(caseId, { type: 'SuspendClock', data: { suspensionId: `SUS-${this.deps.ids.next()}`, ...input, suspendedBy } }, ctx, 'suspend');
  }

  async resumeClock(caseId: string, input: { to: string }, resumedBy: StaffRef, ctx: CommandContext) {
    const { state } = await this.getCase(caseId, ctx.freshSince);
    const running = state.suspensions.find((s) => s.to === null);
    const from = running?.from ?? input.to;
    return this.runReview(
      caseId,
      {
        type: 'ResumeClock',
        data: {
          to: input.to,
          newDue: this.deadlines.afterSuspension(state.decisionDue, from, input.to),
          newStatutoryDue: this.deadlines.afterSuspension(state.statutoryDue, from, input.to),
          resumedAt: this.now(),
          resumedBy,
        },
      },
      ctx,
      'resume',
    );
  }

  // ---- applicant and contacts -----------------------------------------------------

  requestLicenceForms(caseId: string, forms: LicenceForm[], ctx: CommandContext) {
    return this.runReview(caseId, { type: 'RequestLicenceForms', data: { forms, requestedAt: this.now() } }, ctx, 'licence-forms');
  }

  recordContact(caseId: string, input: { touchpoint: string; occurredAt: string; summary: string }, staff: StaffRef, ctx: CommandContext) {
    return this.runReview(
      caseId,
      { type: 'RecordContact', data: { contactId: `CT-${this.deps.ids.next()}`, touchpoint: input.touchpoint, staff, occurredAt: input.occurredAt, summary: input.summary, recordedAt: this.now() } },
      ctx,
      'contact',
    );
  }

  // ---- licences ----------------------------------------------------------------

  private async signLicence(
    licence: { licenceId: string; caseId: string; itemCode: string; resultName: string; holder: Applicant; validFrom: string },
    validUntil: string | null,
    signedAt: string,
  ): Promise<ElectronicLicence> {
    const signature = await this.deps.seal.sign(licenceDocument(licence, validUntil, signedAt));
    return { keyId: signature.keyId, algorithm: 'Ed25519', signature: signature.signature, validUntil, signedAt };
  }

  /**
   * Issues the licence unless someone else (the catch-up issuer, a parallel
   * request) just did: losing that race is success, not a 412.
   */
  async ensureLicence(caseId: string, ctx: CommandContext) {
    try {
      return await this.issueLicence(caseId, ctx);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      return this.issueLicence(caseId, ctx);
    }
  }

  /** Issues the licence of an approved case (Licensing Law Art. 44); a repeat finds it issued. */
  async issueLicence(caseId: string, ctx: CommandContext) {
    const licenceId = licenceIdOf(caseId);
    // A licence once issued stays issued (renewals extend it). When this process holds it issued, a repeat
    // (the issuer's catch-up of an approval the signature already issued) needs neither the case nor the
    // licence read: two of the three reads per licence in a megacity day.
    const kept = this.cacheOf(licenceDecider, licenceCodec).kept(licenceStream(licenceId));
    if (kept?.state.status === 'issued') return { state: kept.state, events: [], revision: kept.revision, repeated: true };
    const { state } = await this.getCase(caseId, ctx.freshSince);
    const decision = state.decision;
    if (!decision || decision.outcome !== 'approve') throw new RuleViolation('R-REV-3', `case ${caseId} has no approval to issue a licence for`);
    const issuedAt = this.now();
    const validFrom = shanghaiDateOf(decision.decidedAt);
    const months = state.item.licence.validityMonths;
    const validUntil = months === null ? null : addDays(civilDate(addMonths(validFrom, months)), -1);
    const base = { licenceId, caseId, itemCode: state.item.itemCode, resultName: state.item.resultName, holder: state.applicant, validFrom };
    const electronic = decision.licenceForms.includes('electronic') ? await this.signLicence(base, validUntil, issuedAt) : null;
    // The licence's stream is nearly always absent here: decided without reading it first (`probablyNew`). One
    // another process issued meanwhile makes the store refuse the append; decided again on the stream as it is,
    // IssueLicence adds nothing, and that is the repeat.
    const outcome = await this.runLicence(
      licenceId,
      caseId,
      {
        type: 'IssueLicence',
        data: {
          ...base,
          itemName: state.item.itemName,
          department: state.leadDepartment,
          forms: decision.licenceForms,
          electronic,
          validUntil,
          validityMonths: months,
          renewalLeadDays: state.item.licence.renewalLeadDays,
          renewalLeadUnit: state.item.licence.renewalLeadUnit,
          approvedAt: decision.decidedAt,
          issuedAt,
          withinIssueLimit: this.deadlines.withinIssueLimit(validFrom, shanghaiDateOf(issuedAt)),
        },
      },
      ctx,
      'issue',
      true,
    );
    return outcome.events.length === 0 ? { ...outcome, repeated: true } : outcome;
  }

  /** R-REV-2 / Art. 34: checks the seal of a case's decision against the decision as stored. */
  async verifyDecision(caseId: string) {
    const { state } = await this.getCase(caseId);
    const decision = state.decision;
    if (!decision) throw new NotFoundError(`case ${caseId} has no decision yet`);
    const { seal, ...unsealed } = decision;
    const document = decisionDocument(state, unsealed as UnsealedDecision);
    const signatureValid = await this.deps.seal.verify(document, { keyId: seal.keyId, algorithm: seal.algorithm, signature: seal.signature });
    return { caseId, decisionId: decision.decisionId, outcome: decision.outcome, sealId: seal.sealId, keyId: seal.keyId, signatureValid };
  }

  async getLicence(licenceId: string, freshSince?: number): Promise<{ state: Extract<LicenceState, { status: 'issued' }>; revision: bigint }> {
    const { state, revision } = await this.readLicence(licenceId, freshSince);
    if (state.status !== 'issued') throw new NotFoundError(`no licence ${licenceId}`);
    return { state, revision: revision as bigint };
  }

  /** Verifies an e-licence: the seal signature over the document as stored, and whether it is in force today. */
  async verifyLicence(licenceId: string) {
    const { state } = await this.getLicence(licenceId);
    const today = this.deadlines.today(this.deps.clock.now());
    const e = state.electronic;
    const document = e ? licenceDocument(state.licence, e.validUntil, e.signedAt) : null;
    const signatureValid = e && document ? await this.deps.seal.verify(document, { keyId: e.keyId, algorithm: e.algorithm, signature: e.signature }) : false;
    const inForce = today >= state.licence.validFrom && (state.validUntil === null || today <= state.validUntil);
    return { licenceId, electronic: e !== null, signatureValid, inForce, validFrom: state.licence.validFrom, validUntil: state.validUntil, document, signature: e };
  }

  async applyForRenewal(licenceId: string, ctx: CommandContext) {
    const { state } = await this.getLicence(licenceId, ctx.freshSince);
    const { renewalLeadDays, renewalLeadUnit } = state.licence;
    const applyBy = state.validUntil === null ? undefined : this.deadlines.renewalApplyBy(state.validUntil, renewalLeadDays, renewalLeadUnit);
    return this.runLicence(
      licenceId,
      state.licence.caseId,
      { type: 'ApplyForRenewal', data: { renewalId: `RNW-${this.deps.ids.next()}`, appliedAt: this.now(), ...(applyBy !== undefined && { applyBy }) } },
      ctx,
      'apply-renewal',
    );
  }

  async decideRenewal(licenceId: string, input: { renewalId: string; outcome: 'grant' } | { renewalId: string; outcome: 'refuse'; reasons: Reason[] }, decidedBy: StaffRef, ctx: CommandContext) {
    const { state } = await this.getLicence(licenceId, ctx.freshSince);
    const decidedAt = this.now();
    if (input.outcome === 'refuse') {
      return this.runLicence(licenceId, state.licence.caseId, { type: 'DecideRenewal', data: { ...input, decidedAt, decidedBy } }, ctx, 'decide-renewal');
    }
    const renewedUntil = renewedUntilOf(state);
    const electronic = state.licence.forms.includes('electronic') && renewedUntil ? await this.signLicence(state.licence, renewedUntil, decidedAt) : null;
    return this.runLicence(licenceId, state.licence.caseId, { type: 'DecideRenewal', data: { ...input, electronic, decidedAt, decidedBy } }, ctx, 'decide-renewal');
  }

  /**
   * R-REV-4: fired at expiry (by supervision's deadline, or an operator);
   * idempotent: a duplicate firing or a renewal decided in time changes nothing.
   */
  async deemRenewalGranted(licenceId: string, ctx: CommandContext) {
    const { state } = await this.getLicence(licenceId, ctx.freshSince);
    const at = this.now();
    const pending = state.renewals.some((r) => r.outcome === 'pending');
    const renewedUntil = renewedUntilOf(state);
    const electronic = pending && state.licence.forms.includes('electronic') && renewedUntil ? await this.signLicence(state.licence, renewedUntil, at) : null;
    return this.runLicence(licenceId, state.licence.caseId, { type: 'DeemRenewalGranted', data: { at, electronic } }, ctx, 'deem-renewal');
  }
}
