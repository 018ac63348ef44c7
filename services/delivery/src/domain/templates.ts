/**
 * The messages an applicant receives (R-NOTIFY-1, Art. 17), in Chinese: the
 * case number, the item, the outcome and what to do next. Never a full ID
 * number (PIPL): `renderNotice` refuses to produce a text containing one.
 */
import type { Channel, DeliveryMethod, NoticeFacts } from './events.ts';

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
}

export interface NoticeContext {
  readonly caseNumber: string;
  readonly itemName: string;
  readonly name: string;
}

const METHOD_NAMES: Record<DeliveryMethod, string> = {
  'window-pickup': '窗口领取',
  'kiosk-pickup': '自助终端领取',
  electronic: '电子送达',
  post: '邮寄送达',
};

const date = (iso: string) => {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
};

function body(facts: NoticeFacts): { subject: string; outcome: string; next: string } {
  switch (facts.stage) {
    case 'accepted':
      return {
        subject: '已受理',
        outcome: facts.tolerated
          ? `您的申请已容缺受理。请于${date(facts.tolerated.deadline)}前补交：${facts.tolerated.materials.join('、')}，逾期未补交将作出不予许可决定。`
          : '您的申请材料齐全，已予受理。',
        next: `承诺办结时限：${date(facts.decisionDue)}前。办理进度可凭办件编号在北京市政务服务网查询。`,
      };
    case 'supplement-requested':
      return {
        subject: '补齐补正通知',
        outcome: `您的申请材料需补齐补正：${facts.items.map((i) => `${i.name}（${i.detail}）`).join('；')}。`,
        next: `请于${date(facts.deadline)}前一次性提交上述材料。`,
      };
    case 'not-accepted':
      return {
        subject: '不予受理',
        outcome: `您的申请不予受理。理由：${facts.reasons.join('；')}。`,
        next: '如有异议，可依法申请行政复议或提起行政诉讼。',
      };
    case 'review-progress': {
      const subjects = { 'under-review': '进入审查', 'time-excluded': '中止计算办理时限', 'time-exclusion-ended': '恢复计算办理时限' } as const;
      const next = {
        'await-decision': facts.due ? `请等待审批结果，办理时限至${date(facts.due)}。` : '请等待审批结果。',
        'await-excluded-step': '请按书面通知参加听证、检验检测等环节，所需时间不计入办理时限。',
        'receive-licence': '办理结果制作完成后将按您选择的送达方式送达。',
        'may-seek-review': '如有异议，可依法申请行政复议或提起行政诉讼。',
      } as const;
      const text = facts.text.endsWith('。') ? facts.text : `${facts.text}。`;
      return { subject: subjects[facts.kind], outcome: text, next: next[facts.nextStep] };
    }
    case 'time-limit-extended':
      return {
        subject: '办理时限延长',
        outcome: `经批准，您的申请办理时限由${date(facts.previousDue)}延长至${date(facts.newDue)}。理由：${facts.reason}。`,
        next: '无需您另行办理；如有疑问可凭办件编号咨询。',
      };
    case 'decided':
      return facts.outcome === 'approve'
        ? { subject: '准予许可', outcome: '您的申请已审批通过，准予许可。', next: '办理结果制作完成后将按您选择的送达方式送达，届时另行通知。' }
        : {
            subject: '不予许可',
            outcome: `您的申请未予批准。理由：${facts.reasons.join('；')}。`,
            next: `${facts.contactPhone ? `如需咨询请致电${facts.contactPhone}；` : ''}如有异议，可依法申请行政复议或提起行政诉讼。`,
          };
    case 'licence-issued': {
      const deadline = facts.deliverBy ? `（法定送达期限：${date(facts.deliverBy)}前）` : '';
      const how: Record<DeliveryMethod, string> = {
        'window-pickup': `请携带本人有效身份证件及取件码${facts.pickupCode ?? ''}到政务服务中心（${facts.serviceCentre ?? ''}）结果领取窗口领取。`,
        'kiosk-pickup': `请凭取件码${facts.pickupCode ?? ''}及本人身份证件到政务服务中心（${facts.serviceCentre ?? ''}）自助终端领取。`,
        electronic: '请登录北京市政务服务网“我的办件”下载加盖电子印章的办理结果。',
        post: '办理结果将通过快递寄送至您预留的地址，寄出后可在“我的办件”实时查询物流。',
      };
      return {
        subject: `${facts.resultName}已制作完成`,
        outcome: `您的${facts.resultName}已制作完成${facts.validUntil ? `，有效期至${date(facts.validUntil)}` : ''}。送达方式：${METHOD_NAMES[facts.method]}${deadline}。`,
        next: how[facts.method],
      };
    }
    case 'result-delivered':
      return {
        subject: '办理结果已送达',
        outcome: `您的办理结果已于${date(facts.deliveredAt)}以${METHOD_NAMES[facts.method]}方式送达。`,
        next: '欢迎对本次服务进行“好差评”评价。',
      };
  }
}

/** Full resident IDs (17 digits + check character) or unified social credit codes (18 characters). */
const FULL_ID = /(?<![0-9A-Z])(\d{17}[\dXx]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Z])/;

export class UnsafeMessageError extends Error {}

export function renderNotice(facts: NoticeFacts, ctx: NoticeContext, channel: Channel): RenderedMessage {
  const { subject, outcome, next } = body(facts);
  const heading = `【北京政务服务】${ctx.name}您好：您申请的“${ctx.itemName}”（办件编号${ctx.caseNumber}）${subject}。`;
  // SMS and the phone script stay short; the e-mail adds a signature line.
  const text = channel === 'email' ? `${heading}\n\n${outcome}\n${next}\n\n北京市政务服务中心\n（本邮件由系统自动发送，请勿直接回复。）` : `${heading}${outcome}${next}`;
  if (FULL_ID.test(text)) throw new UnsafeMessageError('a message to the applicant would contain a full ID number');
  return { subject: `【北京政务服务】办件${ctx.caseNumber}${subject}`, text };
}
