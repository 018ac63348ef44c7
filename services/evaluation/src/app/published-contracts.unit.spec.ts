import { describe, expect, it } from 'vitest';
import { parseIntegrationEvent } from '@govsvc/contracts/registry';
import type { StoredEvent } from '@govsvc/eventstore/port';
import type { ComplaintEvent } from '../domain/complaint/complaint.ts';
import type { EvaluationEvent } from '../domain/evaluation/events.ts';
import { badRated, caseId, registered, staff, verified } from '../domain/evaluation/fixtures.ts';
import { evaluationContractOf } from './published-contracts.ts';
import { complaintCodec, evaluationCodec } from './streams.ts';

function stored(stream: string, event: EvaluationEvent | ComplaintEvent): StoredEvent {
  const encoded = stream.startsWith('complaint-') ? complaintCodec.encode(event as ComplaintEvent) : evaluationCodec.encode(event as EvaluationEvent);
  return {
    id: '00000000-0000-4000-8000-000000000001',
    ...encoded,
    stream,
    revision: 0n,
    globalPosition: 1n,
    recordedAt: new Date('2026-03-10T02:00:00.000Z'),
    metadata: { correlationId: 'c', actor: { id: 'a', role: 'r' }, prevHash: null, hash: 'h' },
  };
}
const publish = (event: EvaluationEvent) => evaluationContractOf(stored(`evaluation-${caseId}`, event));

describe('what evaluation publishes', () => {
  it('R-EVAL-3: an appeal that reopens the rectification republishes it with the new due instant; a dismissed one publishes nothing', () => {
    const reopened: EvaluationEvent = {
      type: 'AppealDecided',
      data: { caseId, ratingId: 'R-1', outcome: 'reopened', reason: '整改不到位', decidedBy: 'SUP-1', decidedAt: '2026-03-14T02:00:00.000Z', department: staff.department, reopenedDueDate: '2026-03-21', reopenedDueAt: '2026-03-21T23:59:59.999+08:00' },
    };
    const contract = publish(reopened);
    expect(contract).toEqual({
      type: 'evaluation.rectification-opened.v1',
      data: { caseId, ratingId: 'R-1', department: staff.department, openedAt: '2026-03-14T02:00:00.000Z', dueDate: '2026-03-21', dueAt: '2026-03-21T23:59:59.999+08:00', reopened: true },
    });
    expect(() => parseIntegrationEvent(contract!.type, contract!.data)).not.toThrow();
    expect(publish({ ...reopened, data: { ...reopened.data, outcome: 'dismissed', reopenedDueDate: null, reopenedDueAt: null } } as EvaluationEvent)).toBeNull();
  });

  it('R-EVAL-3: an exclusion on review that closes an open rectification publishes it completed as excluded, with the reason', () => {
    const contract = publish({
      type: 'RatingReviewed',
      data: { caseId, ratingId: 'R-1', outcome: 'malicious', reason: '批量恶意差评', reviewedBy: 'SUP-1', reviewedAt: '2026-03-11T02:00:00.000Z', closesRectification: true, withinLimit: true },
    });
    expect(contract).toMatchObject({ type: 'evaluation.rectification-completed.v1', data: { outcome: 'excluded-malicious', withinLimit: true } });
    expect((contract!.data as { feedback: string }).feedback).toContain('批量恶意差评');
    expect(
      publish({ type: 'RatingReviewed', data: { caseId, ratingId: 'R-1', outcome: 'stands', reason: '属实', reviewedBy: 'SUP-1', reviewedAt: '2026-03-11T02:00:00.000Z', closesRectification: false, withinLimit: null } }),
    ).toBeNull();
  });

  it('R-EVAL-2: the rating crosses without its comment, scores or rater; internal facts do not cross', () => {
    const contract = publish(badRated);
    expect(contract?.type).toBe('evaluation.rating-submitted.v1');
    const wire = JSON.stringify(contract);
    expect(wire).not.toContain(badRated.data.raterRef);
    expect(wire).not.toContain('等了很久');
    expect(publish(registered)).toBeNull();
    expect(publish(verified)).toBeNull();
  });

  it('R-EVAL-1: a complaint about no case is keyed by its own id', () => {
    const contract = evaluationContractOf(
      stored('complaint-CP-9', {
        type: 'ComplaintReceived',
        data: { complaintId: 'CP-9', channel: 'website', caseId: null, serviceCentre: null, department: staff.department, summary: 's', complainantRef: null, receivedAt: '2026-03-10T02:00:00.000Z', limitWorkingDays: 5, dueDate: '2026-03-17', provisional: false },
      }),
    );
    expect(contract).toMatchObject({ type: 'evaluation.complaint-received.v1', data: { caseId: 'CP-9', complaintId: 'CP-9' } });
  });
});
