/**
 * Carrier webhook authenticity (R-COURIER-1): HMAC-SHA256 over the raw
 * request body with the carrier's secret, compared in constant time, and
 * replay protection: the body carries the time it was sent (covered by the
 * signature, so it cannot be refreshed by an attacker) which must lie within
 * a window of our clock, and a delivery id that is accepted once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-carrier-signature';

export function signBody(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Constant-time check of `sha256=<hex>` against the body; false for anything malformed. */
export function verifySignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = Buffer.from(signBody(rawBody, secret), 'utf8');
  const given = Buffer.from(header, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Remembers delivery ids for as long as a replay could still pass the time window. */
export interface ReplayGuard {
  /** True the first time (carrier, deliveryId) is seen within `ttlMs`, false on a replay. */
  firstSeen(carrier: string, deliveryId: string, now: Date, ttlMs: number): Promise<boolean>;
  /**
   * Forgets a delivery whose processing failed, so the carrier's retry of it is processed rather than
   * answered as a replay (which would lose its scans). Processing is idempotent, so a retry is harmless.
   */
  release(carrier: string, deliveryId: string): Promise<void>;
}

export function createInMemoryReplayGuard(): ReplayGuard {
  const seen = new Map<string, number>();
  return {
    async firstSeen(carrier, deliveryId, now, ttlMs) {
      const t = now.getTime();
      for (const [key, expires] of seen) if (expires <= t) seen.delete(key);
      const key = `${carrier}\u0000${deliveryId}`;
      if (seen.has(key)) return false;
      seen.set(key, t + ttlMs);
      return true;
    },
    async release(carrier, deliveryId) {
      seen.delete(`${carrier}\u0000${deliveryId}`);
    },
  };
}
