import { describe, expect, it } from 'vitest';
import { hotPathsEnv, loadBenchConfig } from '../src/config.ts';

describe('bench configuration: topology and broker', () => {
  it('runs the distributed run on the shared broker unless told otherwise (issue 8)', () => {
    const config = loadBenchConfig([], {});
    expect(config.topology).toBe('distributed');
    expect(config.ownKafka).toBe(false);
    expect(config.kafkaBrokers).toBe('127.0.0.1:9092');
    expect(config.portBase).toBe(3960);
  });

  it('keeps the standalone process and a broker of its own as options', () => {
    const config = loadBenchConfig(['--topology', 'standalone', '--own-kafka', '--port-base', '4100'], { KAFKA_BROKERS: '10.0.0.1:9092' });
    expect(config.topology).toBe('standalone');
    expect(config.ownKafka).toBe(true);
    expect(config.portBase).toBe(4100);
  });

  it('accepts the older --shared-kafka (now the default) and refuses it together with --own-kafka', () => {
    expect(loadBenchConfig(['--shared-kafka'], {}).ownKafka).toBe(false);
    expect(() => loadBenchConfig(['--shared-kafka', '--own-kafka'], {})).toThrow(/one or the other/);
  });

  it('refuses an unknown topology', () => {
    expect(() => loadBenchConfig(['--topology', 'cluster'], {})).toThrow(/--topology: distributed or standalone \(cluster\)/);
  });
});

describe('bench:hot-paths configuration', () => {
  it('passes HOT_PATHS_* settings to intake, and Node options to intake alone', () => {
    const env = { DATABASE_URL: 'postgres://x@h/db', HOT_PATHS_POOL: '4', HOT_PATHS_NODE_OPTIONS: '--require /tmp/heap.cjs', PATH: '/usr/bin' };
    const hot = hotPathsEnv(env);
    expect(hot.databaseUrl).toBe('postgres://x@h/db');
    expect(hot.intakeNodeOptions).toBe('--require /tmp/heap.cjs');
    expect(hot.childEnv.HOT_PATHS_POOL).toBe('4');
    expect(hotPathsEnv({ HOT_PATHS_NODE_OPTIONS: '' }).intakeNodeOptions).toBeUndefined();
  });
});
