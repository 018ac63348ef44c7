import { describe, expect, it } from 'vitest';
import { RuleViolation } from '@govsvc/errors/errors';
import type { DocumentContent } from '../domain/document.ts';
import { canonicalJson } from '../domain/canonical-json.ts';
import { chooseSeal, ed25519SealSigner, generateSealKey, verifySealedDocument, type SealRegistration } from './seal.ts';

const register: SealRegistration[] = [
  { sealId: 'seal-spz', kind: 'approval-business', name: '某局审批业务专用章', owner: '某局' },
  { sealId: 'seal-dept', kind: 'department', name: '某局', owner: '某局' },
  { sealId: 'seal-street', kind: 'entrusted-body', name: '某街道政务服务中心', owner: '某街道政务服务中心' },
];
const content: DocumentContent = {
  documentId: 'D-0b6f9a43-5c1e-4d2b-8f7a-1c2d3e4f5a6b-1',
  kind: 'acceptance-receipt',
  title: '受理凭证',
  caseId: '0b6f9a43-5c1e-4d2b-8f7a-1c2d3e4f5a6b',
  caseNumber: '京1101052026112600001',
  itemCode: 'ITEM-0001',
  itemName: '食品经营许可（新办）',
  guideVersion: '2026.2',
  applicant: { kind: 'enterprise', maskedId: '911101********082Q', name: '北京京味餐饮管理有限公司' },
  acceptor: { staffId: 'clerk-li', name: '李华' },
  issuingBody: '某局',
  entrustedBody: null,
  received: [],
  toSupplement: [],
  supplementDeadline: null,
  reasons: [],
  dateReceived: '2026-11-26',
  issuedAt: '2026-11-27T09:30:00+08:00',
  seal: { kind: 'approval-business', sealId: 'seal-spz', name: '某局审批业务专用章' },
};

describe('electronic seal (R-ACC-3, Art. 34)', () => {
  const keys = [generateSealKey('k-spz-2026', 'seal-spz'), generateSealKey('k-dept-2026', 'seal-dept')];
  const signer = ed25519SealSigner(keys);

  it('R-ACC-3: a sealed document verifies with the seal’s public key', async () => {
    const sealed = await signer.seal(content);
    expect(sealed.signature).toMatchObject({ algorithm: 'Ed25519', keyId: 'k-spz-2026' });
    expect(verifySealedDocument(sealed, signer.publicKeys())).toEqual({ valid: true, keyId: 'k-spz-2026', sealId: 'seal-spz' });
  });

  it('R-ACC-3: any change to the content breaks the seal; a key of another seal does not vouch for it', async () => {
    const sealed = await signer.seal(content);
    const altered = { ...sealed, content: { ...sealed.content, itemName: '食品经营许可（变更）' } };
    expect(verifySealedDocument(altered, signer.publicKeys())).toMatchObject({ valid: false, reason: expect.stringContaining('does not match') });
    const wrongKey = { ...sealed, signature: { ...sealed.signature, keyId: 'k-dept-2026' } };
    expect(verifySealedDocument(wrongKey, signer.publicKeys())).toMatchObject({ valid: false });
    const otherSigner = ed25519SealSigner([generateSealKey('k-spz-2026', 'seal-spz')]);
    expect(verifySealedDocument(sealed, otherSigner.publicKeys())).toMatchObject({ valid: false });
  });

  it('R-ACC-3: no key, no seal', async () => {
    await expect(signer.seal({ ...content, seal: { kind: 'entrusted-body', sealId: 'seal-street', name: '某街道政务服务中心' } })).rejects.toBeInstanceOf(RuleViolation);
  });

  it('R-ACC-3: the 审批业务专用章 first, else the department seal; the entrusted body’s seal when entrusted', () => {
    expect(chooseSeal(register, '某局', null).sealId).toBe('seal-spz');
    expect(chooseSeal(register.slice(1), '某局', null).sealId).toBe('seal-dept');
    expect(chooseSeal(register, '某局', '某街道政务服务中心').kind).toBe('entrusted-body');
    expect(() => chooseSeal(register, '别的局', null)).toThrow(RuleViolation);
    // An implementing body acting by entrustment: its own entrusted seal.
    expect(chooseSeal(register, '某街道政务服务中心', '某街道政务服务中心').sealId).toBe('seal-street');
  });

  it('the canonical form sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null, '京'], c: undefined })).toBe('{"a":[true,null,"京"],"b":1}');
  });
});
