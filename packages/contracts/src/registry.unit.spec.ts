import { ValidationError } from '@govsvc/errors/errors';
import { describe, expect, it } from 'vitest';
import { examples, exampleEvent } from './examples.ts';
import { definitionFor, definitionOf, integrationEventDefinitions, integrationTopics, parseIntegrationEvent, pointer } from './registry.ts';

/** The lifecycle the brief and REQUIREMENTS.md ask for; a missing one is a gap in the published language. */
const requiredTypes = [
  'catalog.guide-published.v1',
  // The facts review decides by (R-REV-3/4/5, R-COLLAB-1); v1 is upcast to it.
  'catalog.guide-published.v2',
  'catalog.guide-superseded.v1',
  'intake.application-submitted.v1',
  'intake.supplement-requested.v1',
  'intake.supplement-received.v1',
  'intake.case-accepted.v1',
  'intake.case-accepted.v2',
  'intake.case-not-accepted.v1',
  'intake.tolerated-deficiency-lapsed.v1',
  'review.opinion-requested.v1',
  'review.opinion-given.v1',
  'review.decision-made.v1',
  'review.time-limit-extended.v1',
  'review.licence-issued.v1',
  'review.renewal-deemed-granted.v1',
  'delivery.notification-sent.v1',
  'delivery.result-delivered.v1',
  'courier.shipment-status-changed.v1',
  'evaluation.rating-submitted.v1',
  'evaluation.rectification-completed.v1',
  'supervision.deadline-opened.v1',
  'supervision.deadline-warned.v1',
  'supervision.deadline-breached.v1',
  'supervision.deadline-closed.v1',
  // What the supervision service needs to supervise every time limit (issue 7).
  'review.step-started.v1',
  'review.step-completed.v1',
  'review.time-excluded.v1',
  'review.time-exclusion-ended.v1',
  'review.renewal-applied.v1',
  'catalog.proof-filing-required.v1',
  'catalog.proof-filed.v1',
  'evaluation.complaint-received.v1',
  'evaluation.complaint-answered.v1',
  'supervision.deem-acceptance-command.v1',
  'supervision.lapse-tolerated-deficiency-command.v1',
  'supervision.deem-renewal-granted-command.v1',
  // What delivery and courier need and hand over (issue 6).
  'intake.delivery-preferences-recorded.v1',
  'delivery.result-delivery-scheduled.v1',
  'delivery.postal-delivery-requested.v1',
  'courier.materials-received.v1',
  // Review's inbound opinions from department back-ends and its applicant notices (issue 5).
  'department.opinion-submitted.v1',
  'review.applicant-notice-due.v1',
  'review.renewal-decided.v1',
  // The supplement period as a typed clock suspension (issue 5, intake).
  'intake.clock-suspended.v1',
  // The rating invitation after delivery and the rectification with its due instant (issue 6, evaluation).
  'evaluation.rating-invited.v1',
  'evaluation.rectification-opened.v1',
];

