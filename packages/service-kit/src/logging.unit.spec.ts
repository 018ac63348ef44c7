import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from './app.ts';
import { allow } from './auth.ts';
import { pino } from 'pino';
import { createLogger, loggerOptions, RequestLogger } from './logging.ts';
import { createTestAuth, LogCapture, testAppDeps, type TestAuth } from './testing.ts';

const ID = '11010519491231002X';
const PHONE = '13812345678';

function capture(): { logs: LogCapture; log: ReturnType<typeof createLogger> } {
  const logs = new LogCapture();
  return { logs, log: createLogger({ serviceName: 'intake', level: 'info' }, logs) };
}

describe('logger', () => {
  it('R-ID-1: masks an ID number and a phone inside the message', () => {
    const { logs, log } = capture();
    log.info(`application from ${ID}, contact ${PHONE}`);
    expect(logs.entries()[0]?.msg).toBe('application from 110105********002X, contact 138****5678');
    expect(logs.text).not.toContain(ID);
    expect(logs.text).not.toContain(PHONE);
  });

  it('masks interpolation arguments and free-text string fields', () => {
    const { logs, log } = capture();
    log.info({ note: `caller gave ${PHONE}`, nested: { list: [`id ${ID}`] } }, 'applicant %s called', ID);
    const [entry] = logs.entries();
    expect(entry?.msg).toBe('applicant 110105********002X called');
    expect(entry?.note).toBe('caller gave 138****5678');
    expect(entry?.nested).toEqual({ list: ['id 110105********002X'] });
  });

  it('masks, not removes, personal-data fields at any nesting depth', () => {
    const { logs, log } = capture();
    log.info(
      {
        idNumber: ID,
        applicant: { name: '张三', phone: PHONE, address: '北京市朝阳区建国路88号' },
        case: { parties: { agent: { mobile: PHONE } } },
        applicants: [{ idNumber: ID }],
      },
      'submitted',
    );
    const [entry] = logs.entries();
    expect(entry?.idNumber).toBe('110105********002X');
    expect(entry?.applicant).toEqual({ name: '张*', phone: '138****5678', address: '北京市朝阳区****' });
    expect(entry?.case).toEqual({ parties: { agent: { mobile: '138****5678' } } });
    expect(entry?.applicants).toEqual([{ idNumber: '110105********002X' }]);
  });

  it('removes credentials and non-string personal data outright', () => {
    const { logs, log } = capture();
    log.info({ upstream: { headers: { authorization: 'Bearer abc.def.ghi' } }, applicant: { address: { street: '建国路88号' } } }, 'x');
    const [entry] = logs.entries();
    expect(entry?.upstream).toEqual({ headers: { authorization: '[REDACTED]' } });
    expect(entry?.applicant).toEqual({ address: '[REDACTED]' });
    expect(logs.text).not.toContain('abc.def.ghi');
  });

  it('masks ID numbers in error messages and stacks, and in the message taken from an error', () => {
    const { logs, log } = capture();
    log.error(new Error(`no such resident ${ID}`));
    log.error({ err: new Error(`bad phone ${PHONE}`) });
    const [first, second] = logs.entries();
    expect(first?.msg).toBe('no such resident 110105********002X');
    expect((first?.err as { message: string; stack: string }).stack).toContain('110105********002X');
    expect(second?.msg).toBe('bad phone 138****5678');
    expect(logs.text).not.toContain(ID);
    expect(logs.text).not.toContain(PHONE);
  });

  it('writes ISO time, the level label and the service name', () => {
    const { logs, log } = capture();
    log.warn('hello');
    expect(logs.entries()[0]).toMatchObject({ level: 'warn', service: 'intake', msg: 'hello' });
    expect(String(logs.entries()[0]?.time)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

describe('request logging', () => {
  let auth: TestAuth;
  let app: App;
  let logs: LogCapture;

  beforeAll(async () => {
    auth = await createTestAuth('intake');
    const deps = testAppDeps(auth, 'intake');
    logs = deps.logs;
    app = await buildApp(deps, { serviceName: 'intake', version: '1.0.0', defaultMetrics: false });
    app.get('/residents/:id', { config: allow('clerk') }, async (request) => {
      request.log.info({ resident: { idNumber: ID } }, `looked up ${ID}`);
      return { ok: true };
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('R-ID-1: binds the correlation id to request log lines and masks the ID in the URL, fields and message', async () => {
    const token = await auth.token(['clerk']);
    const res = await app.inject({
      method: 'GET',
      url: `/residents/${ID}?phone=${PHONE}`,
      headers: { authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-logging-0001' },
    });
    expect(res.statusCode).toBe(200);
    const lines = logs.entries().filter((e) => e.correlationId === 'corr-logging-0001');
    expect(lines.map((l) => l.msg)).toEqual(['incoming request', 'looked up 110105********002X', 'request completed']);
    expect((lines[0]?.req as { url: string }).url).toBe('/residents/110105********002X?phone=138****5678');
    expect(lines[1]?.resident).toEqual({ idNumber: '110105********002X' });
    expect(logs.text).not.toContain(ID);
    expect(logs.text).not.toContain(PHONE);
    expect(logs.text).not.toContain(token);
  });
});

describe('the per-request logger is made on its first enabled line (issue 8)', () => {
  function counted(level: 'info' | 'warn') {
    const logs = new LogCapture();
    let children = 0;
    const log = pino({ ...loggerOptions({ serviceName: 'intake', level }), onChild: () => (children += 1) }, logs);
    return { logs, log, children: () => children };
  }

  it('at warn, info lines cost no child logger and write nothing; a warn line makes it once, bound and masked', () => {
    const { logs, log, children } = counted('warn');
    const request = new RequestLogger(log, { correlationId: 'corr-lazy-0001' }, undefined);
    request.info({ req: { url: `/residents/${ID}` } }, 'incoming request');
    request.debug('nothing');
    expect(children()).toBe(0);
    expect(request.level).toBe('warn');
    expect(request.isLevelEnabled('info')).toBe(false);
    request.warn({ resident: { idNumber: ID, phone: PHONE } }, `slow lookup of ${ID}`);
    request.error('and again');
    expect(children()).toBe(1);
    const entries = logs.entries();
    expect(entries.map((e) => [e.correlationId, e.msg])).toEqual([
      ['corr-lazy-0001', 'slow lookup of 110105********002X'],
      ['corr-lazy-0001', 'and again'],
    ]);
    expect(entries[0]?.resident).toEqual({ idNumber: '110105********002X', phone: '138****5678' });
    expect(logs.text).not.toContain(ID);
    expect(logs.text).not.toContain(PHONE);
  });

  it('at info, writes what the eager child wrote; a level set on it applies to it alone', () => {
    const { logs, log } = counted('info');
    const request = new RequestLogger(log, { correlationId: 'corr-lazy-0002' }, undefined);
    request.info(`for ${PHONE}`);
    expect(logs.entries()[0]).toMatchObject({ correlationId: 'corr-lazy-0002', msg: 'for 138****5678', level: 'info', service: 'intake' });
    request.level = 'error';
    request.warn('dropped');
    expect(logs.entries()).toHaveLength(1);
    expect(log.level).toBe('info');
    expect(request.child({ step: 'inner' }).bindings()).toMatchObject({ correlationId: 'corr-lazy-0002', step: 'inner' });
  });

  it('an app at warn writes no per-request line, but a request\'s warning carries its correlation id', async () => {
    const auth = await createTestAuth('intake');
    const deps = testAppDeps(auth, 'intake', 'warn');
    const app = await buildApp(deps, { serviceName: 'intake', version: '1.0.0', defaultMetrics: false });
    app.get('/residents/:id', { config: allow('clerk') }, async (request) => {
      request.log.info({ resident: { idNumber: ID } }, 'looked up');
      request.log.warn(`odd lookup of ${ID}`);
      return { ok: true };
    });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: `/residents/${ID}`, headers: { authorization: `Bearer ${await auth.token(['clerk'])}`, 'x-correlation-id': 'corr-lazy-0003' } });
    expect(res.statusCode).toBe(200);
    expect(deps.logs.entries().map((e) => [e.correlationId, e.msg])).toEqual([['corr-lazy-0003', 'odd lookup of 110105********002X']]);
    await app.close();
  });
});
