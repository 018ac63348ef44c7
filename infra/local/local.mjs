#!/usr/bin/env node
// Brings up the real infrastructure this project runs against on one machine:
// PostgreSQL, Redis (the machine's own servers) and Kafka (infra/kafka/kafka.sh).
// Plain Node, no dependencies: it runs before `pnpm install` has happened.
//
//   node infra/local/local.mjs up [postgres|redis|kafka ...]   start what does not answer (default: all)
//   node infra/local/local.mjs ensure                          same as `up` for all, quiet when all answer
//   node infra/local/local.mjs down [component ...]             stop what this script started (recorded in infra/.run/)
//   node infra/local/local.mjs status                           what answers; exit 1 if anything does not
//   node infra/local/local.mjs env [--export]                   KAFKA_BROKERS=, DATABASE_URL=, REDIS_URL= lines
//
// --secure (with up, ensure, down, status, env): the authenticated variants
// issue 9 needs, beside the plain ones: Kafka on 127.0.0.1:9094 with
// SASL/SCRAM and ACLs (infra/kafka/kafka.sh --secure) and a Redis of our own
// on 127.0.0.1:6380 whose default user is off and whose users have passwords.
// `env --secure` prints their connection settings with the app's credentials.
//
// Connection settings come from the environment when set (DATABASE_URL,
// REDIS_URL, KAFKA_BROKERS), else the standard localhost ports. A component
// named by an env var that points elsewhere is only checked, never started.
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { probeKafka } from '../kafka/probe.mjs';

const infraDir = fileURLToPath(new URL('../', import.meta.url));
const runDir = `${infraDir}.run`;
const startedDir = `${runDir}/started`;
const kafkaScript = `${infraDir}kafka/kafka.sh`;
const secureDir = `${runDir}/secure`;
const kafkaSecureCredentials = `${infraDir}kafka/.run/secure/credentials.env`;
const redisSecureCredentials = `${secureDir}/redis.env`;
const SECURE_KAFKA = { host: '127.0.0.1', port: 9094 };
const SECURE_REDIS = { host: '127.0.0.1', port: 6380 };
const COMPONENTS = ['postgres', 'redis', 'kafka'];

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// ---------------------------------------------------------------- settings

function settings(secure = false) {
  if (secure) return secureSettings();
  const env = process.env;
  const databaseUrl = env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';
  const kafkaBrokers = env.KAFKA_BROKERS || '127.0.0.1:9092';
  const pg = new URL(databaseUrl);
  const redis = new URL(redisUrl);
  const [kHost, kPort] = kafkaBrokers.split(',')[0].trim().split(':');
  return {
    postgres: { url: databaseUrl, host: pg.hostname, port: Number(pg.port) || 5432, fromEnv: Boolean(env.DATABASE_URL), database: decodeURIComponent(pg.pathname.slice(1)) || 'postgres', user: decodeURIComponent(pg.username) || 'postgres' },
    redis: { url: redisUrl, host: redis.hostname, port: Number(redis.port) || 6379, fromEnv: Boolean(env.REDIS_URL) },
    kafka: { url: kafkaBrokers, host: kHost || '127.0.0.1', port: Number(kPort) || 9092, fromEnv: Boolean(env.KAFKA_BROKERS) },
  };
}

