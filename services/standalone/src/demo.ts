/**
 * The guided demo (`pnpm demo`): realistic cases driven through the running
 * system over HTTP, as each person would act (applicant, window clerk,
 * reviewer, assisting department, chief representative, the carrier's
 * webhook, the rater, the department answering a bad rating), on the
 * controlled clock, printed as a story with Chinese and English labels and
 * the links to each case's history and the operator console.
 *
 *   pnpm demo                          starts its own standalone process (controlled clock, fresh
 *                                      data in .run/demo, port 3900) and keeps it running afterwards
 *   pnpm demo --url http://127.0.0.1:3000 --keys data/keys
 *                                      drives an already running standalone process started with
 *                                      GOVSVC_CLOCK=controlled (its clock must still be before the story's start)
 *   --exit                             stop after the story (tests)
 *
 * The story: every acceptance outcome (受理, 补齐补正, 容缺受理, 不予受理, 视为受理), a
 * cross-department opinion, an approval with its e-licence, a refusal, a breach with its warning,
 * yellow and red card, a bad rating and its rectification, and a licence renewal deemed granted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { applicantRefOf } from '@govsvc/intake/app/application-service';
import { eventually, GovsvcClient, readDevKeyPair, standaloneTopology, type Caller, type Reply } from './client.ts';
import { invocationDir, REPO_ROOT, runnerEnvironment } from './config.ts';
import { decide, ensureItemProfile, expectStatus, FOOD_LICENCE, PEOPLE, reviewOpened } from './journeys.ts';

/** Monday 19 October 2026, 09:00 in Beijing: a working week after the National Day holiday, inside the published calendar. */
export const STORY_START = '2026-10-19T09:00:00+08:00';

const FIRE = '北京市东城区消防救援支队';
/** As a department back-end would: review holds the read until the case or licence exists (RFC 7240 `Prefer: wait`). */
const WAIT_FOR_REVIEW = { prefer: 'wait=10' };
const HYGIENE = {
  itemCode: '01140027000111010200000011110102MB8375026601001',
  itemName: '公共场所卫生许可（新办）',
  lead: '北京市西城区卫生健康委员会',
  materials: ['application-form', 'floor-plan', 'hygiene-test-report', 'hygiene-rules', 'health-certificates'],
};
// One restaurant group opening branches: the local data-sharing register holds its business licence
// (revision 3), which the food and hygiene licences both take from 电子证照库 instead of an upload.
const APPLICANTS = {
  jingwei: { kind: 'enterprise' as const, id: '91110108551385082Q', name: '北京京味餐饮管理有限公司', revision: 3 },
};
type Applicant = (typeof APPLICANTS)[keyof typeof APPLICANTS];

/** Notified by SMS and e-mail, the licence sent by post (R-DELIV-1, Art. 19): the parcel goes through the courier service. */
const POSTAL_DELIVERY = {
  notificationChannels: ['sms', 'email'],
  resultDelivery: { method: 'post' },
  contact: {
    name: '张经理',
    mobile: '13812345678',
    email: 'zhang.manager@jingwei.example.cn',
    postalAddress: { recipient: '张经理', phone: '13812345678', region: '110101', address: '北京市东城区东四北大街88号', postcode: '100007' },
  },
};

const applicantOf = (a: Applicant): Caller => ({ role: 'applicant', subject: applicantRefOf(a.id) });
const hygieneReviewer: Caller = { role: 'reviewer', subject: 'reviewer-xc-1', department: HYGIENE.lead };
const hygieneChief: Caller = { role: 'chief', subject: 'chief-xc-1', department: HYGIENE.lead };
const fireReviewer: Caller = { role: 'reviewer', subject: 'reviewer-fire-1', department: FIRE };
const upload = (materialId: string) => ({ materialId, form: 'electronic', reference: `sha256:${materialId}` });

interface CaseRecord {
  readonly label: string;
  readonly caseId: string;
  readonly caseNumber: string;
  outcome: string;
}

export interface DemoResult {
  readonly cases: readonly CaseRecord[];
  readonly failures: readonly string[];
}

