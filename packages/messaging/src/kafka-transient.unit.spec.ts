import { describe, expect, it } from 'vitest';
import { isTransientKafkaError, retryTransient } from './kafka-transient.ts';

/** Shaped like kafkajs's KafkaJSProtocolError: a message and the protocol's error type. */
const protocolError = (message: string, type: string) => Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type });

const notLeader = () => protocolError('This server is not the leader for that topic-partition', 'NOT_LEADER_FOR_PARTITION');
const coordinatorLoading = () => protocolError("The coordinator is loading and hence can't process requests for this group", 'COORDINATOR_LOAD_IN_PROGRESS');

describe('transient Kafka refusals', () => {
  it('knows a partition or group that is still loading, also when wrapped', () => {
    expect(isTransientKafkaError(notLeader())).toBe(true);
    expect(isTransientKafkaError(coordinatorLoading())).toBe(true);
    expect(isTransientKafkaError(new Error('retries exceeded', { cause: notLeader() }))).toBe(true);
  });

  it('does not take a refused connection or a bad request for one', () => {
    // A broker that is down must fail the caller within kafkajs's own retries.
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9'), { name: 'KafkaJSConnectionError', retriable: true });
    expect(isTransientKafkaError(refused)).toBe(false);
    expect(isTransientKafkaError(protocolError('Replication-factor is invalid', 'INVALID_REPLICATION_FACTOR'))).toBe(false);
    expect(isTransientKafkaError(undefined)).toBe(false);
  });

  it('asks again after a refusal that goes away, waiting longer each time up to the cap', async () => {
    const waits: number[] = [];
    const refusals = [notLeader(), coordinatorLoading(), notLeader(), notLeader()];
    const result = await retryTransient(
      { attempts: 6, initialDelayMs: 100, maxDelayMs: 300 },
      async () => {
        const refusal = refusals.shift();
        if (refusal) throw refusal;
        return 'lag';
      },
      async (ms) => void waits.push(ms),
    );
    expect(result).toBe('lag');
    expect(waits).toEqual([100, 200, 300, 300]);
  });

  it('gives up after its tries, with the last refusal', async () => {
    let tries = 0;
    const attempt = async () => {
      tries++;
      throw notLeader();
    };
    await expect(retryTransient({ attempts: 3, initialDelayMs: 1, maxDelayMs: 1 }, attempt, async () => undefined)).rejects.toThrow(/not the leader/);
    expect(tries).toBe(3);
  });

  it('fails at once on anything else', async () => {
    let tries = 0;
    const attempt = async () => {
      tries++;
      throw protocolError('Topic with this name already exists', 'TOPIC_ALREADY_EXISTS');
    };
    await expect(retryTransient({ attempts: 5, initialDelayMs: 1, maxDelayMs: 1 }, attempt, async () => undefined)).rejects.toThrow(/already exists/);
    expect(tries).toBe(1);
  });
});