/** Reads a KEY=value file (the generated credentials), or null when it does not exist yet. */
function readEnvFile(path) {
  if (!existsSync(path)) return null;
  const out = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** Connection settings of the secure variants; credentials are filled in once they were generated. */
function secureSettings() {
  const plain = settings(false);
  const kafkaCreds = readEnvFile(kafkaSecureCredentials);
  const redisCreds = readEnvFile(redisSecureCredentials);
  const redisUrl = redisCreds
    ? `redis://${redisCreds.REDIS_APP_USERNAME}:${redisCreds.REDIS_APP_PASSWORD}@${SECURE_REDIS.host}:${SECURE_REDIS.port}`
    : `redis://${SECURE_REDIS.host}:${SECURE_REDIS.port}`;
  return {
    postgres: plain.postgres,
    redis: { url: redisUrl, ...SECURE_REDIS, fromEnv: false, secure: true, credentials: redisCreds },
    kafka: { url: `${SECURE_KAFKA.host}:${SECURE_KAFKA.port}`, ...SECURE_KAFKA, fromEnv: false, secure: true, credentials: kafkaCreds },
  };
}

const isLocal = (host) => host === '127.0.0.1' || host === 'localhost' || host === '::1';

// ---------------------------------------------------------------- probes
// Each probe speaks a few bytes of the real protocol, so "answers" means the
// server serves clients, not merely that something holds the port.

/** Opens a socket, writes `hello`, resolves the first bytes that come back (or null). */
function exchange(host, port, hello, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (value) => { socket.removeAllListeners(); socket.destroy(); resolve(value); };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('error', () => done(null));
    socket.once('connect', () => socket.write(hello));
    socket.once('data', (data) => done(data));
  });
}

async function postgresAnswers({ host, port }) {
  // SSLRequest: a PostgreSQL server answers with one byte, 'S' or 'N'.
  const req = Buffer.alloc(8);
  req.writeInt32BE(8, 0);
  req.writeInt32BE(80877103, 4);
  const reply = await exchange(host, port, req);
  return reply !== null && (reply[0] === 0x53 || reply[0] === 0x4e);
}

async function redisAnswers({ host, port }) {
  const reply = await exchange(host, port, 'PING\r\n');
  if (reply === null) return false;
  const text = reply.toString();
  // -NOAUTH: a server with ACL users (secure mode) answers, it just wants credentials.
  return text.startsWith('+PONG') || text.startsWith('-NOAUTH');
}

async function kafkaAnswers({ host, port, secure, credentials }) {
  if (secure && !credentials) return false;
  const sasl = secure ? { mechanism: 'SCRAM-SHA-512', username: credentials.KAFKA_APP_USERNAME, password: credentials.KAFKA_APP_PASSWORD } : undefined;
  try {
    await probeKafka({ host, port, timeoutMs: 2000, sasl });
    return true;
  } catch {
    return false;
  }
}

const answers = { postgres: postgresAnswers, redis: redisAnswers, kafka: kafkaAnswers };

async function waitFor(component, target, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers[component](target)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

// ---------------------------------------------------------------- what we started

function recordStarted(component, details) {
  mkdirSync(startedDir, { recursive: true });
  writeFileSync(`${startedDir}/${component}.json`, JSON.stringify({ component, at: new Date().toISOString(), ...details }, null, 2) + '\n');
}

function startedRecord(component) {
  const file = `${startedDir}/${component}.json`;
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function forgetStarted(component) {
  rmSync(`${startedDir}/${component}.json`, { force: true });
}

// ---------------------------------------------------------------- starting

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) return { ok: false, why: r.error.message };
  return { ok: r.status === 0, why: `${cmd} exited with ${r.status ?? r.signal}` };
}

class Missing extends Error {}

async function startPostgres(target) {
  if (!isLocal(target.host)) throw new Missing(`PostgreSQL at ${target.host}:${target.port} (from DATABASE_URL) does not answer; it is not on this machine, so start it there.`);
  const clusters = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (!isRoot || !which('pg_ctlcluster') || clusters.length === 0) {
    throw new Missing(`PostgreSQL does not answer at ${target.host}:${target.port}, and it cannot be started from here ` +
      `(needs root and a Debian cluster: pg_ctlcluster <version> main start). Install/start PostgreSQL or set DATABASE_URL.`);
  }
  const version = clusters.sort().at(-1);
  console.log(`postgres: starting cluster ${version}/main`);
  const r = run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  if (!r.ok) throw new Missing(`PostgreSQL ${version}/main failed to start (${r.why}); see /var/log/postgresql/.`);
  if (!(await waitFor('postgres', target, 30_000))) throw new Missing(`PostgreSQL ${version}/main started but does not answer at ${target.host}:${target.port}.`);
  recordStarted('postgres', { how: 'pg_ctlcluster', version });
}

