/**
 * Command handlers and queries of applications: where time, ids, the
 * calendar, the guide projection, data sharing and the seal meet the pure
 * decider. Each command reads the stream, decides, and appends with the
 * revision it read: a concurrent command on the same case gets
 * ConcurrencyError (412) and nothing of it is stored.
 */
import { ApplicantContact, sealContact, type ContactKeyring } from '@govsvc/contracts/sealed-contact';
import { checkResidentId } from '@govsvc/identifiers/resident-id';
import { checkUscc } from '@govsvc/identifiers/uscc';
import { ConcurrencyError, NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { EventIdConflictError } from '@govsvc/eventstore/errors';
import { handleCommand } from '@govsvc/eventstore/command-handler';
import { fold } from '@govsvc/eventstore/decider';
import { toNewEvents, zodEventCodec } from '@govsvc/eventstore/event-codec';
import { deterministicEventIds } from '@govsvc/eventstore/event-ids';
import type { EventMetadataInput, EventStore, StoredEvent } from '@govsvc/eventstore/port';
import { sharedFoldCache } from '@govsvc/eventstore/stream-fold-cache';
import type { Clock } from '@govsvc/runtime/clock';
import { deterministicId, type IdGenerator } from '@govsvc/runtime/ids';
import { applicationDecider, applicationEventDefinitions, applicationStream } from '../domain/application/decider.ts';
import { draftDocument } from '../domain/application/decide-outcomes.ts';
import type { ApplicationCommand, IssuingCommand, RecordInboundMaterials, SubmitApplication } from '../domain/application/commands.ts';
import type { ApplicationEvent, DeliveryPreferences, Staff } from '../domain/application/events.ts';
import type { ApplicationState } from '../domain/application/state.ts';
import { maskIdentifier, type Deficiency, type Reason, type ReceivedMaterial, type SealedDocument } from '../domain/document.ts';
import type { CaseNumberAllocator } from './case-number-allocator.ts';
import type { CaseIndex } from './case-index.ts';
import { CaseStates, type CaseSnapshot } from './case-states.ts';
import type { Centres } from './centres.ts';
import type { GuideMaterial } from '../domain/guide.ts';
import { sharedReference, type DataSharing, type SharedRecord } from './data-sharing.ts';
import type { Deadlines } from './deadlines.ts';
import type { GuideCatalog } from './guides.ts';
import { chooseSeal, verifySealedDocument, type SealRegistration, type SealSigner, type Verification } from './seal.ts';

export const applicationCodec = zodEventCodec<ApplicationEvent>(applicationEventDefinitions);

/** Who acts, as the HTTP layer authenticated them. */
export interface Caller {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly centre?: string;
  readonly department?: string;
  readonly correlationId: string;
  /** Idempotency-Key of the request: a retry with the same key returns the first result. */
  readonly idempotencyKey?: string;
}

export interface SubmitInput {
  readonly itemCode: string;
  readonly applicant: { readonly kind: 'person' | 'enterprise'; readonly id: string; readonly name: string };
  readonly channel: 'online' | 'mobile' | 'window';
  readonly materials: readonly { readonly materialId: string; readonly form: 'electronic' | 'paper'; readonly reference: string }[];
  readonly sharedConfirmations: readonly { readonly materialId: string; readonly recordId: string; readonly revision: number }[];
  /** How the applicant is told progress and gets the result (R-NOTIFY-1, R-DELIV-1); the contact is sealed before it is stored. */
  readonly delivery: {
    readonly notificationChannels: readonly ('sms' | 'email' | 'phone')[];
    readonly resultDelivery: DeliveryPreferences['resultDelivery'];
    readonly contact: ApplicantContact;
  };
}

export interface OutcomeResult {
  readonly caseId: string;
  readonly caseNumber: string;
  readonly status: ApplicationState['status'];
  readonly events: readonly string[];
  readonly document: { readonly documentId: string; readonly kind: string; readonly title: string } | null;
}

export interface ApplicationServiceDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly centres: Centres;
  readonly deadlines: Deadlines;
  readonly guides: GuideCatalog;
  readonly dataSharing: DataSharing;
  /** Hands out case numbers (a database sequence per region and day): no submission waits for another. */
  readonly caseNumbers: CaseNumberAllocator;
  /** The applicants' and centres' case lists (a projection of submitted cases). */
  readonly index: CaseIndex;
  readonly signer: SealSigner;
  readonly seals: readonly SealRegistration[];
  /** Default supplement period of a notice, in working days. */
  readonly supplementWorkingDays: number;
  /** Seals applicants' contact details; delivery and courier hold the same keys to open them. */
  readonly contactKeys: ContactKeyring;
  /** Cross-department items and their departments (R-COLLAB-1): intake is their one window. */
  readonly collaborations: readonly ItemCollaboration[];
}

