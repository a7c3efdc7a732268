// Raw r‖s whose first byte is 0x30 must not be taken for DER (the flake that found this: ~1 run in 170).
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyEcdsaAnyEncoding } from '../../../core/crypto/ecdsa.ts';

describe('verifyEcdsaAnyEncoding', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });

  it('accepts raw and DER signatures, including raw ones that start with 0x30', () => {
    let rawStarting30 = 0;
    for (let i = 0; rawStarting30 < 2 && i < 5000; i++) {
      const data = Buffer.from(`challenge ${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verifyEcdsaAnyEncoding('sha256', data, publicKey, raw)).toBe(true);
      if (raw[0] === 0x30) rawStarting30++;
    }
    expect(rawStarting30).toBe(2);
    const data = Buffer.from('x');
    expect(verifyEcdsaAnyEncoding('sha256', data, publicKey, sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }))).toBe(true);
  });

  it('rejects a signature over other data and garbage', () => {
    const sig = sign('sha256', Buffer.from('a'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(verifyEcdsaAnyEncoding('sha256', Buffer.from('b'), publicKey, sig)).toBe(false);
    expect(verifyEcdsaAnyEncoding('sha256', Buffer.from('a'), publicKey, Buffer.from([0x30, 0x02, 0x01]))).toBe(false);
  });
});