/** Prints the story: chapters, who did what (中文 · English), and what the system answered. */
class Story {
  constructor(private readonly out: (line: string) => void) {}
  chapter(n: number | string, zh: string, en: string): void {
    this.out('');
    this.out(`━━ ${n}. ${zh} · ${en} ${'━'.repeat(Math.max(4, 60 - zh.length * 2 - en.length))}`);
  }
  step(who: string, zh: string, en: string, detail = '') {
    this.out(`  ▸ ${who.padEnd(14)} ${zh} · ${en}${detail ? `\n      ${detail}` : ''}`);
  }
  note(text: string) {
    this.out(`      ${text}`);
  }
  clock(now: string) {
    const local = new Date(new Date(now).getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 16);
    this.out(`  ⏱  北京时间 Beijing time ${local}`);
  }
  line(text = '') {
    this.out(text);
  }
}

export interface DemoOptions {
  readonly client: GovsvcClient;
  readonly baseUrl: string;
  readonly out: (line: string) => void;
}

/** Runs the whole story against a standalone process on a controlled clock not yet past STORY_START. */
export async function runDemo({ client, baseUrl, out }: DemoOptions): Promise<DemoResult> {
  const story = new Story(out);
  const cases: CaseRecord[] = [];
  const failures: string[] = [];

  const clock = await client.get('/admin/clock', PEOPLE.admin);
  expectStatus('clock', clock, 200);
  if (clock.json.mode !== 'controlled') throw new Error('the demo needs the controlled clock: start the process with GOVSVC_CLOCK=controlled');
  if (new Date(clock.json.now).getTime() > new Date(STORY_START).getTime()) throw new Error(`the clock (${clock.json.now}) is past the story's start ${STORY_START}: use a fresh data folder`);
  await moveClock(client, STORY_START);

  async function chapter(n: number | string, zh: string, en: string, body: () => Promise<void>) {
    story.chapter(n, zh, en);
    try {
      await body();
    } catch (error) {
      const message = `${n}. ${en}: ${(error as Error).message}`;
      failures.push(message);
      story.line(`  ✗ ${message}`);
    }
  }

  async function submit(label: string, applicant: Applicant, item: { itemCode: string; materials: readonly string[] }, materials: readonly string[] = item.materials, delivery?: unknown): Promise<CaseRecord> {
    const reply = await eventually(
      'intake to know the guide from the catalog',
      async () => {
        const r = await client.post('/intake/applications', applicantOf(applicant), {
          itemCode: item.itemCode,
          applicant: { kind: applicant.kind, id: applicant.id, name: applicant.name },
          channel: 'online',
          materials: materials.map(upload),
          sharedConfirmations: [{ materialId: 'business-licence', recordId: `samr-bl-${applicant.id}`, revision: applicant.revision }],
          delivery: delivery ?? { notificationChannels: ['sms'], resultDelivery: { method: 'electronic' }, contact: { name: '张经理', mobile: '13812345678' } },
        });
        return r.status === 400 && r.text.includes('R-CAT-1') ? undefined : r;
      },
      90_000,
      300,
    );
    expectStatus(`${label}: submit`, reply, 201);
    const record: CaseRecord = { label, caseId: reply.json.caseId, caseNumber: reply.json.caseNumber, outcome: reply.json.status };
    cases.push(record);
    story.step('申请人 applicant', `${applicant.name} 网上申请`, 'applies online', `案件编号 case ${record.caseNumber} (${record.caseId}), ${materials.length} materials + 营业执照 from data sharing (电子证照库)`);
    return record;
  }

  const accept = async (c: CaseRecord) => {
    const r = expectStatus(`${c.label}: accept`, await client.post(`/intake/applications/${c.caseId}/accept`, PEOPLE.clerk, {}), 200);
    c.outcome = 'accepted';
    story.step('窗口 clerk', '受理，出具受理凭证', 'accepts; sealed acceptance receipt', `document ${r.json.document?.documentId} · verify ${baseUrl}/intake/documents/${r.json.document?.documentId}/verify`);
  };

  const downloadResult = async (c: CaseRecord, applicant: Applicant) => {
    const r = await eventually('the result document', async () => {
      const reply = await client.get(`/delivery/cases/${c.caseId}/result-document`, applicantOf(applicant));
      return reply.status === 200 ? reply : undefined;
    }, 60_000, 300);
    story.step('申请人 applicant', '下载电子证照（结果送达）', 'downloads the signed e-result (delivered)', `${r.text.length} bytes, signed by delivery (key ${baseUrl}/delivery/signing-key)`);
  };

  /** The food licence is a cross-department item: the lead decides only once the fire brigade has answered (R-COLLAB-1). */
  const collaborate = async (c: CaseRecord, opinion: 'concur' | 'object', reasons: readonly { text: string; legalBasis?: string }[] = []) => {
    const asked = expectStatus(`${c.label}: opinion request`, await client.post(`/review/cases/${c.caseId}/opinion-requests`, PEOPLE.reviewer, { department: FIRE, question: '经营场所消防安全是否符合要求？', dueInWorkingDays: 3 }), 201);
    const requestId = (asked.json.opinionRequests as { requestId: string; department: string }[]).find((r) => r.department === FIRE)?.requestId ?? asked.json.opinionRequests[0].requestId;
    expectStatus(`${c.label}: opinion`, await client.post(`/review/cases/${c.caseId}/opinions/${requestId}`, fireReviewer, { opinion, reasons }), 201);
    story.step('协同 assisting', `${FIRE}：${opinion === 'concur' ? '同意' : '不同意'}`, `the fire brigade ${opinion === 'concur' ? 'concurs' : 'objects'}`, reasons.map((r) => r.text).join('；'));
  };

  await ensureItemProfile(client, FOOD_LICENCE.itemCode);

  // ── 1 ────────────────────────────────────────────────────────────────────────
  let caseA: CaseRecord | undefined;
  await chapter(1, '受理 → 部门协同 → 准予许可 → 电子证照', 'accepted → cross-department opinion → approved → e-licence', async () => {
    story.clock(STORY_START);
    caseA = await submit('A', APPLICANTS.jingwei, FOOD_LICENCE);
    await accept(caseA);
    await reviewOpened(client, caseA.caseId);
    story.step('审查 reviewer', '审查开始（经 Kafka 契约获知受理）', 'review opens the case from intake’s contract');
    story.step('牵头部门 lead', `征求${FIRE}意见（3个工作日）`, 'asks the fire brigade for its opinion (3 working days)');
    await collaborate(caseA, 'concur');
    const decided = await decide(client, caseA.caseId, 'approve');
    caseA.outcome = decided.json.decision?.outcome ?? 'approve';
    story.step('审查+首席代表', '经办人签署、首席代表签发：准予许可', 'handler and chief representative sign: approved (two signatures)');
    const licence = await client.get(`/review/licences/LIC-${caseA.caseId}/verify`, null);
    story.step('系统 system', '电子证照签发并可验证', 'e-licence issued and verifiable', `signatureValid=${licence.json.signatureValid} inForce=${licence.json.inForce} · ${baseUrl}/review/licences/LIC-${caseA.caseId}/verify`);
    await downloadResult(caseA, APPLICANTS.jingwei);
    const rated = await eventually('the rating invitation', async () => {
      const r = await client.post(`/evaluation/cases/${caseA!.caseId}/ratings`, applicantOf(APPLICANTS.jingwei), { channel: 'website', level: 'very-satisfied', indicators: { efficiency: 5, attitude: 5, result: 5 }, comment: '网上办理，当天拿证' });
      return r.status === 201 ? r : r.status === 404 ? undefined : expectStatus('rating', r, 201);
    }, 60_000, 300);
    story.step('申请人 rater', '好差评：非常满意', 'rates: very satisfied', `rating ${rated.json.ratingId ?? ''}`);
  });

  // ── 2 ────────────────────────────────────────────────────────────────────────
  let caseB: CaseRecord | undefined;
  await chapter(2, '补齐补正 → 受理 → 差评 → 整改', 'supplement notice → accepted → bad rating → rectification', async () => {
    caseB = await submit('B', APPLICANTS.jingwei, FOOD_LICENCE, ['application-form', 'safety-rules', 'power-of-attorney']);
    const notice = expectStatus('supplement notice', await client.post(`/intake/applications/${caseB.caseId}/supplement-notices`, PEOPLE.clerk, {
      items: [{ materialId: 'layout', problem: 'missing', detail: '请补交主要设备设施布局图及操作流程说明' }],
    }), 201);
    story.step('窗口 clerk', '一次性告知补齐补正', 'one supplement notice listing everything missing', `notice ${notice.json.document?.documentId ?? ''}: 主要设备设施布局图及操作流程说明`);
    expectStatus('supplement', await client.post(`/intake/applications/${caseB.caseId}/supplements`, applicantOf(APPLICANTS.jingwei), { channel: 'online', materials: [upload('layout')] }), 201);
    story.step('申请人 applicant', '补交材料', 'supplements the material');
    await accept(caseB);
    await reviewOpened(client, caseB.caseId);
    await collaborate(caseB, 'concur');
    await decide(client, caseB.caseId, 'approve');
    caseB.outcome = 'approve';
    story.step('审查+首席代表', '准予许可', 'approved');
    await downloadResult(caseB, APPLICANTS.jingwei);
    const bad = await eventually('the rating invitation', async () => {
      const r = await client.post(`/evaluation/cases/${caseB!.caseId}/ratings`, applicantOf(APPLICANTS.jingwei), {
        channel: 'mobile',
        level: 'dissatisfied',
        indicators: { efficiency: 2, guidance: 1 },
        comment: '指南没写清楚布局图的要求，来回补材料',
      });
      return r.status === 201 ? r : r.status === 404 ? undefined : expectStatus('bad rating', r, 201);
    }, 60_000, 300);
    const ratingId = bad.json.ratingId as string;
    story.step('申请人 rater', '差评：不满意（指南不清晰）', 'bad rating: dissatisfied (guide unclear)', `rating ${ratingId}: a 7-day rectification opens`);
    const staff = PEOPLE.reviewer;
    expectStatus('verification', await client.post(`/evaluation/cases/${caseB.caseId}/ratings/${ratingId}/verification`, staff, { finding: 'substantiated', note: '指南对布局图的要求表述不清' }), 200, 201);
    story.step('部门 department', '核实：情况属实', 'verifies: substantiated');
    expectStatus('callback', await client.post(`/evaluation/cases/${caseB.caseId}/ratings/${ratingId}/callbacks`, staff, { reached: true, summary: '电话回访，申请人认可整改方案' }), 200, 201);
    story.step('部门 department', '回访评价人', 'calls the rater back');
    expectStatus('feedback', await client.post(`/evaluation/cases/${caseB.caseId}/ratings/${ratingId}/feedback`, staff, {
      outcome: 'rectified',
      measures: '修订办事指南，为布局图补充填写说明并附示范文本',
      feedback: '已修订指南并向您致歉，感谢监督',
    }), 200, 201);
    story.step('部门 department', '整改反馈：已整改', 'feeds back: rectified (within 7 days)');
  });

  // ── 3 ────────────────────────────────────────────────────────────────────────
  let caseC: CaseRecord | undefined;
  await chapter(3, '容缺受理 → 补正确认 → 准予许可 → 邮寄送达', 'accepted with a tolerated deficiency → supplemented → approved → sent by post', async () => {
    const c = await submit('C', APPLICANTS.jingwei, FOOD_LICENCE, ['application-form', 'layout', 'power-of-attorney'], POSTAL_DELIVERY);
    caseC = c;
    expectStatus('tolerated', await client.post(`/intake/applications/${c.caseId}/accept-with-tolerated-deficiencies`, PEOPLE.clerk, {
      items: [{ materialId: 'safety-rules', problem: 'missing', detail: '申请人书面承诺5个工作日内补交食品安全管理制度文本' }],
      deadlineWorkingDays: 5,
    }), 200);
    c.outcome = 'accepted-with-tolerated-deficiency';
    story.step('窗口 clerk', '容缺受理：食品安全管理制度 5 个工作日内后补', 'accepts with a tolerated deficiency: safety rules within 5 working days');
    expectStatus('supplement', await client.post(`/intake/applications/${c.caseId}/supplements`, applicantOf(APPLICANTS.jingwei), { channel: 'online', materials: [upload('safety-rules')] }), 201);
    expectStatus('confirmation', await client.post(`/intake/applications/${c.caseId}/tolerated-supplement-confirmation`, PEOPLE.clerk, {}), 200);
    story.step('窗口 clerk', '确认容缺材料已补齐', 'confirms the tolerated material arrived');
    await reviewOpened(client, c.caseId);
    await collaborate(c, 'concur');
    await decide(client, c.caseId, 'approve');
    c.outcome = 'approve';
    story.step('审查+首席代表', '准予许可', 'approved');
    const waybill = await eventually('delivery to hand the licence to the courier', async () => {
      const r = await client.get(`/courier/cases/${c.caseId}/waybills`, applicantOf(APPLICANTS.jingwei));
      return (r.json.waybills as { waybillId: string; trackingNumber: string; status: string }[] | undefined)?.[0];
    }, 60_000, 300);
    story.step('送达 delivery', '申请人选择邮寄：交寄快递', 'the applicant chose post: handed to the carrier', `waybill ${waybill.waybillId}, tracking ${waybill.trackingNumber}, status ${waybill.status}`);
  });

  // ── 4 ────────────────────────────────────────────────────────────────────────
  await chapter(4, '不予受理', 'not accepted', async () => {
    const c = await submit('D', APPLICANTS.jingwei, FOOD_LICENCE);
    const r = expectStatus('not accept', await client.post(`/intake/applications/${c.caseId}/not-accept`, PEOPLE.clerk, {
      reasons: [{ text: '经营场所位于东城区以外，不属于本机关管辖', legalBasis: '《中华人民共和国行政许可法》第三十二条第一款第（二）项' }],
    }), 200);
    c.outcome = 'not-accepted';
    story.step('窗口 clerk', '不予受理，出具不予受理决定书', 'does not accept; sealed decision with reasons', `document ${r.json.document?.documentId ?? ''} (${r.json.document?.title ?? ''})`);
  });

  // ── 5 ────────────────────────────────────────────────────────────────────────
  await chapter(5, '受理 → 不予许可', 'accepted → refused', async () => {
    const c = await submit('F', APPLICANTS.jingwei, FOOD_LICENCE);
    await accept(c);
    await reviewOpened(client, c.caseId);
    await collaborate(c, 'object', [{ text: '经营场所仅有一个安全出口，不符合消防安全要求', legalBasis: '《中华人民共和国消防法》第十五条' }]);
    const refused = await decide(client, c.caseId, 'refuse', [{ text: '现场核查：经营场所与住宅相连，不符合食品经营场所要求', legalBasis: '《食品经营许可和备案管理办法》第十二条' }]);
    c.outcome = refused.json.decision?.outcome ?? 'refuse';
    story.step('审查+首席代表', '不予许可，说明理由并告知救济途径', 'refused, with reasons and the right to appeal', `outcome ${c.outcome}`);
  });

  // ── 6 ────────────────────────────────────────────────────────────────────────
  let caseE: CaseRecord | undefined;
  let caseG: CaseRecord | undefined;
  let renewal: { caseId: string; licenceId: string; validUntil: string } | undefined;
  await chapter(6, '无人处理的案件与即将到期的证照', 'cases left alone, and a licence near its expiry', async () => {
    caseE = await submit('E', APPLICANTS.jingwei, FOOD_LICENCE);
    story.note('E: 窗口未作任何处理 · the window does nothing with E (no notice, no decision)');
    caseG = await submit('G', APPLICANTS.jingwei, FOOD_LICENCE);
    await accept(caseG);
    await reviewOpened(client, caseG.caseId);
    story.note(`G: 受理后审查搁置 · accepted, then review lets it lie (promised limit 5 working days)`);

    // The renewal needs a licence whose expiry falls inside the published calendar: this demo's
    // profile of the hygiene licence is valid one month (really four years).
    expectStatus('hygiene profile', await eventually('review to take the hygiene item profile', async () => {
      const r = await client.put(`/review/items/${HYGIENE.itemCode}/profile`, PEOPLE.admin, {
        collectiveDecision: { required: false, legalBasis: null },
        licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 1, renewalLeadDays: 7 },
      });
      return r.status === 412 ? undefined : r;
    }, 60_000, 250), 200);
    const r = await submit('R', APPLICANTS.jingwei, HYGIENE);
    await accept(r);
    await eventually('review to open the hygiene case', async () => (await client.get(`/review/cases/${r.caseId}`, hygieneReviewer, WAIT_FOR_REVIEW)).status === 200 || undefined, 90_000, 300);
    expectStatus('handler', await client.post(`/review/cases/${r.caseId}/signatures`, hygieneReviewer, { role: 'handler', draft: { outcome: 'approve' } }), 201);
    expectStatus('chief', await client.post(`/review/cases/${r.caseId}/signatures`, hygieneChief, { role: 'chief-representative' }), 201);
    r.outcome = 'approve';
    await downloadResult(r, APPLICANTS.jingwei);
    const licence = await eventually('the hygiene licence', async () => {
      const reply = await client.get(`/review/licences/LIC-${r.caseId}`, applicantOf(APPLICANTS.jingwei), WAIT_FOR_REVIEW);
      return reply.status === 200 ? reply : undefined;
    }, 60_000, 300);
    renewal = { caseId: r.caseId, licenceId: licence.json.licenceId, validUntil: licence.json.validUntil };
    story.step('卫健委 department', `公共场所卫生许可证签发，有效期至 ${renewal.validUntil}`, `hygiene licence issued, valid until ${renewal.validUntil} (demo profile: one month)`);
    expectStatus('renewal', await client.post(`/review/licences/${renewal.licenceId}/renewals`, applicantOf(APPLICANTS.jingwei), {}), 201);
    story.step('持证人 holder', '到期前申请延续', 'applies for renewal before expiry; nobody decides it');
  });

  // ── 7 ────────────────────────────────────────────────────────────────────────
  await chapter(7, '时钟前进：预警', 'the clock moves: warnings', async () => {
    await moveClock(client, '2026-10-26T09:00:00+08:00');
    story.clock('2026-10-26T09:00:00+08:00');
    if (caseE) {
      const entry = await cardOf(client, caseE.caseId, 'acceptance', 'red');
      story.step('监管 supervision', `E 受理时限超期：${cardLabel(entry.card)}`, `E's one-day acceptance limit breached: ${entry.card} card`, `${entry.label}, due ${entry.due}, duty ${entry.department}`);
    }
    if (caseC) {
      const delivered = await eventually('the carrier to deliver C’s parcel', async () => {
        const r = await client.get(`/courier/cases/${caseC!.caseId}/waybills`, applicantOf(APPLICANTS.jingwei));
        return (r.json.waybills as { status: string; history: { status: string; location: string; occurredAt: string }[] }[] | undefined)?.find((w) => w.status === 'delivered');
      }, 60_000, 300);
      story.step('快递 carrier', '签名回调推送轨迹：已签收', 'signed webhooks pushed the tracking: delivered', delivered.history.map((h) => `${h.status}@${h.location}`).join(' → '));
      const result = await eventually('delivery to record the result delivered', async () => {
        const r = await client.get(`/delivery/cases/${caseC!.caseId}`, applicantOf(APPLICANTS.jingwei));
        return r.status === 200 && r.json.delivery?.delivered ? r : undefined;
      }, 60_000, 300);
      const notices = (result.json.notices as { stage: string; channels: Record<string, { status: string }> }[]).map((n) => `${n.stage}: ${Object.entries(n.channels).map(([ch, st]) => `${ch} ${st.status}`).join(', ')}`);
      story.step('送达 delivery', '邮寄送达完成，短信和邮件已通知', 'result delivered by post; SMS and e-mail notices sent', `delivered ${result.json.delivery.delivered.deliveredAt} · ${notices.join(' · ')}`);
    }
    if (caseG) {
      const entry = await cardOf(client, caseG.caseId, 'decision-promised', 'warning');
      story.step('监管 supervision', `G 承诺时限预警：${cardLabel(entry.card)}`, `G's promised limit: ${entry.card}`, `${entry.label}, due ${entry.due}`);
    }
  });

  await chapter(8, '视为受理与黄牌', 'deemed accepted, and a yellow card', async () => {
    await moveClock(client, '2026-10-27T09:00:00+08:00');
    story.clock('2026-10-27T09:00:00+08:00');
    if (caseE) {
      const application = await eventually('intake to deem E accepted', async () => {
        const r = await client.get(`/intake/applications/${caseE!.caseId}`, applicantOf(APPLICANTS.jingwei));
        return r.status === 200 && /accept/.test(String(r.json.status)) && r.json.status !== 'awaiting-decision' ? r : undefined;
      }, 60_000, 300);
      caseE.outcome = `deemed-accepted (${application.json.status})`;
      story.step('监管 → 受理', 'E 五个工作日未告知补正：视为受理（自动）', 'E: no notice within five working days, deemed accepted (automatic outcome)', `intake status ${application.json.status}`);
    }
    if (caseG) {
      const entry = await cardOf(client, caseG.caseId, 'decision-promised', 'yellow');
      story.step('监管 supervision', `G 超过承诺时限：${cardLabel(entry.card)}`, `G is past its promised limit: ${entry.card} card`, `due ${entry.due}`);
    }
  });

  await chapter(9, '督办未果：红牌', 'follow-up ignored: red card', async () => {
    await moveClock(client, '2026-10-30T09:00:00+08:00');
    story.clock('2026-10-30T09:00:00+08:00');
    if (caseG) {
      const entry = await cardOf(client, caseG.caseId, 'decision-promised', 'red');
      story.step('监管 supervision', `G 督办期满仍未办结：${cardLabel(entry.card)}`, `G still undecided after the follow-up: ${entry.card} card`, `see the console: ${baseUrl}/supervision/console`);
    }
  });

  await chapter(10, '延续逾期未决定：视为准予延续', 'renewal undecided at expiry: deemed granted', async () => {
    if (!renewal) throw new Error('no licence to renew (chapter 6 failed)');
    const after = new Date(`${renewal.validUntil.slice(0, 10)}T09:00:00+08:00`);
    after.setUTCDate(after.getUTCDate() + 1);
    await moveClock(client, after.toISOString());
    story.clock(after.toISOString());
    const licence = await eventually('review to deem the renewal granted', async () => {
      const r = await client.get(`/review/licences/${renewal!.licenceId}`, applicantOf(APPLICANTS.jingwei));
      return r.status === 200 && r.json.validUntil !== renewal!.validUntil ? r : undefined;
    }, 60_000, 300);
    story.step('监管 → 审查', '到期未作决定，视为准予延续（自动）', 'no decision by expiry: renewal deemed granted (automatic outcome)', `valid until ${licence.json.validUntil} (was ${renewal.validUntil})`);
  });

  // ── the end ───────────────────────────────────────────────────────────────────
  story.chapter('✓', '案件一览与链接', 'the cases and where to look');
  for (const c of cases) {
    story.line(`  ${c.label}  ${c.caseNumber}  ${c.outcome.padEnd(36)} history ${baseUrl}/supervision/cases/${c.caseId}/history`);
  }
  story.line('');
  story.line(`  operator console 监管控制台   ${baseUrl}/supervision/console   (sign in with the operator token)`);
  story.line(`  breaches 超时列表             ${baseUrl}/supervision/breaches`);
  story.line(`  statistics 好差评统计          ${baseUrl}/evaluation/statistics`);
  story.line(`  OpenAPI                      ${baseUrl}/docs/json`);
  story.line(`  supervisor token (history): ${await client.token('supervision', PEOPLE.supervisor)}`);
  story.line(`  operator token (console):   ${await client.token('supervision', PEOPLE.operator)}`);
  if (failures.length > 0) story.line(`\n  ${failures.length} chapter(s) failed:\n  ${failures.join('\n  ')}`);
  return { cases, failures };
}

