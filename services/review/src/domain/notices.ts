/**
 * The notices review owes the applicant (R-NOTIFY-1, measures Art. 17): after
 * acceptance the progress, after the decision the result. The text is the
 * notice's wording; it names reasons and contacts but never personal data.
 */
import type { ReviewEvent, ReviewEventOf } from './review-events.ts';
import type { Applicant, Deadline, ItemFacts, Reason } from './values.ts';

type Notice = ReviewEventOf<'ApplicantNoticeDue'>['data'];

const SUSPENSION_NAMES: Record<string, string> = {
  hearing: '听证',
  tender: '招标',
  auction: '拍卖',
  inspection: '检验',
  testing: '检测',
  quarantine: '检疫',
  appraisal: '鉴定',
  'expert-review': '专家评审',
};

export const suspensionName = (reason: string): string => SUSPENSION_NAMES[reason] ?? reason;

const reasonsText = (reasons: readonly Reason[]) => reasons.map((r) => (r.legalBasis ? `${r.text}（依据：${r.legalBasis}）` : r.text)).join('；');

export function notice(
  c: { item: ItemFacts; applicant: Applicant },
  fields: Pick<Notice, 'stage' | 'outcome' | 'nextStep' | 'occurredAt'> & { due?: Deadline | null; document?: Notice['document'] },
): ReviewEvent {
  return {
    type: 'ApplicantNoticeDue',
    data: {
      itemCode: c.item.itemCode,
      itemName: c.item.itemName,
      applicant: c.applicant,
      stage: fields.stage,
      outcome: fields.outcome,
      nextStep: fields.nextStep,
      due: fields.due ?? null,
      document: fields.document ?? null,
      occurredAt: fields.occurredAt,
    },
  };
}

export const texts = {
  underReview: (itemName: string, due: Deadline) => `您申请的${itemName}已受理并进入审查，承诺办结期限为${due.date}。`,
  extended: (days: number, due: Deadline, reason: Reason) => `经批准，审查期限延长${days}个工作日至${due.date}。理由：${reasonsText([reason])}。`,
  excluded: (reason: string, from: string, days: number) => `因${suspensionName(reason)}，自${from}起所需时间不计入审查期限，预计需要${days}个工作日。`,
  exclusionEnded: (reason: string, to: string, due: Deadline) => `${suspensionName(reason)}已于${to}结束，审查期限继续计算，办结期限为${due.date}。`,
  approved: (itemName: string, resultName: string) => `您申请的${itemName}已准予许可，将向您发放${resultName}。`,
  refused: (itemName: string, reasons: readonly Reason[], contact: { department: string; phone: string }) =>
    `您申请的${itemName}不予批准。理由：${reasonsText(reasons)}。如有疑问，请联系${contact.department}（电话${contact.phone}）；您可依法申请行政复议或者提起行政诉讼。`,
};