const catchValidation = (fn: () => unknown): ValidationError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('integration event registry', () => {
  it('publishes exactly the lifecycle events, each once', () => {
    const types = integrationEventDefinitions.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    expect([...types].sort()).toEqual([...requiredTypes].sort());
  });

  it.each(integrationEventDefinitions.map((d) => [d.type, d] as const))('%s: topic of its producer, own dataschema, cites requirements', (type, d) => {
    expect(d.topic).toBe(`govsvc.${type.split('.')[0]}.events.v1`);
    expect(d.dataschema).toBe(`urn:govsvc:events:${type}`);
    expect(d.requirements.length).toBeGreaterThan(0);
    for (const requirement of d.requirements) expect(requirement).toMatch(/^R-[A-Z]+-\d+$/);
    expect(d.schema.description ?? d.summary).toBeTruthy();
  });

  it.each(integrationEventDefinitions.map((d) => [d.type, d] as const))('%s: the example parses and its key is the case id (item code for the catalog)', (type, d) => {
    const parsed = parseIntegrationEvent(type, examples[type]);
    const data = parsed.data as Record<string, unknown>;
    expect(d.keyOf(parsed.data as never)).toBe(type.startsWith('catalog.') ? data['itemCode'] : data['caseId']);
  });

  it('lists one topic per producing service', () => {
    expect(integrationTopics()).toEqual([
      'govsvc.catalog.events.v1',
      'govsvc.courier.events.v1',
      'govsvc.delivery.events.v1',
      'govsvc.department.events.v1',
      'govsvc.evaluation.events.v1',
      'govsvc.intake.events.v1',
      'govsvc.review.events.v1',
      'govsvc.supervision.events.v1',
    ]);
  });

  it('looks definitions up by (family, version) too', () => {
    expect(definitionFor('intake.case-accepted', 1)?.type).toBe('intake.case-accepted.v1');
    expect(definitionFor('intake.case-accepted', 2)?.schema).toBe(definitionOf('intake.case-accepted.v2')?.schema);
    expect(definitionFor('intake.case-accepted', 3)).toBeUndefined();
  });

  it('an unknown type is a ValidationError on /type', () => {
    const error = catchValidation(() => parseIntegrationEvent('intake.case-teleported.v1', {}));
    expect(error.issues).toEqual([{ path: '/type', reason: expect.stringContaining('intake.case-teleported.v1') }]);
    expect(definitionOf('intake.case-teleported.v1')).toBeUndefined();
  });

  it('invalid data lists every problem with its JSON pointer', () => {
    const { caseId: _missing, ...rest } = examples['intake.application-submitted.v1'];
    const error = catchValidation(() =>
      parseIntegrationEvent('intake.application-submitted.v1', {
        ...rest,
        submittedAt: 'yesterday',
        materials: [{ ...rest.materials[0], form: 'fax' }],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.issues.map((i) => i.path).sort()).toEqual(['/caseId', '/materials/0/form', '/submittedAt']);
  });

  it('paths can be nested under a prefix, and pointer escapes ~ and /', () => {
    const error = catchValidation(() => parseIntegrationEvent('courier.shipment-status-changed.v1', { ...examples['courier.shipment-status-changed.v1'], status: 'lost' }, '/data'));
    expect(error.issues.map((i) => i.path)).toEqual(['/data/status']);
    expect(pointer(['a/b', 'c~d', 0], '/x')).toBe('/x/a~1b/c~0d/0');
    expect(pointer([])).toBe('/');
  });

  it('R-ACC-2: an acceptance with tolerated deficiencies must state the items, their deadline and the notice', () => {
    const accepted = examples['intake.case-accepted.v2'];
    const error = catchValidation(() =>
      parseIntegrationEvent('intake.case-accepted.v2', { ...accepted, toleratedDeficiencies: { items: [], notice: accepted.toleratedDeficiencies!.notice } }),
    );
    expect(error.issues.map((i) => i.path).sort()).toEqual(['/toleratedDeficiencies/deadline', '/toleratedDeficiencies/items']);
  });

  it('R-ACC-2 (Licensing Law Art. 32): a deemed acceptance needs no acceptor and no seal; a decided one does', () => {
    const { acceptedBy: _a, seal: _s, ...unsigned } = examples['intake.case-accepted.v2'] as Extract<(typeof examples)['intake.case-accepted.v2'], { basis: 'decision' }>;
    expect(parseIntegrationEvent('intake.case-accepted.v2', { ...unsigned, basis: 'deemed' }).data.basis).toBe('deemed');
    const error = catchValidation(() => parseIntegrationEvent('intake.case-accepted.v2', { ...unsigned, basis: 'decision' }));
    expect(error.issues.map((i) => i.path).sort()).toEqual(['/acceptedBy', '/seal']);
  });

  it('R-REV-2: a refusal without reasons or contact is refused', () => {
    const refusal = examples['review.decision-made.v1'];
    const { contact: _c, ...withoutContact } = refusal as typeof refusal & { contact: unknown };
    const error = catchValidation(() => parseIntegrationEvent('review.decision-made.v1', { ...withoutContact, reasons: [] }));
    expect(error.issues.map((i) => i.path).sort()).toEqual(['/contact', '/reasons']);
  });

  it('R-REV-5: three signatures cannot conclude a case', () => {
    const decision = examples['review.decision-made.v1'];
    const error = catchValidation(() =>
      parseIntegrationEvent('review.decision-made.v1', { ...decision, signatures: [...decision.signatures, decision.signatures[0]] }),
    );
    expect(error.issues.map((i) => i.path)).toEqual(['/signatures']);
  });

  it('Licensing Law Art. 42: an agency head extends by at most 10 working days, a government head by 15', () => {
    const extension = examples['review.time-limit-extended.v1'];
    expect(() => parseIntegrationEvent('review.time-limit-extended.v1', { ...extension, extensionWorkingDays: 11 })).toThrow(ValidationError);
    expect(parseIntegrationEvent('review.time-limit-extended.v1', { ...extension, authority: 'government-head', extensionWorkingDays: 15 }).data.extensionWorkingDays).toBe(15);
  });

  it('R-CAT-3: a guide promising more than the statutory limit is refused', () => {
    const guide = examples['catalog.guide-published.v1'];
    const error = catchValidation(() => parseIntegrationEvent('catalog.guide-published.v1', { ...guide, promisedLimitWorkingDays: 30 }));
    expect(error.issues.map((i) => i.path)).toEqual(['/promisedLimitWorkingDays']);
  });
});

describe('catalog.guide-published.v2: the facts review decides by', () => {
  const guide = examples['catalog.guide-published.v2'];
  const paths = (data: unknown) => catchValidation(() => parseIntegrationEvent('catalog.guide-published.v2', data)).issues.map((i) => i.path);

  it('R-REV-5: a collective decision required by law cites the law', () => {
    expect(paths({ ...guide, collectiveDecision: { required: true, legalBasis: null } })).toEqual(['/collectiveDecision/legalBasis']);
    expect(parseIntegrationEvent('catalog.guide-published.v2', { ...guide, collectiveDecision: { required: true, legalBasis: '《某某条例》第十条' } }).data.collectiveDecision.required).toBe(true);
  });

  it('R-REV-3: paper abolished without an e-licence is refused; R-REV-4: the lead time is a count of calendar or working days', () => {
    const licence = guide.licence!;
    expect(paths({ ...guide, licence: { ...licence, electronicAvailable: false, paperAbolished: true } })).toEqual(['/licence/paperAbolished']);
    expect(paths({ ...guide, licence: { ...licence, renewalLead: { days: 30, unit: 'months' } } })).toEqual(['/licence/renewalLead/unit']);
    expect(paths({ ...guide, licence: { ...licence, validityMonths: 0 } })).toEqual(['/licence/validityMonths']);
    expect(parseIntegrationEvent('catalog.guide-published.v2', { ...guide, licence: null }).data.licence).toBeNull();
  });

  it('R-COLLAB-1: the lead never assists, each assisting department once, at least one', () => {
    const lead = guide.implementingBody;
    const assisting = (...names: string[]) => names.map((department) => ({ department, matter: null }));
    expect(paths({ ...guide, collaboration: { leadDepartment: lead, assistingDepartments: assisting(lead) } })).toEqual(['/collaboration/assistingDepartments']);
    expect(paths({ ...guide, collaboration: { leadDepartment: lead, assistingDepartments: assisting('甲', '甲') } })).toEqual(['/collaboration/assistingDepartments']);
    expect(paths({ ...guide, collaboration: { leadDepartment: lead, assistingDepartments: [] } })).toEqual(['/collaboration/assistingDepartments']);
  });

  it('v2 keeps every rule of v1 (R-CAT-3)', () => {
    expect(paths({ ...guide, promisedLimitWorkingDays: 30 })).toEqual(['/promisedLimitWorkingDays']);
  });
});

describe('no raw personal data crosses Kafka (PIPL)', () => {
  const submitted = exampleEvent('intake.application-submitted.v1');

  it('R-ID-1: the applicant identifier must be masked; a full resident ID is refused', () => {
    for (const maskedId of ['11010519491231002X', '110105194912310', '1101051949123100*X', '1************002X']) {
      const error = catchValidation(() => parseIntegrationEvent(submitted.type, { ...submitted.data, applicant: { ...submitted.data.applicant, maskedId } }));
      expect([...new Set(error.issues.map((i) => i.path))]).toEqual(['/applicant/maskedId']);
    }
    expect(parseIntegrationEvent(submitted.type, { ...submitted.data, applicant: { ...submitted.data.applicant, maskedId: '110105********002X' } })).toBeTruthy();
  });

  it('undeclared fields (a name, a phone number) are dropped, never passed on', () => {
    const parsed = parseIntegrationEvent(submitted.type, {
      ...submitted.data,
      applicantName: '张三',
      applicant: { ...submitted.data.applicant, phone: '13800138000', idNumber: '11010519491231002X' },
    });
    const text = JSON.stringify(parsed.data);
    expect(text).not.toContain('张三');
    expect(text).not.toContain('13800138000');
    expect(text).not.toContain('11010519491231002X');
  });
});
