/** Types of `kafka-message-batch.mjs` (plain JavaScript, run as is by the producer thread). */
export interface PackableMessage {
  readonly key: string | Uint8Array | null;
  readonly value: string | Uint8Array | null;
  readonly headers?: Readonly<Record<string, string | Uint8Array | readonly (string | Uint8Array)[]>>;
}
export interface UnpackedMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Record<string, Buffer | null | (Buffer | null)[]>;
}
/** The messages as one transferable ArrayBuffer. */
export function packMessages(messages: readonly PackableMessage[]): ArrayBuffer;
/** The messages of a packed batch, as views on its memory. */
export function unpackMessages(batch: ArrayBuffer): UnpackedMessage[];