export interface ItemCollaboration {
  readonly itemCode: string;
  readonly leadDepartment: string;
  readonly assistingDepartments: readonly string[];
}

const STAFF_ROLES = ['supervisor', 'integration', 'admin'];

export class ApplicationService {
  private readonly d: ApplicationServiceDeps;
  private readonly index: CaseIndex;
  private readonly states: CaseStates<ApplicationState>;

  constructor(deps: ApplicationServiceDeps) {
    this.d = deps;
    this.index = deps.index;
    this.states = new CaseStates(deps.store, applicationStream, sharedFoldCache(deps.store, applicationDecider, applicationCodec));
  }

  /** The guide version a submission made now would bind to (R-CAT-13: the one published version every channel reads). */
  async guideNow(itemCode: string) {
    const guide = await this.d.guides.inForceNow(itemCode, this.d.clock.now());
    if (!guide) throw new NotFoundError(`${itemCode} is not an item of the catalog with a guide in force (R-CAT-1)`);
    return guide;
  }

  /** Shared records the applicant will be asked to confirm for an item (R-CAT-10); an applicant sees only their own. */
  async sharedRecordsFor(itemCode: string, applicant: { kind: 'person' | 'enterprise'; id: string }, caller: Caller): Promise<SharedRecord[]> {
    const applicantId = this.validIdentifier(applicant.kind, applicant.id, this.d.deadlines.today(this.d.clock.now()));
    if (!caller.roles.includes('clerk') && caller.subject !== applicantRefOf(applicantId)) {
      throw new RuleViolation('R-ID-1', 'an applicant looks up only the records held about themselves');
    }
    const guide = await this.guideInForce(itemCode);
    const records = await Promise.all(guide.materials.filter((m) => m.fromDataSharing).map((m) => this.d.dataSharing.fetch(m, applicantId)));
    return records.filter((r): r is SharedRecord => r !== null);
  }

