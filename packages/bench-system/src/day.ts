/**
 * The megacity day: cases arrive at a steady offered rate (open loop, 20× the
 * day's average by default) and each follows its journey over HTTP, as the
 * people in it act (applicant, window clerk, lead reviewer, assisting
 * department, chief representative, licence holder). The controlled clock
 * runs one whole day over the arrivals (compressed), then the night steps go
 * day by day through the following week so that warnings, breaches and the
 * automatic outcomes (deemed acceptance …) fire.
 *
 * Mix (per case, seeded): accepted directly 71 %, supplement then accepted
 * 12 %, tolerated deficiency then supplemented 8 %, not accepted 5 %, left
 * alone at the window 4 % (acceptance breach, deemed acceptance). Of the
 * accepted: 3 % left undecided in review (decision limits breach), approvals
 * 90 % / refusals 10 %, renewals applied for 2 % of the approvals.
 * Collaboration: the food licence (食品经营许可) always asks the fire brigade
 * for its opinion before the lead decides; it is the item of 20 % of the cases
 * and of every supplement and tolerated-deficiency case (its guide marks what
 * may be tolerated); the others apply for the hygiene licence (公共场所卫生许可),
 * decided by its department alone.
 *
 * Every command carries its own `x-correlation-id` (`bench-<case>-<step>`),
 * so the checker finds exactly its events in the store afterwards, and the
 * same value as its `Idempotency-Key`, so a retry after a lost reply is safe.
 */
import { applicantRefOf } from '@govsvc/intake/app/application-service';
import type { Caller, GovsvcClient, Reply } from '@govsvc/standalone/client';
import { FOOD_LICENCE, ENTERPRISE, PEOPLE } from '@govsvc/standalone/journeys';
import { SecondBuckets, seededRandom } from './stats.ts';

const FIRE = '北京市东城区消防救援支队';
/** 公共场所卫生许可（新办） of 西城区: no assisting department (the food licence always asks the fire brigade). */
export const HYGIENE = {
  itemCode: '01140027000111010200000011110102MB8375026601001',
  lead: '北京市西城区卫生健康委员会',
  materials: ['application-form', 'floor-plan', 'hygiene-test-report', 'hygiene-rules', 'health-certificates'],
} as const;
const hygieneReviewer: Caller = { role: 'reviewer', subject: 'reviewer-xc-1', department: HYGIENE.lead };
const hygieneChief: Caller = { role: 'chief', subject: 'chief-xc-1', department: HYGIENE.lead };
const fireReviewer: Caller = { role: 'reviewer', subject: 'reviewer-fire-1', department: FIRE };
const applicant: Caller = { role: 'applicant', subject: applicantRefOf(ENTERPRISE.id) };
/** RFC 7240: hold a read of a case or licence review has not made yet (review honours up to 20 s). */
const WAIT_FOR_IT = { prefer: 'wait=20' };
const upload = (materialId: string) => ({ materialId, form: 'electronic', reference: `sha256:${materialId}` });

export type Outcome = 'accepted' | 'supplement-accepted' | 'tolerated' | 'not-accepted' | 'left-at-window';

export interface CasePlan {
  readonly outcome: Outcome;
  readonly leftInReview: boolean;
  readonly collaboration: boolean;
  readonly decision: 'approve' | 'refuse';
  readonly renewal: boolean;
}

/** The food licence (with the fire brigade's opinion) for the collaboration share and for every supplement or tolerated case. */
export const usesFoodLicence = (plan: CasePlan): boolean => plan.collaboration || plan.outcome === 'supplement-accepted' || plan.outcome === 'tolerated';

export function planCase(random: () => number): CasePlan {
  const r = random();
  const outcome: Outcome = r < 0.71 ? 'accepted' : r < 0.83 ? 'supplement-accepted' : r < 0.91 ? 'tolerated' : r < 0.96 ? 'not-accepted' : 'left-at-window';
  const leftInReview = random() < 0.03;
  const collaboration = random() < 0.2;
  const decision = random() < 0.9 ? 'approve' : 'refuse';
  const renewal = decision === 'approve' && random() < 0.02;
  return { outcome, leftInReview, collaboration, decision, renewal };
}

/** One HTTP command the driver sent: what, when, how it ended. */
export interface CommandRecord {
  readonly correlationId: string;
  readonly step: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly atMs: number;
}

/**
 * Sets the system's controlled clock(s) to an instant: every service's together in the distributed run
 * (`moveClocks`), the one process's in the standalone run. Rejects when a clock did not move.
 */