/** The test database in DATABASE_URL may be missing on a fresh server: create it when psql can. */
function ensureDatabase(target) {
  if (!isLocal(target.host) || !which('psql')) return;
  const psql = (sql, db = 'postgres') => spawnSync('psql', ['-h', target.host, '-p', String(target.port), '-U', target.user, '-d', db, '-Atqc', sql], { encoding: 'utf8' });
  const found = psql(`select 1 from pg_database where datname = '${target.database.replaceAll("'", "''")}'`);
  if (found.status !== 0 || found.stdout.trim() === '1') return;
  console.log(`postgres: creating database ${target.database}`);
  const created = psql(`create database "${target.database.replaceAll('"', '""')}"`);
  if (created.status !== 0) console.error(`postgres: could not create database ${target.database}: ${created.stderr.trim()}`);
}

async function startRedis(target) {
  if (!isLocal(target.host)) throw new Missing(`Redis at ${target.host}:${target.port} (from REDIS_URL) does not answer; it is not on this machine, so start it there.`);
  if (!isRoot || !which('redis-server')) {
    throw new Missing(`Redis does not answer at ${target.host}:${target.port}, and it cannot be started from here ` +
      `(needs root and redis-server). Install/start Redis 7 or set REDIS_URL.`);
  }
  for (const dir of ['/var/lib/redis', '/var/log/redis']) mkdirSync(dir, { recursive: true });
  console.log(`redis: starting redis-server on port ${target.port}`);
  const r = run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', String(target.port),
    '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log']);
  if (!r.ok) throw new Missing(`redis-server failed to start (${r.why}); see /var/log/redis/ci.log.`);
  if (!(await waitFor('redis', target, 15_000))) throw new Missing(`redis-server started but does not answer at ${target.host}:${target.port}.`);
  recordStarted('redis', { how: 'redis-server', port: target.port });
}

/**
 * Our own Redis for secure mode, so the machine's server (and everyone using
 * it) is left alone: the default user is off, `govsvc` may use data commands
 * but not administer or flush, `admin` may do anything (fault tests flush and
 * restart), `guest` may log in and do nothing.
 */
async function startSecureRedis(target) {
  if (!which('redis-server')) throw new Missing('secure mode needs redis-server (Redis 7) to run its own instance on 127.0.0.1:6380.');
  mkdirSync(secureDir, { recursive: true, mode: 0o700 });
  if (!existsSync(redisSecureCredentials)) {
    const secret = () => randomBytes(24).toString('base64url');
    writeFileSync(redisSecureCredentials, [
      '# Generated by infra/local for the secure Redis at 127.0.0.1:6380. Do not commit.',
      'REDIS_ADMIN_USERNAME=admin', `REDIS_ADMIN_PASSWORD=${secret()}`,
      'REDIS_APP_USERNAME=govsvc', `REDIS_APP_PASSWORD=${secret()}`,
      'REDIS_GUEST_USERNAME=guest', `REDIS_GUEST_PASSWORD=${secret()}`, '',
    ].join('\n'), { mode: 0o600 });
  }
  const c = readEnvFile(redisSecureCredentials);
  writeFileSync(`${secureDir}/users.acl`, [
    'user default off',
    `user ${c.REDIS_ADMIN_USERNAME} on >${c.REDIS_ADMIN_PASSWORD} ~* &* +@all`,
    `user ${c.REDIS_APP_USERNAME} on >${c.REDIS_APP_PASSWORD} ~* &* +@all -@admin -@dangerous +info`,
    `user ${c.REDIS_GUEST_USERNAME} on >${c.REDIS_GUEST_PASSWORD} -@all`, '',
  ].join('\n'), { mode: 0o600 });
  console.log(`redis: starting the secure redis-server on port ${target.port}`);
  const r = run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(target.port),
    '--save', '', '--appendonly', 'no', '--dir', secureDir, '--pidfile', `${secureDir}/redis.pid`,
    '--logfile', `${secureDir}/redis.log`, '--aclfile', `${secureDir}/users.acl`]);
  if (!r.ok) throw new Missing(`the secure redis-server failed to start (${r.why}); see ${secureDir}/redis.log.`);
  if (!(await waitFor('redis', target, 15_000))) throw new Missing(`the secure redis-server does not answer at ${target.host}:${target.port}.`);
  recordStarted('redis-secure', { how: 'redis-server --aclfile', port: target.port });
}