  async submit(input: SubmitInput, caller: Caller): Promise<OutcomeResult & { alreadySubmitted: boolean }> {
    const now = this.d.clock.now();
    const today = this.d.deadlines.today(now);
    const applicantId = this.validIdentifier(input.applicant.kind, input.applicant.id, today);
    const guide = await this.guideInForce(input.itemCode);
    const atWindow = input.channel === 'window';
    if (atWindow && !caller.roles.includes('clerk')) throw new RuleViolation('R-ACC-1', 'a window submission is made by the clerk at the window');
    if (!atWindow && !caller.roles.includes('applicant')) throw new RuleViolation('R-ACC-1', 'online submissions are made by the applicant');
    const centre = atWindow ? this.d.centres.get(this.centreOf(caller)) : this.d.centres.handlingCentreFor(guide.itemCode);
    const receivedBy = atWindow ? this.d.centres.staff(centre.centreId, caller.subject) : null;
    if (!atWindow && caller.subject !== applicantRefOf(applicantId)) {
      // One identity (R-ID-1, R-PLAT-3): online, an applicant applies under the identity they signed in with.
      throw new RuleViolation('R-ID-1', 'online, an application is made under the identity the applicant signed in with');
    }

    const caseId = caller.idempotencyKey ? deterministicId('intake-case', `${caller.subject}|${caller.idempotencyKey}`) : this.d.ids.next();
    const stream = applicationStream(caseId);
    const earlier = caller.idempotencyKey ? await this.earlierSubmission(caseId, applicantId, input.itemCode) : null;
    if (earlier) return earlier;

    const delivery = this.deliveryPreferences(input.delivery, caseId);
    const { materials, sharedAvailable } = await this.receivedMaterials(guide.materials.filter((m) => m.fromDataSharing), applicantId, input);
    const command: SubmitApplication = {
      type: 'SubmitApplication',
      caseId,
      caseNumber: 'pending',
      guide,
      applicant: {
        kind: input.applicant.kind,
        id: applicantId,
        name: input.applicant.name,
        ref: applicantRefOf(applicantId),
      },
      channel: input.channel,
      centre: { centreId: centre.centreId, region: centre.region, entrustedBody: centre.entrustedBody ?? entrustedImplementer(this.d.seals, guide.implementingBody) },
      materials,
      sharedAvailable,
      delivery,
      collaboration: this.collaborationFor(guide.itemCode),
      receivedBy,
      submittedAt: now.toISOString(),
      receivedOn: today,
      acceptanceDue: this.d.deadlines.after(today, 1),
      noticeDue: this.d.deadlines.after(today, 5),
    };
    // Refuse bad input before a case number is spent: nothing is stored for a refused application.
    applicationDecider.decide(command, applicationDecider.initialState());
    const caseNumber = await this.d.caseNumbers.next(centre.region, today);
    // A new case: its stream is empty by construction (fresh id, or none stored under this key a moment ago), so
    // no read before the append; 'no_stream' makes the store refuse it if that changed. One append, one commit: the
    // applicants' and centres' lists are indexed from it afterwards (case-index.ts), not appended to here.
    const events = applicationDecider.decide({ ...command, caseNumber }, applicationDecider.initialState());
    const ids = deterministicEventIds(`${caseId}|submit`);
    try {
      await this.d.store.appendToStream(stream, toNewEvents(events, applicationCodec, events.map((_, i) => ids(i)), this.metadata(caller, caseId, guide.guideVersion, receivedBy)), {
        expectedRevision: 'no_stream',
      });
    } catch (error) {
      // The same Idempotency-Key twice at once: the other request stored the case (with its own number; ours is burned).
      if (!caller.idempotencyKey || !(error instanceof ConcurrencyError || error instanceof EventIdConflictError)) throw error;
      const first = await this.earlierSubmission(caseId, applicantId, input.itemCode);
      if (!first) throw error;
      return first;
    }
    return { ...this.result(fold(applicationDecider, events), events), alreadySubmitted: false };
  }

  /** The first result of a submission made before with this case id (same Idempotency-Key); null when there was none. */
  private async earlierSubmission(caseId: string, applicantId: string, itemCode: string): Promise<(OutcomeResult & { alreadySubmitted: boolean }) | null> {
    const existing = await this.d.store.readStream(applicationStream(caseId));
    if (existing.length === 0) return null;
    const state = this.fold(existing);
    if (state.applicant?.id !== applicantId || state.guide?.itemCode !== itemCode) {
      throw new RuleViolation('R-ACC-1', 'this Idempotency-Key was used for a different application');
    }
    // The first result: the submission's own events and the state right after them, whatever happened since.
    const ids = deterministicEventIds(`${caseId}|submit`);
    const own = existing.filter((e, i) => e.id === ids(i));
    return { ...this.result(this.fold(own), own.map((e) => applicationCodec.decode(e))), alreadySubmitted: true };
  }

  async accept(caseId: string, caller: Caller, ifMatch?: bigint): Promise<OutcomeResult> {
    const staff = this.staffOf(caller);
    return this.issue(caseId, caller, ifMatch, 'accept', staff, (state, documentId, at, today) => ({
      type: 'AcceptApplication',
      documentId,
      at,
      seal: this.sealFor(state),
      acceptor: staff,
      decisionDue: this.d.deadlines.after(today, state.guide!.promisedLimitWorkingDays),
      statutoryDue: this.d.deadlines.after(today, state.guide!.statutoryLimitWorkingDays),
    }));
  }

  async requestSupplement(caseId: string, caller: Caller, body: { items: readonly Deficiency[]; deadlineWorkingDays?: number }, ifMatch?: bigint): Promise<OutcomeResult> {
    const staff = this.staffOf(caller);
    return this.issue(caseId, caller, ifMatch, 'supplement-notice', staff, (state, documentId, at, today) => ({
      type: 'RequestSupplement',
      documentId,
      at,
      seal: this.sealFor(state),
      acceptor: staff,
      items: body.items,
      deadline: this.d.deadlines.after(today, body.deadlineWorkingDays ?? this.d.supplementWorkingDays),
    }));
  }

