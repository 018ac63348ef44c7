import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from './webhook-signature.ts';

describe('carrier webhook signature (R-COURIER-1)', () => {
  const body = Buffer.from('{"deliveryId":"d-1","sentAt":"2025-03-21T01:00:00Z","events":[]}');
  it('R-COURIER-1: HMAC-SHA256 of the raw body with the carrier secret, as sha256=<hex>', () => {
    expect(signBody(body, 's3cret')).toBe(`sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    expect(verifySignature(body, signBody(body, 's3cret'), 's3cret')).toBe(true);
  });

  it('R-COURIER-1: refuses another secret, a changed byte, and malformed or missing headers', () => {
    const good = signBody(body, 's3cret');
    expect(verifySignature(body, good, 'other')).toBe(false);
    const changed = Buffer.from(body);
    changed[2] = changed[2]! ^ 1;
    expect(verifySignature(changed, good, 's3cret')).toBe(false);
    // The same JSON re-serialized with other spacing is another body: the signature is over bytes.
    expect(verifySignature(Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1)), good, 's3cret')).toBe(false);
    for (const header of [undefined, '', good.slice(7), `sha1=${good.slice(7)}`, `${good}0`, good.toUpperCase()]) expect(verifySignature(body, header, 's3cret')).toBe(false);
  });
});