export type SetClock = (instant: string) => Promise<void>;

export interface ClockMove {
  /** Wall time the request was sent (the clock moved after this). */
  readonly wallMs: number;
  readonly clockMs: number;
}

export interface DayResult {
  readonly startedMs: number;
  readonly arrivalsEndedMs: number;
  readonly journeysEndedMs: number;
  readonly commands: CommandRecord[];
  readonly reads: { ok: number; other: number; latencies: number[] };
  readonly casesStarted: number;
  readonly casesFinished: number;
  readonly casesFailed: number;
  readonly failures: Map<string, number>;
  readonly outcomes: Map<string, number>;
  readonly clockMoves: ClockMove[];
  /** Seconds since start → commands answered 2xx. */
  readonly commandBuckets: SecondBuckets;
  readonly caseBuckets: SecondBuckets;
  /** Longest wait of an arrival behind its schedule (the driver's in-flight bound was full). */
  readonly maxArrivalLagMs: number;
  readonly speed: number;
}

export interface DayOptions {
  readonly client: GovsvcClient;
  readonly setClock: SetClock;
  readonly cases: number;
  readonly rate: number;
  readonly maxInFlight: number;
  readonly dayStartMs: number;
  readonly log: (line: string) => void;
  readonly seed?: number;
}

class CommandFailed extends Error {}