  async acceptWithToleratedDeficiencies(
    caseId: string,
    caller: Caller,
    body: { items: readonly Deficiency[]; deadlineWorkingDays?: number },
    ifMatch?: bigint,
  ): Promise<OutcomeResult> {
    const staff = this.staffOf(caller);
    return this.issue(caseId, caller, ifMatch, 'tolerated', staff, (state, documentId, at, today) => ({
      type: 'AcceptWithToleratedDeficiencies',
      documentId,
      at,
      seal: this.sealFor(state),
      acceptor: staff,
      items: body.items,
      deadline: this.d.deadlines.after(today, body.deadlineWorkingDays ?? this.d.supplementWorkingDays),
      decisionDue: this.d.deadlines.after(today, state.guide!.promisedLimitWorkingDays),
      statutoryDue: this.d.deadlines.after(today, state.guide!.statutoryLimitWorkingDays),
    }));
  }

  async notAccept(caseId: string, caller: Caller, body: { reasons: readonly Reason[] }, ifMatch?: bigint): Promise<OutcomeResult> {
    const staff = this.staffOf(caller);
    return this.issue(caseId, caller, ifMatch, 'not-accept', staff, (state, documentId, at) => ({
      type: 'NotAcceptApplication',
      documentId,
      at,
      seal: this.sealFor(state),
      acceptor: staff,
      reasons: body.reasons,
    }));
  }

  /** Licensing Law Art. 32, on supervision's word: no notice within 5 working days. */
  async deemAccepted(caseId: string, caller: Caller): Promise<OutcomeResult> {
    return this.issue(caseId, caller, undefined, 'deemed', null, (state, documentId, at) => ({
      type: 'DeemAccepted',
      documentId,
      at,
      // Nobody accepted: the department itself stands behind the written notice.
      seal: this.sealFor(state, true),
      decisionDue: this.d.deadlines.after(state.receivedOn, state.guide!.promisedLimitWorkingDays),
      statutoryDue: this.d.deadlines.after(state.receivedOn, state.guide!.statutoryLimitWorkingDays),
    }));
  }

  async receiveSupplement(caseId: string, caller: Caller, input: Pick<SubmitInput, 'materials' | 'sharedConfirmations'> & { channel: 'online' | 'mobile' | 'window' }): Promise<OutcomeResult> {
    const { state } = await this.load(caseId, caller);
    const atWindow = input.channel === 'window';
    const receivedBy = atWindow ? this.staffOf(caller) : null;
    const now = this.d.clock.now();
    const today = this.d.deadlines.today(now);
    // Only shared materials the open notice asks for are looked up again: the rest were received already.
    const asked = state.openNotice?.items.map((i) => i.materialId) ?? [];
    const shared = state.guide!.materials.filter((m) => state.sharedAvailable.includes(m.materialId) && asked.includes(m.materialId));
    const { materials } = await this.receivedMaterials(shared, state.applicant!.id, input);
    return this.run(caseId, caller, state, 'supplement', {
      type: 'ReceiveSupplement',
      materials,
      channel: input.channel,
      receivedBy,
      at: now.toISOString(),
      receivedOn: today,
      acceptanceDue: this.d.deadlines.after(today, 1),
    }, receivedBy);
  }

  async confirmToleratedSupplement(caseId: string, caller: Caller): Promise<OutcomeResult> {
    const { state } = await this.load(caseId, caller);
    const staff = this.staffOf(caller);
    return this.run(caseId, caller, state, 'confirm-tolerated', { type: 'ConfirmToleratedSupplement', acceptor: staff, at: this.d.clock.now().toISOString() }, staff);
  }

  async lapseToleratedDeficiency(caseId: string, caller: Caller, body: { cause: 'not-supplemented' | 'still-defective'; reasons: readonly Reason[] }): Promise<OutcomeResult> {
    const { state } = await this.load(caseId, caller);
    return this.run(caseId, caller, state, 'lapse', { type: 'LapseToleratedDeficiency', cause: body.cause, reasons: body.reasons, at: this.d.clock.now().toISOString() }, null);
  }

