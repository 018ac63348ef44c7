/**
 * Evaluation's use cases: read a stream, ask its decider, append with the
 * revision read (`handleCommand`), so a second rating racing the first for one
 * occasion ends in a ConcurrencyError (412) and, retried, in the R-EVAL-2
 * refusal. Time, ids and working-day arithmetic enter here, as data for the
 * deciders.
 *
 * Idempotency: the caller's key (HTTP `Idempotency-Key`, a Kafka message id)
 * seeds deterministic event ids; a repeated request finds its events stored
 * and gets the original result (the same rating id) without a second decision.
 */
import { computeDeadline } from '@govsvc/calendar/deadline';
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { ConcurrencyError, NotFoundError } from '@govsvc/errors/errors';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import type { Decider } from '@govsvc/eventstore/decider';
import type { DomainEvent, EventCodec } from '@govsvc/eventstore/event-codec';
import { deterministicEventIds } from '@govsvc/eventstore/event-ids';
import type { Actor, EventStore } from '@govsvc/eventstore/port';
import { sharedFoldCache } from '@govsvc/eventstore/stream-fold-cache';
import type { Clock } from '@govsvc/runtime/clock';
import { deterministicId, type IdGenerator } from '@govsvc/runtime/ids';
import { complaintDecider, type ComplaintChannel, type ComplaintCommand, type ComplaintEvent, type ComplaintState } from '../domain/complaint/complaint.ts';
import {
  consultationDecider,
  phoneCallDecider,
  type ConsultationChannel,
  type ConsultationEvent,
  type ConsultationState,
} from '../domain/consultation/consultation.ts';
import type { EvaluationCommand, EvaluationCommandOf } from '../domain/evaluation/commands.ts';
import { evaluationDecider } from '../domain/evaluation/decider.ts';
import type { EvaluationEvent } from '../domain/evaluation/events.ts';
import type { EvaluationState } from '../domain/evaluation/state.ts';
import type { IndicatorScores, Occasion, RatingChannel, RatingLevel, Staff } from '../domain/values.ts';
import {
  complaintCodec,
  complaintStream,
  consultationCodec,
  consultationStream,
  evaluationCodec,
  evaluationStream,
  phoneCallCodec,
  phoneCallStream,
} from './streams.ts';

/**
 * The handling limit of a complaint when its channel brings none: 5 working
 * days, the promise this deployment publishes (a 12345 work order carries its
 * own limit, which wins). Configurable per deployment.
 */
export const DEFAULT_COMPLAINT_LIMIT_WORKING_DAYS = 5;

/** Appends tried before a ConcurrencyError reaches the caller (412). */
const CONCURRENCY_RETRIES = 3;

export interface EvaluationServiceDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly calendar: WorkingCalendar;
  readonly complaintLimitWorkingDays?: number;
}

/** Who asks, and the thread of causes the command belongs to. */
export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
  /** Same key, same effect, once. */
  readonly idempotencyKey?: string;
}

export interface Outcome<State, Event> {
  readonly state: State;
  readonly events: readonly Event[];
  readonly revision: bigint | null;
  /** The request had been handled before: these are its stored events. */
  readonly repeated: boolean;
}

export interface RatingInput {
  readonly occasion: Occasion;
  readonly channel: RatingChannel;
  readonly level: RatingLevel;
  readonly indicators: IndicatorScores;
  readonly comment: string | null;
  readonly named: boolean;
}

export interface ComplaintInput {
  readonly channel: ComplaintChannel;
  readonly caseId: string | null;
  readonly serviceCentre: string | null;
  readonly department: string;
  readonly summary: string;
  readonly complainantRef: string | null;
  readonly limitWorkingDays: number | null;
}

export interface ConsultationInput {
  readonly channel: ConsultationChannel;
  readonly serviceCentre: string | null;
  readonly questions: readonly string[];
  readonly caseId: string | null;
  readonly promisedBy: string | null;
}

export class EvaluationService {
  constructor(private readonly deps: EvaluationServiceDeps) {}

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  /**
   * The id of a thing this request creates. With an idempotency key it derives from the caller and
   * the key, so a retried request addresses the same stream and finds its events there instead of
   * creating a second complaint or consultation.
   */
  private newId(prefix: string, ctx: CommandContext): string {
    return ctx.idempotencyKey === undefined ? `${prefix}-${this.deps.ids.next()}` : `${prefix}-${deterministicId(prefix, `${ctx.actor.id}\u0000${ctx.idempotencyKey}`)}`;
  }

  // ---- reading ----------------------------------------------------------

  // Reads and commands ask the store only for the events after the state kept from the last read of
  // the stream (stream-fold-cache.ts; one cache per decider, shared in the process).
  private async load<S, E extends DomainEvent>(stream: string, decider: Decider<S, never, E>, codec: EventCodec<E>): Promise<{ state: S; revision: bigint | null }> {
    const { state, revision } = await sharedFoldCache(this.deps.store, decider, codec).load(this.deps.store, stream);
    return { state, revision };
  }

