import { randomBytes } from 'node:crypto';
import { ValidationError } from '@govsvc/errors/errors';
import { describe, expect, it } from 'vitest';
import { openContact, parseContactKeyring, SealedContact, sealContact, type ApplicantContact } from './sealed-contact.ts';

const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const contact: ApplicantContact = { name: '张三', mobile: '13812345678', email: 'zhang@example.cn' };

describe('sealed applicant contact (PIPL: no personal data in clear on Kafka)', () => {
  it('R-NOTIFY-1: seals so that nothing personal is readable, and opens for the same case', () => {
    const keyring = parseContactKeyring(keyText('k1'));
    const sealed = sealContact(contact, 'case-1', keyring);
    expect(SealedContact.parse(sealed)).toEqual(sealed);
    const wire = JSON.stringify(sealed);
    for (const secret of ['张三', '13812345678', 'zhang@example.cn']) expect(wire).not.toContain(secret);
    expect(openContact(sealed, 'case-1', keyring)).toEqual(contact);
  });

  it('refuses to open a contact copied onto another case, tampered, or sealed with an unknown key', () => {
    const keyring = parseContactKeyring(keyText('k1'));
    const sealed = sealContact(contact, 'case-1', keyring);
    expect(() => openContact(sealed, 'case-2', keyring)).toThrow(ValidationError);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openContact({ ...sealed, ciphertext: flipped.toString('base64') }, 'case-1', keyring)).toThrow(/does not open/);
    expect(() => openContact(sealed, 'case-1', parseContactKeyring(keyText('k2')))).toThrow(/no applicant-contact key k1/);
  });

  it('rotates: the first key seals, older keys still open', () => {
    const old = keyText('old');
    const sealedOld = sealContact(contact, 'c', parseContactKeyring(old));
    const rotated = parseContactKeyring(`${keyText('new')},${old}`);
    expect(sealContact(contact, 'c', rotated).keyId).toBe('new');
    expect(openContact(sealedOld, 'c', rotated)).toEqual(contact);
  });

  it('refuses malformed keyrings', () => {
    expect(() => parseContactKeyring('')).toThrow(ValidationError);
    expect(() => parseContactKeyring(`k:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
  });
});