  async recordContact(caseId: string, caller: Caller, body: { touchpoint: string; note: string | null }): Promise<OutcomeResult> {
    const { state } = await this.load(caseId, caller);
    const staff = this.staffOf(caller);
    return this.run(caseId, caller, state, 'contact', { type: 'RecordContact', touchpoint: body.touchpoint, staff, note: body.note, at: this.d.clock.now().toISOString() }, staff);
  }

  /**
   * Courier checked the applicant's parcel in at the centre (R-COURIER-1): its paper materials of the
   * case's guide are recorded as received. One record per waybill; the caller's key is the message id.
   */
  async recordInboundMaterials(caseId: string, caller: Caller, receipt: Omit<RecordInboundMaterials, 'type'>): Promise<OutcomeResult> {
    const { state } = await this.load(caseId, caller);
    return this.run(caseId, caller, state, 'inbound-materials', { type: 'RecordInboundMaterials', ...receipt }, null);
  }

  /** The case as its reader may see it; 404 for cases the caller may not know exist. */
  async load(caseId: string, caller: Caller): Promise<{ state: ApplicationState; revision: bigint; history: StoredEvent[] }> {
    const history = await this.d.store.readStream(applicationStream(caseId));
    if (history.length === 0) throw new NotFoundError(`no case ${caseId}`);
    const state = this.fold(history);
    this.authorize(state, caller);
    return { state, revision: history[history.length - 1]!.revision, history };
  }

  /**
   * The case as its reader may see it, from the folded state kept for reads (only events
   * after the last one folded are read); 404 for cases the caller may not know exist.
   */
  async view(caseId: string, caller: Caller): Promise<CaseSnapshot<ApplicationState>> {
    const snapshot = await this.states.current(caseId);
    if (!snapshot) throw new NotFoundError(`no case ${caseId}`);
    this.authorize(snapshot.state, caller);
    return snapshot;
  }

  /** An applicant's own cases, or a clerk's centre's, newest first, with their status now. */
  async list(caller: Caller, status?: ApplicationState['status']) {
    const key = caller.roles.includes('clerk') ? { centre: this.centreOf(caller) } : caller.roles.includes('applicant') ? { applicant: caller.subject } : null;
    if (!key) throw new RuleViolation('R-ETHICS-1', 'only applicants (their own cases) and clerks (their centre’s) list cases');
    const entries = await this.index.list(key);
    const rows = await Promise.all(
      entries.map(async (entry) => {
        const snapshot = await this.states.current(entry.caseId);
        if (!snapshot) return null;
        const { state } = snapshot;
        // The case's own number: a crash-and-retry or a same-key race can leave an index entry with a burned one.
        return { caseId: entry.caseId, caseNumber: state.caseNumber, itemCode: entry.itemCode, itemName: entry.itemName, submittedAt: entry.submittedAt, status: state.status, acceptanceDue: state.acceptanceDue };
      }),
    );
    return rows.filter((r): r is NonNullable<typeof r> => r !== null && (status === undefined || r.status === status));
  }

  async documents(caseId: string, caller: Caller): Promise<SealedDocument[]> {
    const { history } = await this.load(caseId, caller);
    return history.flatMap((e) => documentOf(applicationCodec.decode(e)) ?? []);
  }

  async document(documentId: string, caller: Caller | null): Promise<SealedDocument> {
    const caseId = caseIdOfDocument(documentId);
    if (!caseId) throw new NotFoundError(`no document ${documentId}`);
    const history = await this.d.store.readStream(applicationStream(caseId));
    if (caller) {
      if (history.length === 0) throw new NotFoundError(`no document ${documentId}`);
      this.authorize(this.fold(history), caller);
    }
    const found = history.map((e) => documentOf(applicationCodec.decode(e))).find((doc) => doc?.content.documentId === documentId);
    if (!found) throw new NotFoundError(`no document ${documentId}`);
    return found;
  }