export async function runDay(options: DayOptions): Promise<DayResult> {
  const { client, cases, rate, log } = options;
  const random = seededRandom(options.seed ?? 20_261_126);
  const durationS = cases / rate;
  /** Clock seconds per wall second: one day over the arrivals. */
  const speed = 86_400 / durationS;
  const startedMs = Date.now();
  const commands: CommandRecord[] = [];
  const reads = { ok: 0, other: 0, latencies: [] as number[] };
  const failures = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const clockMoves: ClockMove[] = [];
  const commandBuckets = new SecondBuckets(startedMs);
  const caseBuckets = new SecondBuckets(startedMs);
  let casesFinished = 0;
  let casesFailed = 0;
  let inFlight = 0;
  let maxArrivalLagMs = 0;
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  async function command(caseNo: number, step: string, method: 'POST' | 'PUT', path: string, caller: Caller, body: unknown, ok: readonly number[]): Promise<Reply> {
    const correlationId = `bench-${caseNo}-${step}`;
    for (let attempt = 1; ; attempt++) {
      const sent = Date.now();
      let reply: Reply;
      try {
        // The Idempotency-Key makes a retry safe: a reply lost (socket error, 5xx after the append) is retried
        // and the service answers with the first result instead of acting twice.
        reply = await client.call(method, path, caller, body, { 'x-correlation-id': correlationId, 'idempotency-key': correlationId });
      } catch (error) {
        reply = { status: 0, json: {}, text: (error as Error).message };
      }
      const done = Date.now();
      commands.push({ correlationId, step, status: reply.status, latencyMs: done - sent, atMs: done });
      if (ok.includes(reply.status)) {
        commandBuckets.add(done);
        return reply;
      }
      // 412: another command on the case won the race (e.g. a consumer's append); 404 on review: not opened yet.
      const retriable = reply.status === 412 || reply.status === 503 || reply.status === 0 || (reply.status === 404 && path.startsWith('/review/'));
      if (!retriable || attempt >= 60) {
        bump(failures, `${step} → ${reply.status} ${reply.text.slice(0, 160)}`);
        throw new CommandFailed(`${step}: ${reply.status}`);
      }
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * attempt)));
    }
  }

  async function read(path: string, caller: Caller, headers?: Record<string, string>): Promise<Reply> {
    const sent = Date.now();
    const reply = await client.get(path, caller, headers).catch((error: Error) => ({ status: 0, json: {}, text: error.message }) as Reply);
    reads.latencies.push(Date.now() - sent);
    if (reply.status === 200) reads.ok++;
    else reads.other++;
    return reply;
  }

  /**
   * Waits until `path` answers 200: each read asks review to hold it until the resource exists
   * (`Prefer: wait`, up to 20 s), so a journey sends one read where it polled twice a second.
   */
  async function waitFor(path: string, caller: Caller, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await read(path, caller, WAIT_FOR_IT);
      if (r.status === 200) return;
      if (Date.now() > deadline) throw new CommandFailed(`${what} (${r.status})`);
      // A 404 has already waited; anything else (a restart, 503) is retried after a pause.
      if (r.status !== 404) await new Promise((res) => setTimeout(res, 500));
    }
  }

  /** Review learns of the acceptance from Kafka: wait until it opened the case. */
  const reviewOpened = (caseId: string, reviewer: Caller) => waitFor(`/review/cases/${caseId}`, reviewer, `review never opened ${caseId}`, 300_000);

  async function journey(caseNo: number, plan: CasePlan): Promise<void> {
    const intake = (caseId: string, what: string) => `/intake/applications/${caseId}/${what}`;
    const food = usesFoodLicence(plan);
    const materials = plan.outcome === 'supplement-accepted' ? ['application-form', 'safety-rules', 'power-of-attorney'] : plan.outcome === 'tolerated' ? ['application-form', 'layout', 'power-of-attorney'] : food ? FOOD_LICENCE.materials : HYGIENE.materials;
    const reviewer = food ? PEOPLE.reviewer : hygieneReviewer;
    const chief = food ? PEOPLE.chief : hygieneChief;
    const submitted = await command(caseNo, 'submit', 'POST', '/intake/applications', applicant, {
      itemCode: food ? FOOD_LICENCE.itemCode : HYGIENE.itemCode,
      applicant: ENTERPRISE,
      channel: 'online',
      materials: materials.map(upload),
      sharedConfirmations: [{ materialId: 'business-licence', recordId: `samr-bl-${ENTERPRISE.id}`, revision: FOOD_LICENCE.shared.recordSuffix }],
      delivery: { notificationChannels: ['sms'], resultDelivery: { method: 'electronic' }, contact: { name: '张经理', mobile: '13812345678' } },
    }, [201]);
    const caseId = submitted.json.caseId as string;
    switch (plan.outcome) {
      case 'left-at-window':
        return;
      case 'not-accepted':
        await command(caseNo, 'not-accept', 'POST', intake(caseId, 'not-accept'), PEOPLE.clerk, {
          reasons: [{ text: '经营场所位于东城区以外，不属于本机关管辖', legalBasis: '《中华人民共和国行政许可法》第三十二条第一款第（二）项' }],
        }, [200]);
        return;
      case 'supplement-accepted':
        await command(caseNo, 'supplement-notice', 'POST', intake(caseId, 'supplement-notices'), PEOPLE.clerk, { items: [{ materialId: 'layout', problem: 'missing', detail: '请补交主要设备设施布局图及操作流程说明' }] }, [201]);
        await command(caseNo, 'supplement', 'POST', intake(caseId, 'supplements'), applicant, { channel: 'online', materials: [upload('layout')] }, [201]);
        await command(caseNo, 'accept', 'POST', intake(caseId, 'accept'), PEOPLE.clerk, {}, [200]);
        break;
      case 'tolerated':
        await command(caseNo, 'tolerated', 'POST', intake(caseId, 'accept-with-tolerated-deficiencies'), PEOPLE.clerk, {
          items: [{ materialId: 'safety-rules', problem: 'missing', detail: '申请人书面承诺5个工作日内补交食品安全管理制度文本' }],
          deadlineWorkingDays: 5,
        }, [200]);
        await command(caseNo, 'supplement', 'POST', intake(caseId, 'supplements'), applicant, { channel: 'online', materials: [upload('safety-rules')] }, [201]);
        await command(caseNo, 'tolerated-confirmation', 'POST', intake(caseId, 'tolerated-supplement-confirmation'), PEOPLE.clerk, {}, [200]);
        break;
      case 'accepted':
        await command(caseNo, 'accept', 'POST', intake(caseId, 'accept'), PEOPLE.clerk, {}, [200]);
        break;
    }
    if (plan.leftInReview) return;
    await reviewOpened(caseId, reviewer);
    if (food) {
      const asked = await command(caseNo, 'opinion-request', 'POST', `/review/cases/${caseId}/opinion-requests`, PEOPLE.reviewer, { department: FIRE, question: '经营场所消防安全是否符合要求？', dueInWorkingDays: 3 }, [201]);
      const requests = (asked.json.opinionRequests ?? []) as { requestId: string; department: string }[];
      const requestId = requests.find((r) => r.department === FIRE)?.requestId ?? requests[0]?.requestId;
      await command(caseNo, 'opinion', 'POST', `/review/cases/${caseId}/opinions/${requestId}`, fireReviewer, { opinion: 'concur', reasons: [] }, [201]);
    }
    const draft = plan.decision === 'approve'
      ? { outcome: 'approve' }
      : { outcome: 'refuse', reasons: [{ text: '现场核查：经营场所不符合许可条件', legalBasis: '《中华人民共和国行政许可法》第三十八条第二款' }], contact: { department: food ? FOOD_LICENCE.lead : HYGIENE.lead, phone: '010-12345', address: '北京市东城区东四北大街100号' } };
    await command(caseNo, 'handler-signature', 'POST', `/review/cases/${caseId}/signatures`, reviewer, { role: 'handler', draft }, [201]);
    await command(caseNo, 'chief-signature', 'POST', `/review/cases/${caseId}/signatures`, chief, { role: 'chief-representative' }, [201]);
    if (plan.renewal) {
      await waitFor(`/review/licences/LIC-${caseId}`, applicant, `licence of ${caseId} never issued`, 120_000);
      await command(caseNo, 'renewal', 'POST', `/review/licences/LIC-${caseId}/renewals`, applicant, {}, [201]);
    }
  }

  // The compressed clock: one day over the arrivals, moved four times a second.
  let ticking = true;
  const ticker = (async () => {
    while (ticking) {
      const wallMs = Date.now();
      const clockMs = options.dayStartMs + Math.min(86_400_000 - 1, (wallMs - startedMs) * speed);
      const moved = await options.setClock(new Date(clockMs).toISOString()).then(() => true, () => false);
      if (moved) clockMoves.push({ wallMs, clockMs });
      await new Promise((res) => setTimeout(res, 250));
    }
  })();

  const running = new Set<Promise<void>>();
  let slotFreed: (() => void) | null = null;
  let lastReport = Date.now();
  for (let i = 0; i < cases; i++) {
    const due = startedMs + (i / rate) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    while (inFlight >= options.maxInFlight) await new Promise<void>((res) => (slotFreed = res));
    maxArrivalLagMs = Math.max(maxArrivalLagMs, Date.now() - due);
    const plan = planCase(random);
    bump(outcomes, plan.outcome);
    if (plan.outcome !== 'not-accepted' && plan.outcome !== 'left-at-window') {
      if (plan.leftInReview) bump(outcomes, 'left-in-review');
      else {
        bump(outcomes, plan.decision);
        if (usesFoodLicence(plan)) bump(outcomes, 'collaboration');
        if (plan.renewal) bump(outcomes, 'renewal');
      }
    }
    inFlight++;
    const p: Promise<void> = journey(i, plan).then(
      () => {
        casesFinished++;
        caseBuckets.add(Date.now());
      },
      (error: unknown) => {
        casesFailed++;
        if (!(error instanceof CommandFailed)) bump(failures, `unexpected: ${(error as Error).message.slice(0, 160)}`);
      },
    ).finally(() => {
      inFlight--;
      running.delete(p);
      const wake = slotFreed;
      slotFreed = null;
      wake?.();
    });
    running.add(p);
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      log(`  day: ${i + 1}/${cases} arrived, ${casesFinished} journeys done, ${casesFailed} failed, ${inFlight} in flight, ${Math.round(((i + 1) * 1000) / (Date.now() - startedMs))} cases/s offered so far`);
    }
  }
  const arrivalsEndedMs = Date.now();
  const progress = setInterval(() => log(`  day: all ${cases} arrived; ${casesFinished} journeys done, ${casesFailed} failed, ${inFlight} in flight`), 15_000);
  await Promise.all([...running]);
  clearInterval(progress);
  const journeysEndedMs = Date.now();
  ticking = false;
  await ticker;
  return {
    startedMs,
    arrivalsEndedMs,
    journeysEndedMs,
    commands,
    reads,
    casesStarted: cases,
    casesFinished,
    casesFailed,
    failures,
    outcomes,
    clockMoves,
    commandBuckets,
    caseBuckets,
    maxArrivalLagMs,
    speed,
  };
}

/** The night: the clock jumps to just past each following midnight, and the bench waits for the store to go quiet each time. */
export async function runNight(setClock: SetClock, dayStartMs: number, days: number, quiet: () => Promise<void>, log: (line: string) => void): Promise<ClockMove[]> {
  const moves: ClockMove[] = [];
  for (let d = 1; d <= days; d++) {
    const clockMs = dayStartMs + d * 86_400_000 + 60_000;
    const wallMs = Date.now();
    await setClock(new Date(clockMs).toISOString());
    moves.push({ wallMs, clockMs });
    await quiet();
    log(`  night: clock at ${new Date(clockMs + 8 * 3_600_000).toISOString().slice(0, 16)} Beijing, store quiet after ${((Date.now() - wallMs) / 1000).toFixed(1)} s`);
  }
  return moves;
}
