/**
 * Personal contact data (mobile, e-mail, postal address) that a consumer
 * needs to act on a case, sealed so that it never crosses Kafka in clear
 * (PIPL; contracts README "No personal data").
 *
 * Why a sealed field and not a lookup call: delivery must notify "within
 * seconds" (R-NOTIFY-1) and courier must print a label even while intake is
 * down; a synchronous lookup would couple both to intake's availability.
 * Sealing keeps the data with the event, readable only by holders of the
 * applicant-contact key (intake seals; delivery and courier open). Consumers
 * store the sealed form as received and open it only at the moment of use, so
 * their event stores never hold the clear text either, and retiring a key
 * makes every copy unreadable (crypto-shredding).
 *
 * AES-256-GCM; the case id is the additional authenticated data, so a sealed
 * contact copied onto another case's event fails to open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';

const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/);

export const SealedContact = z
  .object({
    alg: z.literal('A256GCM'),
    keyId: z.string().min(1).max(60).regex(/^[A-Za-z0-9._:-]+$/).describe('Which applicant-contact key sealed it (keys rotate; old ones stay until retired).'),
    iv: base64.length(16).describe('96-bit nonce, base64.'),
    ciphertext: base64.min(4).max(8_000),
    tag: base64.length(24).describe('128-bit GCM tag, base64.'),
  })
  .describe('The applicant’s contact details (ApplicantContact), AES-256-GCM sealed with the case id as additional data; opened only by delivery and courier.');
export type SealedContact = z.output<typeof SealedContact>;

/** What a sealed contact holds once opened. Every field optional: the applicant gives what their chosen channels need. */
export const ApplicantContact = z.object({
  /** Name to address the applicant by (a person's name or an enterprise's contact person). */
  name: z.string().min(1).max(200),
  mobile: z.string().regex(/^1[3-9]\d{9}$/).optional().describe('Mainland mobile number for SMS and calls.'),
  phone: z.string().regex(/^[0-9+()\- ]{5,30}$/).optional().describe('Number for a phone-call notification when not the mobile.'),
  email: z.email().max(254).optional(),
  postalAddress: z
    .object({
      recipient: z.string().min(1).max(200),
      phone: z.string().regex(/^[0-9+()\- ]{5,30}$/),
      region: z.string().regex(/^\d{6}$/).describe('GB/T 2260 region code.'),
      address: z.string().min(1).max(300),
      postcode: z.string().regex(/^\d{6}$/).optional(),
    })
    .optional(),
});
export type ApplicantContact = z.output<typeof ApplicantContact>;

/** A 32-byte key and its id. */
export interface ContactKey {
  readonly keyId: string;
  readonly key: Buffer;
}

/** Keys by id; `current` seals, every key opens. */
export interface ContactKeyring {
  readonly current: ContactKey;
  readonly keys: readonly ContactKey[];
}

/** Parses `id1:base64key,id2:base64key` (first one seals). Throws on a malformed or short key. */
export function parseContactKeyring(text: string): ContactKeyring {
  const keys = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part, index) => {
      const colon = part.indexOf(':');
      const keyId = colon > 0 ? part.slice(0, colon) : '';
      const key = Buffer.from(colon > 0 ? part.slice(colon + 1) : '', 'base64');
      if (!/^[A-Za-z0-9._-]+$/.test(keyId) || key.length !== 32) {
        throw new ValidationError('applicant-contact keyring: each entry is <id>:<base64 of 32 bytes>', [{ path: `/${index}`, reason: 'malformed key' }]);
      }
      return { keyId, key };
    });
  const current = keys[0];
  if (!current) throw new ValidationError('applicant-contact keyring is empty', [{ path: '/', reason: 'no key' }]);
  return { current, keys };
}

export function sealContact(contact: ApplicantContact, caseId: string, keyring: ContactKeyring): SealedContact {
  const clear = ApplicantContact.parse(contact);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv);
  cipher.setAAD(Buffer.from(caseId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(clear), 'utf8'), cipher.final()]);
  return { alg: 'A256GCM', keyId: keyring.current.keyId, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** Opens a sealed contact of `caseId`. Throws ValidationError for an unknown key, tampering, or another case's contact. */
export function openContact(sealed: SealedContact, caseId: string, keyring: ContactKeyring): ApplicantContact {
  const key = keyring.keys.find((k) => k.keyId === sealed.keyId);
  if (!key) throw new ValidationError(`no applicant-contact key ${sealed.keyId}`, [{ path: '/keyId', reason: 'unknown or retired key' }]);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(caseId, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const clear = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    return ApplicantContact.parse(JSON.parse(clear));
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    // Never echo the clear text or the key: only that it did not open.
    throw new ValidationError('the sealed contact does not open with its key for this case', [{ path: '/ciphertext', reason: 'authentication failed' }]);
  }
}