  /** Verifies the stored document's seal with the keys in force: what `GET /documents/:id/verify` answers. */
  async verify(documentId: string): Promise<{ document: SealedDocument; verification: Verification }> {
    const document = await this.document(documentId, null);
    return { document, verification: verifySealedDocument(document, this.d.signer.publicKeys()) };
  }

  // ————— internals —————

  private fold(history: readonly StoredEvent[]): ApplicationState {
    return fold(applicationDecider, history.map((e) => applicationCodec.decode(e)));
  }

  private authorize(state: ApplicationState, caller: Caller): void {
    if (caller.roles.some((r) => STAFF_ROLES.includes(r))) return;
    if (caller.roles.includes('clerk') && caller.centre !== undefined && state.centre?.centreId === caller.centre) return;
    if (caller.roles.includes('applicant') && state.applicant?.ref === caller.subject) return;
    // 404, not 403: the caller learns nothing about cases that are not theirs; the operators do (audited).
    throw new NotFoundError(`no case ${state.caseId}`, { deniedAccess: { type: 'case', id: state.caseId } });
  }

  private centreOf(caller: Caller): string {
    if (!caller.centre) throw new RuleViolation('R-ETHICS-1', 'a clerk acts for a service centre; the token names none');
    return caller.centre;
  }

  private staffOf(caller: Caller): Staff {
    return this.d.centres.staff(this.centreOf(caller), caller.subject);
  }

  private async guideInForce(itemCode: string) {
    const guide = await this.d.guides.inForceNow(itemCode, this.d.clock.now());
    if (!guide) {
      throw new ValidationError(`${itemCode} is not an item of the catalog with a guide in force`, [
        { path: '/itemCode', reason: 'not in the catalog (or no published guide in force)', rule: 'R-CAT-1' },
      ]);
    }
    return guide;
  }

  private validIdentifier(kind: 'person' | 'enterprise', raw: string, today: string): string {
    const checked = kind === 'person' ? checkResidentId(raw, { today }, '/applicant/id') : checkUscc(raw, '/applicant/id');
    if (!checked.ok) throw new ValidationError(`the applicant's ${kind === 'person' ? 'resident ID number' : 'unified social credit code'} is invalid`, checked.issues);
    return checked.value.value;
  }

  private collaborationFor(itemCode: string) {
    const found = this.d.collaborations.find((c) => c.itemCode === itemCode);
    return found ? { leadDepartment: found.leadDepartment, assistingDepartments: [...found.assistingDepartments] } : null;
  }

  /** Checks that each chosen channel has its address, then seals the contact to this case (PIPL). */
  private deliveryPreferences(input: SubmitInput['delivery'], caseId: string): DeliveryPreferences {
    const parsed = ApplicantContact.safeParse(input.contact);
    if (!parsed.success) {
      throw new ValidationError('the contact details are invalid', parsed.error.issues.map((i) => ({ path: `/delivery/contact/${i.path.join('/')}`, reason: i.message })));
    }
    const contact = parsed.data;
    const issues: { path: string; reason: string; rule: string }[] = [];
    for (const channel of input.notificationChannels) {
      if (channel === 'sms' && !contact.mobile) issues.push({ path: '/delivery/contact/mobile', reason: 'SMS notification needs a mobile number', rule: 'R-NOTIFY-1' });
      if (channel === 'phone' && !contact.mobile && !contact.phone) issues.push({ path: '/delivery/contact/phone', reason: 'phone notification needs a number', rule: 'R-NOTIFY-1' });
      if (channel === 'email' && !contact.email) issues.push({ path: '/delivery/contact/email', reason: 'e-mail notification needs an address', rule: 'R-NOTIFY-1' });
    }
    const result = input.resultDelivery;
    if (result.method === 'post' && !contact.postalAddress) issues.push({ path: '/delivery/contact/postalAddress', reason: 'delivery by post needs a postal address', rule: 'R-DELIV-1' });
    if ((result.method === 'window-pickup' || result.method === 'kiosk-pickup') && !this.d.centres.find(result.serviceCentre)) {
      issues.push({ path: '/delivery/resultDelivery/serviceCentre', reason: `no service centre ${result.serviceCentre}`, rule: 'R-DELIV-1' });
    }
    if (issues.length > 0) throw new ValidationError('the delivery preferences cannot be served', issues);
    return { notificationChannels: [...new Set(input.notificationChannels)], resultDelivery: result, sealedContact: sealContact(contact, caseId, this.d.contactKeys) };
  }