  readCase(caseId: string): Promise<{ state: EvaluationState; revision: bigint | null }> {
    return this.load(evaluationStream(caseId), evaluationDecider as Decider<EvaluationState, never, EvaluationEvent>, evaluationCodec);
  }

  /** The case as evaluation knows it, or 404 when intake never told about it. */
  async getCase(caseId: string): Promise<EvaluationState> {
    const { state } = await this.readCase(caseId);
    if (!state.facts) throw new NotFoundError(`no case ${caseId}`);
    return state;
  }

  async getComplaint(complaintId: string): Promise<ComplaintState> {
    const { state } = await this.load(complaintStream(complaintId), complaintDecider as Decider<ComplaintState, never, ComplaintEvent>, complaintCodec);
    if (!state.received) throw new NotFoundError(`no complaint ${complaintId}`);
    return state;
  }

  async getConsultation(consultationId: string): Promise<ConsultationState> {
    const { state } = await this.load(
      consultationStream(consultationId),
      consultationDecider as Decider<ConsultationState, never, ConsultationEvent>,
      consultationCodec,
    );
    if (!state.recorded) throw new NotFoundError(`no consultation ${consultationId}`);
    return state;
  }

  // ---- writing ----------------------------------------------------------

  private async run<S, C, E extends DomainEvent>(
    stream: string,
    decider: Decider<S, C, E>,
    codec: EventCodec<E>,
    command: C,
    ctx: CommandContext,
    extra: { caseId?: string; purpose: string; probablyNew?: boolean },
  ): Promise<Outcome<S, E>> {
    const seed = ctx.idempotencyKey === undefined ? undefined : `${stream}\u0000${extra.purpose}\u0000${ctx.actor.id}\u0000${ctx.idempotencyKey}`;
    const attempt = () => handleCommand(this.deps.store, stream, decider, command, {
      cache: sharedFoldCache(this.deps.store, decider, codec),
      ...(extra.probablyNew === true && { probablyNew: true }),
      ...(seed !== undefined && { eventIds: deterministicEventIds(seed) }),
      metadata: {
        correlationId: ctx.correlationId,
        ...(ctx.causationId !== undefined && { causationId: ctx.causationId }),
        actor: ctx.actor,
        ...(extra.caseId !== undefined && { caseId: extra.caseId }),
      },
    });
    // A case stream is also written by the consumer (acceptance, delivery): a rating can lose the
    // append race to such a fact. Deciding again on the fresh state is what the caller meant and
    // cannot bypass a rule (a second rating of the occasion is still refused), so a few retries
    // beat a 412 the caller could do nothing about. Callers here send no If-Match.
    let result: Awaited<ReturnType<typeof attempt>>;
    for (let tries = 1; ; tries++) {
      try {
        result = await attempt();
        break;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || tries >= CONCURRENCY_RETRIES) throw error;
      }
    }
    return { state: result.state, events: result.events, revision: result.nextExpectedRevision, repeated: result.alreadyAppended };
  }

  private runCase(caseId: string, command: EvaluationCommand, ctx: CommandContext, purpose: string, probablyNew = false) {
    return this.run(evaluationStream(caseId), evaluationDecider, evaluationCodec, command, ctx, { caseId, purpose, probablyNew });
  }

  // ---- from intake and delivery -----------------------------------------

  registerCase(data: EvaluationCommandOf<'RegisterCase'>['data'], ctx: CommandContext) {
    // The case's first event here (its submission): decided without reading its stream first.
    return this.runCase(data.caseId, { type: 'RegisterCase', data }, ctx, 'register-case', true);
  }

  assignDepartment(data: EvaluationCommandOf<'AssignDepartment'>['data'], ctx: CommandContext) {
    return this.runCase(data.caseId, { type: 'AssignDepartment', data }, ctx, 'assign-department');
  }

  inviteRating(data: Omit<EvaluationCommandOf<'InviteRating'>['data'], 'invitedAt' | 'invitationId'>, ctx: CommandContext) {
    return this.runCase(data.caseId, { type: 'InviteRating', data: { ...data, invitationId: `INV-${this.deps.ids.next()}`, invitedAt: this.now() } }, ctx, 'invite');
  }

  // ---- ratings and rectification -------------------------------------------

  /** Returns the outcome; the rating id is in its first event (the original one on a repeat). */
  submitRating(caseId: string, input: RatingInput, raterRef: string, ctx: CommandContext) {
    return this.runCase(
      caseId,
      { type: 'SubmitRating', data: { caseId, ratingId: `RT-${this.deps.ids.next()}`, ...input, raterRef, submittedAt: this.now() } },
      ctx,
      'rate',
    );
  }

  verify(caseId: string, ratingId: string, input: { finding: 'substantiated' | 'unreasonable'; note: string }, by: Staff, ctx: CommandContext) {
    return this.runCase(caseId, { type: 'VerifyRectification', data: { ratingId, ...input, by, at: this.now() } }, ctx, `verify:${ratingId}`);
  }

  recordCallback(caseId: string, ratingId: string, input: { reached: boolean; summary: string }, by: Staff, ctx: CommandContext) {
    return this.runCase(caseId, { type: 'RecordCallback', data: { ratingId, ...input, by, at: this.now() } }, ctx, `callback:${ratingId}`);
  }

  giveFeedback(caseId: string, ratingId: string, input: { outcome: 'rectified' | 'explained'; measures: string; feedback: string }, by: Staff, ctx: CommandContext) {
    return this.runCase(caseId, { type: 'GiveFeedback', data: { ratingId, ...input, by, at: this.now() } }, ctx, `feedback:${ratingId}`);
  }

  appeal(caseId: string, ratingId: string, reason: string, raterRef: string, ctx: CommandContext) {
    return this.runCase(caseId, { type: 'AppealRating', data: { ratingId, raterRef, reason, at: this.now() } }, ctx, `appeal:${ratingId}`);
  }

  decideAppeal(caseId: string, ratingId: string, input: { outcome: 'dismissed' | 'reopened'; reason: string }, by: string, ctx: CommandContext) {
    return this.runCase(caseId, { type: 'DecideAppeal', data: { ratingId, ...input, by, at: this.now() } }, ctx, `appeal-decision:${ratingId}`);
  }

  requestReview(caseId: string, ratingId: string, reason: string, by: Staff, ctx: CommandContext) {
    return this.runCase(caseId, { type: 'RequestReview', data: { ratingId, reason, by, at: this.now() } }, ctx, `review-request:${ratingId}`);
  }

  review(caseId: string, ratingId: string, input: { outcome: 'stands' | 'mistaken' | 'malicious'; reason: string }, by: string, ctx: CommandContext) {
    return this.runCase(caseId, { type: 'ReviewRating', data: { ratingId, ...input, by, at: this.now() } }, ctx, `review:${ratingId}`);
  }

  // ---- complaints ---------------------------------------------------------

  receiveComplaint(input: ComplaintInput, ctx: CommandContext) {
    const complaintId = this.newId('CP', ctx);
    const receivedAt = this.now();
    const limitWorkingDays = input.limitWorkingDays ?? this.deps.complaintLimitWorkingDays ?? DEFAULT_COMPLAINT_LIMIT_WORKING_DAYS;
    // Counted on the statutory calendar from the day after receipt; provisional past the published years.
    const deadline = computeDeadline(this.deps.calendar, { start: shanghaiDateOf(receivedAt), workingDays: limitWorkingDays });
    const command: ComplaintCommand = {
      type: 'ReceiveComplaint',
      data: { complaintId, ...input, receivedAt, limitWorkingDays, dueDate: deadline.due, provisional: deadline.provisional },
    };
    return this.run(complaintStream(complaintId), complaintDecider, complaintCodec, command, ctx, {
      purpose: 'complaint',
      ...(input.caseId !== null && { caseId: input.caseId }),
    });
  }

  answerComplaint(complaintId: string, input: { answer: string; handling: string }, by: Staff, ctx: CommandContext) {
    return this.run(complaintStream(complaintId), complaintDecider, complaintCodec, { type: 'AnswerComplaint', data: { complaintId, ...input, by, at: this.now() } }, ctx, {
      purpose: 'answer',
    });
  }

  // ---- consultations --------------------------------------------------------

  recordConsultation(input: ConsultationInput, firstResponder: Staff, ctx: CommandContext) {
    const consultationId = this.newId('CS', ctx);
    return this.run(
      consultationStream(consultationId),
      consultationDecider,
      consultationCodec,
      { type: 'RecordConsultation', data: { consultationId, ...input, questions: [...input.questions], department: firstResponder.department, firstResponder, receivedAt: this.now() } },
      ctx,
      { purpose: 'consultation', ...(input.caseId !== null && { caseId: input.caseId }) },
    );
  }

  answerConsultation(consultationId: string, answers: readonly string[], by: Staff, ctx: CommandContext) {
    return this.run(consultationStream(consultationId), consultationDecider, consultationCodec, { type: 'AnswerConsultation', data: { consultationId, answers, by, at: this.now() } }, ctx, {
      purpose: 'answer',
    });
  }

  logPhoneCall(data: { callId: string; serviceCentre: string; receivedAt: string; answeredOnFirstAttempt: boolean }, ctx: CommandContext) {
    return this.run(phoneCallStream(data.callId), phoneCallDecider, phoneCallCodec, { type: 'LogPhoneCall', data }, ctx, { purpose: 'call' });
  }
}