async function startKafka(target, { secure }) {
  if (!secure && (!isLocal(target.host) || target.port !== 9092)) {
    throw new Missing(`Kafka at ${target.host}:${target.port} (from KAFKA_BROKERS) does not answer; infra/kafka runs only 127.0.0.1:9092, so start that broker yourself.`);
  }
  // kafka.sh holds a lock while it starts, so two callers never start two brokers.
  const r = run('bash', [kafkaScript, 'start', ...(secure ? ['--secure'] : [])]);
  if (!r.ok) throw new Missing(`infra/kafka/kafka.sh start${secure ? ' --secure' : ''} failed (${r.why}); see infra/kafka/.run/${secure ? 'secure/' : ''}logs/server.log.`);
  recordStarted(secure ? 'kafka-secure' : 'kafka', { how: `infra/kafka/kafka.sh${secure ? ' --secure' : ''}` });
}

const starters = {
  postgres: startPostgres,
  redis: (target, options) => (options.secure ? startSecureRedis(target) : startRedis(target)),
  kafka: startKafka,
};

// ---------------------------------------------------------------- stopping

function redisPid(target) {
  const r = spawnSync('redis-cli', ['-h', target.host, '-p', String(target.port), 'info', 'server'], { encoding: 'utf8' });
  return /process_id:(\d+)/.exec(r.stdout ?? '')?.[1];
}

async function stop(component, target, secure) {
  const key = secure && component !== 'postgres' ? `${component}-secure` : component;
  const record = startedRecord(key);
  if (!record) {
    console.log(`${key}: not started by infra/local; leaving it running`);
    return true;
  }
  let ok = true;
  if (key === 'redis-secure') {
    const pidFile = `${secureDir}/redis.pid`;
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
    if (Number.isInteger(pid)) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (await redisAnswers(target))) await new Promise((r) => setTimeout(r, 100));
    }
  } else if (key === 'kafka-secure') {
    ok = run('bash', [kafkaScript, 'stop', '--secure']).ok;
  } else if (component === 'postgres') {
    ok = run('pg_ctlcluster', ['--skip-systemctl-redirect', record.version, 'main', 'stop']).ok;
  } else if (component === 'redis') {
    // The server we started, even if REDIS_URL now names another one.
    target = { ...target, port: record.port ?? target.port };
    const pid = redisPid(target);
    if (pid) {
      process.kill(Number(pid), 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (await redisAnswers(target))) await new Promise((r) => setTimeout(r, 100));
    }
  } else {
    ok = run('bash', [kafkaScript, 'stop']).ok;
  }
  if (ok) {
    forgetStarted(key);
    console.log(`${key}: stopped`);
  }
  return ok;
}

// ---------------------------------------------------------------- commands

function parseComponents(args) {
  const names = args.filter((a) => !a.startsWith('--'));
  for (const name of names) {
    if (!COMPONENTS.includes(name)) {
      console.error(`unknown component "${name}" (expected ${COMPONENTS.join(', ')})`);
      process.exit(2);
    }
  }
  return names.length > 0 ? names : COMPONENTS;
}

