/** Types for probe.mjs (plain JavaScript so the shell scripts can run it without a build). */
export interface KafkaProbeResult {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: ReadonlyArray<{ readonly nodeId: number; readonly host: string; readonly port: number }>;
  readonly metadataVersion: number;
}

export interface KafkaProbeSasl {
  /** SCRAM-SHA-256 or SCRAM-SHA-512 (any case). */
  readonly mechanism: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Resolves when the broker at host:port answers a Metadata request (after a SCRAM login when `sasl`
 * is given; also a FindCoordinator for a group when `coordinator`); rejects otherwise.
 */
export function probeKafka(options?: { host?: string; port?: number; timeoutMs?: number; sasl?: KafkaProbeSasl; coordinator?: boolean }): Promise<KafkaProbeResult>;