  /**
   * Materials as received: uploads as given, shared ones from the current
   * record the applicant confirmed (R-CAT-10). A confirmation of an older
   * revision is refused: the lawfully changed record wins.
   */
  private async receivedMaterials(
    sharedMaterials: readonly GuideMaterial[],
    applicantId: string,
    input: Pick<SubmitInput, 'materials' | 'sharedConfirmations'>,
  ): Promise<{ materials: ReceivedMaterial[]; sharedAvailable: string[] }> {
    const materials: ReceivedMaterial[] = input.materials.map((m) => ({ ...m, source: 'applicant' }));
    const sharedAvailable: string[] = [];
    const toConfirm: SharedRecord[] = [];
    for (const material of sharedMaterials) {
      const { materialId } = material;
      const record = await this.d.dataSharing.fetch(material, applicantId);
      if (!record) continue;
      sharedAvailable.push(materialId);
      const confirmation = input.sharedConfirmations.find((c) => c.materialId === materialId);
      if (!confirmation) {
        if (!input.materials.some((m) => m.materialId === materialId)) toConfirm.push(record);
        continue;
      }
      if (confirmation.recordId !== record.recordId || confirmation.revision !== record.revision) {
        throw new RuleViolation('R-CAT-10', `the shared record for ${materialId} is now ${sharedReference(record)}: confirm the current version`, { current: record });
      }
      materials.push({ materialId, form: 'electronic', source: 'data-sharing', reference: sharedReference(record) });
    }
    const stray = input.sharedConfirmations.filter((c) => !sharedAvailable.includes(c.materialId));
    if (stray.length > 0) {
      throw new ValidationError('confirmations name materials with no shared record', stray.map((c) => ({ path: '/sharedConfirmations', reason: `${c.materialId}: no shared record`, rule: 'R-CAT-10' })));
    }
    if (toConfirm.length > 0) {
      throw new RuleViolation('R-CAT-10', `confirm the shared records instead of providing them: ${toConfirm.map((r) => r.materialId).join(', ')}`, { toConfirm });
    }
    return { materials, sharedAvailable };
  }

  private sealFor(state: ApplicationState, departmentOnly = false) {
    return chooseSeal(this.d.seals, state.guide!.implementingBody, departmentOnly ? null : (state.centre?.entrustedBody ?? null));
  }

  private metadata(caller: Caller, caseId: string, guideVersion: string | undefined, staff: Staff | null): EventMetadataInput {
    return {
      caseId,
      correlationId: caller.correlationId,
      actor: { id: caller.subject, role: primaryRole(caller), ...(staff ? { department: staff.centre } : caller.department ? { department: caller.department } : {}) },
      ...(guideVersion ? { guideVersion } : {}),
    };
  }

  /** Seeds event ids from the Idempotency-Key: the store then recognises a retry. */
  private eventIdsFor(caller: Caller, caseId: string, operation: string) {
    return caller.idempotencyKey ? deterministicEventIds(`${caller.subject}|${caseId}|${operation}|${caller.idempotencyKey}`) : undefined;
  }

  /** An earlier handling of this request (same Idempotency-Key): its events, and the state right after them. */
  private earlier(history: readonly StoredEvent[], caller: Caller, caseId: string, operation: string): OutcomeResult | null {
    const ids = this.eventIdsFor(caller, caseId, operation);
    if (!ids) return null;
    const first = history.findIndex((e) => e.id === ids(0));
    if (first < 0) return null;
    let last = first;
    while (history[last + 1]?.id === ids(last + 1 - first)) last++;
    const events = history.slice(first, last + 1).map((e) => applicationCodec.decode(e));
    return this.result(this.fold(history.slice(0, last + 1)), events);
  }