async function up(components, { secure = false, quiet = false } = {}) {
  let s = settings(secure);
  const problems = [];
  for (const component of components) {
    const target = s[component];
    try {
      if (await answers[component](target)) {
        if (!quiet) console.log(`${component}: answers at ${target.host}:${target.port}`);
      } else {
        await starters[component](target, { secure });
        s = settings(secure); // secure credentials exist now
      }
      if (component === 'postgres') ensureDatabase(target);
    } catch (err) {
      if (!(err instanceof Missing)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(`infra: ${p}`);
    return 1;
  }
  if (!quiet) {
    console.log(`\nConnect with (eval "$(node infra/local/local.mjs env --export${secure ? ' --secure' : ''})"):`);
    // Secrets stay out of logs: `env` prints them when asked.
    printEnv(s, false, true);
  }
  return 0;
}

/** Stops what infra/local started; without --secure that includes the secure variants it started. */
async function down(components, secure) {
  let ok = true;
  for (const variant of secure ? [true] : [false, true]) {
    const s = settings(variant);
    // Reverse order: Kafka first, the stores last.
    for (const component of [...components].reverse()) {
      if (variant && (component === 'postgres' || !startedRecord(`${component}-secure`))) continue; // nothing secure of ours there
      ok = (await stop(component, s[component], variant)) && ok;
    }
  }
  return ok ? 0 : 1;
}

async function status(secure) {
  const s = settings(secure);
  let all = true;
  for (const component of COMPONENTS) {
    const target = s[component];
    const ok = await answers[component](target);
    all &&= ok;
    const key = secure && component !== 'postgres' ? `${component}-secure` : component;
    const by = startedRecord(key) ? ', started by infra/local' : '';
    // Never print a password: the secure Redis URL carries one.
    console.log(`${key.padEnd(13)} ${ok ? 'answers' : 'DOWN   '} ${target.url.replace(/:[^:@/]+@/, ':***@')}${by}`);
  }
  return all ? 0 : 1;
}

/** Shell-safe: quote only when a value has characters a shell would interpret. */
function shellValue(value) {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

function printEnv(s, exportPrefix, redact = false) {
  const prefix = exportPrefix ? 'export ' : '';
  const log = (line) => console.log(redact ? line.replace(/(PASSWORD=).*/, '$1***').replace(/:[^:@/]+@/, ':***@') : line);
  log(`${prefix}KAFKA_BROKERS=${shellValue(s.kafka.url)}`);
  if (s.kafka.secure) {
    const c = s.kafka.credentials;
    if (!c) throw new Missing('the secure Kafka has not been started yet: node infra/local/local.mjs up --secure');
    log(`${prefix}KAFKA_SASL_MECHANISM=${shellValue(c.KAFKA_SASL_MECHANISM)}`);
    log(`${prefix}KAFKA_SASL_USERNAME=${shellValue(c.KAFKA_APP_USERNAME)}`);
    log(`${prefix}KAFKA_SASL_PASSWORD=${shellValue(c.KAFKA_APP_PASSWORD)}`);
  }
  log(`${prefix}DATABASE_URL=${shellValue(s.postgres.url)}`);
  if (s.redis.secure && !s.redis.credentials) throw new Missing('the secure Redis has not been started yet: node infra/local/local.mjs up --secure');
  log(`${prefix}REDIS_URL=${shellValue(s.redis.url)}`);
}

const usage = `usage: node infra/local/local.mjs <command>
  up [postgres|redis|kafka ...]  start what does not answer (default: all)
  ensure                         up, quiet when everything already answers
  down [component ...]           stop what infra/local started
  status                         what answers (exit 1 if anything is down)
  env [--export]                 connection settings as shell assignments
  --secure                       (with any of them) the authenticated Kafka (9094) and Redis (6380)`;

const [command, ...rest] = process.argv.slice(2);
const flags = new Set(rest.filter((a) => a.startsWith('--')));
let code;
switch (command) {
  case 'up':
    code = await up(parseComponents(rest), { secure: flags.has('--secure') });
    break;
  case 'ensure':
    code = await up(COMPONENTS, { secure: flags.has('--secure'), quiet: true });
    break;
  case 'down':
    code = await down(parseComponents(rest), flags.has('--secure'));
    break;
  case 'status':
    code = await status(flags.has('--secure'));
    break;
  case 'env':
    try {
      printEnv(settings(flags.has('--secure')), flags.has('--export'));
      code = 0;
    } catch (err) {
      if (!(err instanceof Missing)) throw err;
      console.error(`infra: ${err.message}`);
      code = 1;
    }
    break;
  default:
    console.error(usage);
    code = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}
process.exit(code);