const cardLabel = (card: string | null) => ({ warning: '预警 warning', yellow: '黄牌 yellow card', red: '红牌 red card' })[card ?? ''] ?? 'none';
const CARD_ORDER = ['warning', 'yellow', 'red'];

/** The case's open deadline of `kind` once it carries at least `card` (the scheduler fires right after the clock moved). */
async function cardOf(client: GovsvcClient, caseId: string, kind: string, card: 'warning' | 'yellow' | 'red') {
  return eventually(`${kind} of ${caseId} to reach ${card}`, async () => {
    const reply = await client.get('/supervision/breaches', PEOPLE.operator);
    const entries = (reply.json.entries ?? []) as { caseId: string; kind: string; card: string | null; label: string; due: string; department: string }[];
    return entries.find((e) => e.caseId === caseId && e.kind === kind && CARD_ORDER.indexOf(e.card ?? '') >= CARD_ORDER.indexOf(card));
  }, 60_000, 300);
}

async function moveClock(client: GovsvcClient, to: string): Promise<Reply> {
  return expectStatus('clock', await client.post('/admin/clock', PEOPLE.admin, { set: new Date(to).toISOString() }), 200);
}

// ── the command ─────────────────────────────────────────────────────────────────

async function startOwnStandalone(dataDir: string, port: number, logFile: string): Promise<{ child: ChildProcess; url: string }> {
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const packageDir = fileURLToPath(new URL('../', import.meta.url));
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: packageDir,
    env: { ...runnerEnvironment(), NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), GOVSVC_DATA_DIR: dataDir, GOVSVC_CLOCK: 'controlled', GOVSVC_CLOCK_START: STORY_START },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    log.write(chunk);
  });
  child.stderr?.pipe(log);
  const url = await eventually('the standalone process to listen', async () => {
    if (child.exitCode !== null) throw new Error(`the standalone process exited (${child.exitCode}); see ${logFile}`);
    const line = output.split('\n').find((l) => l.includes('"msg":"standalone listening"'));
    return line ? (JSON.parse(line) as { url: string }).url : undefined;
  }, 120_000, 200);
  return { child, url };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      keys: { type: 'string' },
      port: { type: 'string', default: '3900' },
      'data-dir': { type: 'string', default: join(REPO_ROOT, '.run', 'demo') },
      exit: { type: 'boolean', default: false },
    },
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let child: ChildProcess | undefined;
  let url = values.url;
  let keysDir = values.keys ? resolve(invocationDir(), values.keys) : join(REPO_ROOT, 'data', 'keys');
  if (!url) {
    const dataDir = resolve(invocationDir(), values['data-dir']);
    await mkdir(join(REPO_ROOT, '.run', 'logs'), { recursive: true });
    const logFile = join(REPO_ROOT, '.run', 'logs', 'demo-standalone.log');
    out(`starting a standalone process for the demo (controlled clock, data ${dataDir}, log ${logFile}) …`);
    const started = await startOwnStandalone(dataDir, Number(values.port), logFile);
    child = started.child;
    url = started.url;
    keysDir = join(dataDir, 'keys');
  }
  const client = new GovsvcClient(standaloneTopology(url), await readDevKeyPair(keysDir));
  out(`govsvc guided demo 演示 · ${url}`);
  const result = await runDemo({ client, baseUrl: url, out });
  if (child && !values.exit) {
    out(`\nThe system keeps running at ${url} so the links work; Ctrl-C stops it.`);
    await new Promise<void>((resolveStop) => {
      process.once('SIGINT', () => resolveStop());
      process.once('SIGTERM', () => resolveStop());
    });
  }
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  return result.failures.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`demo: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
