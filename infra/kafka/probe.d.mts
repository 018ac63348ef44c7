/** Types for probe.mjs (plain JavaScript so the shell scripts can run it without a build). */
export interface KafkaProbeResult {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: ReadonlyArray<{ readonly nodeId: number; readonly host: string; readonly port: number }>;
  readonly metadataVersion: number;
}

/** Resolves when the broker at host:port answers a Metadata request; rejects otherwise. */
export function probeKafka(options?: { host?: string; port?: number; timeoutMs?: number }): Promise<KafkaProbeResult>;
