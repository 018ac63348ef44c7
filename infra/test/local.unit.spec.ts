/**
 * infra/local/local.mjs as a user runs it, for the parts that need no running
 * server: the connection settings it prints and how it refuses bad input.
 * (up/down/status against real servers are exercised by every test run.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../local/local.mjs', import.meta.url));

function local(args: string[], env: Record<string, string | undefined> = {}) {
  const clean = { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, KAFKA_BROKERS: undefined, ...env };
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: clean as NodeJS.ProcessEnv, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What a shell would set after `eval` of the output. */
function evalInShell(output: string): Record<string, string> {
  const r = spawnSync('bash', ['-c', `${output}\nprintf '%s\\n' "$KAFKA_BROKERS" "$DATABASE_URL" "$REDIS_URL"`], { encoding: 'utf8' });
  const [KAFKA_BROKERS = '', DATABASE_URL = '', REDIS_URL = ''] = r.stdout.split('\n');
  return { KAFKA_BROKERS, DATABASE_URL, REDIS_URL };
}

describe('infra/local/local.mjs env', () => {
  it('prints the standard local settings as assignments', () => {
    const { code, stdout } = local(['env']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      'KAFKA_BROKERS=127.0.0.1:9092',
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test',
      'REDIS_URL=redis://127.0.0.1:6379',
    ]);
  });

  it('prints what the environment overrides, quoted so eval keeps it intact', () => {
    const env = {
      DATABASE_URL: "postgres://app:p&ss'w d@db.internal:6543/cases?sslmode=require&x=1",
      REDIS_URL: 'redis://cache:6380/2',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
    };
    const { code, stdout } = local(['env'], env);
    expect(code).toBe(0);
    expect(evalInShell(stdout)).toEqual(env);
  });

  it('--export exports each line', () => {
    const { stdout } = local(['env', '--export']);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^export (KAFKA_BROKERS|DATABASE_URL|REDIS_URL)=/);
  });
});

describe('infra/local/local.mjs refuses what it cannot do', () => {
  it('names an unknown component and exits 2', () => {
    const { code, stderr } = local(['up', 'mongodb']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown component "mongodb"');
  });

  it('prints its usage for an unknown command and exits 2', () => {
    const { code, stderr } = local(['launch']);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: node infra/local/local.mjs');
  });

  it('never starts a broker the environment places elsewhere: one message, exit 1', () => {
    // Port 1 on loopback: nothing listens there, and it is not the port infra/kafka runs.
    const { code, stderr } = local(['up', 'kafka'], { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Kafka at 127\.0\.0\.1:1 \(from KAFKA_BROKERS\) does not answer/);
  });
});