  private async issue(
    caseId: string,
    caller: Caller,
    ifMatch: bigint | undefined,
    operation: string,
    /** The clerk deciding; null for an outcome the law decides (deemed acceptance). */
    staff: Staff | null,
    build: (state: ApplicationState, documentId: string, at: string, today: string) => IssuingCommand,
  ): Promise<OutcomeResult> {
    const { state, revision, history } = await this.load(caseId, caller);
    const repeat = this.earlier(history, caller, caseId, operation);
    if (repeat) return repeat;
    const now = this.d.clock.now();
    const documentId = `D-${caseId}-${state.documents.length + 1}`;
    const command = build(state, documentId, now.toISOString(), this.d.deadlines.today(now));
    // Rules first (nothing is sealed for a refused command), then the seal over exactly what is decided.
    const document = await this.d.signer.seal(draftDocument(command, state));
    return this.run(caseId, caller, state, operation, { ...command, document }, staff, ifMatch ?? revision);
  }

  private async run(
    caseId: string,
    caller: Caller,
    state: ApplicationState,
    operation: string,
    command: ApplicationCommand,
    staff: Staff | null,
    expectedRevision?: bigint,
  ): Promise<OutcomeResult> {
    const eventIds = this.eventIdsFor(caller, caseId, operation);
    const result = await handleCommand(this.d.store, applicationStream(caseId), applicationDecider, command, {
      metadata: this.metadata(caller, caseId, state.guide?.guideVersion, staff),
      // The case was just read to build the command: the handler's own read asks only for what came since.
      cache: sharedFoldCache(this.d.store, applicationDecider, applicationCodec),
      ...(eventIds ? { eventIds } : {}),
      ...(expectedRevision !== undefined ? { expectedRevision } : {}),
    });
    return this.result(result.state, result.events);
  }

  private result(state: ApplicationState, events: readonly ApplicationEvent[]): OutcomeResult {
    const document = events.map(documentOf).find((d) => d !== null) ?? null;
    return {
      caseId: state.caseId,
      caseNumber: state.caseNumber,
      status: state.status,
      events: events.map((e) => e.type),
      document: document ? { documentId: document.content.documentId, kind: document.content.kind, title: document.content.title } : null,
    };
  }
}

/**
 * An implementing body that acts by entrustment (a street office handling a
 * district's item) holds only an entrusted body's seal in the register: its
 * documents name it as the entrusted body and bear that seal (R-ACC-3).
 */
function entrustedImplementer(seals: readonly SealRegistration[], body: string): string | null {
  const own = seals.filter((s) => s.owner === body);
  return own.length > 0 && own.every((s) => s.kind === 'entrusted-body') ? body : null;
}

const primaryRole = (caller: Caller): string => caller.roles[0] ?? 'unknown';

/**
 * The applicant's one identity: an opaque, stable UUID per resident ID or USCC.
 * The unified identity platform issues applicant tokens with it as `sub`, so
 * the identifier itself never needs to travel or be logged.
 */
export const applicantRefOf = (identifier: string): string => deterministicId('govsvc-applicant', identifier);

/** `D-<caseId>-<n>` → the case id. */
export function caseIdOfDocument(documentId: string): string | null {
  const m = /^D-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-\d+$/.exec(documentId);
  return m ? m[1]! : null;
}

export function documentOf(event: ApplicationEvent): SealedDocument | null {
  switch (event.type) {
    case 'SupplementRequested':
    case 'CaseAccepted':
    case 'CaseNotAccepted':
      return event.data.document;
    default:
      return null;
  }
}

/** What an applicant or clerk sees of a case: the identifier masked (PIPL). */
export function caseView(state: ApplicationState, revision: bigint) {
  return {
    caseId: state.caseId,
    caseNumber: state.caseNumber,
    status: state.status,
    revision: revision.toString(),
    itemCode: state.guide?.itemCode ?? '',
    itemName: state.guide?.itemName ?? '',
    guideVersion: state.guide?.guideVersion ?? '',
    applicant: state.applicant ? { kind: state.applicant.kind, maskedId: maskIdentifier(state.applicant.id), name: state.applicant.name } : null,
    channel: state.channel,
    centreId: state.centre?.centreId ?? '',
    receivedOn: state.receivedOn,
    acceptanceDue: state.acceptanceDue,
    materials: Object.values(state.materials),
    openNotice: state.openNotice,
    documents: state.documents,
    /** Paper materials received at the centre by courier (R-COURIER-1). */
    inboundParcels: state.inboundParcels,
  };
}
