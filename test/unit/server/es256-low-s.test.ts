// ES256 malleability (issue 17): for a valid ECDSA signature (r, s), (r, n − s) verifies too. The kiosk
// issues only low-S signatures (s ≤ n/2) and refuses high-S ones where it verifies its own ES256
// (result tokens, audit records, heartbeats through verifyEs256). n is the P-256 group order as SEC 2
// v2 §2.4.2 publishes it (written out here from the standard, not taken from the code under test).
import { sign, verify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeviceKey, verifyEs256 } from '../../../daemon/device/device-key.ts';
import { derToLowS, isLowS, toLowS } from '../../../daemon/device/es256-low-s.ts';
import { signResultToken, verifyResultToken, type ResultClaims } from '../../../daemon/api/result-token.ts';

const N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'); // SEC 2 §2.4.2
const big = (b: Buffer) => BigInt(`0x${b.toString('hex')}`);
/** s of a DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }, X9.62), short lengths. */
const derS = (der: Buffer) => {
  const rEnd = 4 + der[3]!;
  return big(der.subarray(rEnd + 2, rEnd + 2 + der[rEnd + 1]!));
};
const flip = (sig: Buffer) => Buffer.concat([sig.subarray(0, 32), Buffer.from((N - big(sig.subarray(32))).toString(16).padStart(64, '0'), 'hex')]);

const claims: ResultClaims = {
  iss: 'idkiosk:k',
  jti: '00000000-0000-4000-8000-000000000000',
  iat: 1_700_000_000,
  exp: 4_000_000_000,
  kioskId: 'k',
  nonce: 'n',
  verdict: 'refused',
  authenticity: null,
  holderBinding: null,
  checks: {},
  reasons: ['X'],
  document: null,
  documentType: 'unknown',
  method: 'none',
  certificate: null,
  revocation: 'not-checked',
  time: '2026-01-01T00:00:00Z',
};

describe('ES256 low-S', () => {
  it('the device key issues only low-S signatures (raw and DER), and they verify', () => {
    const key = DeviceKey.ephemeral();
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`message ${i}`);
      const sig = key.sign(data);
      expect(big(sig.subarray(32)) <= N / 2n).toBe(true);
      expect(verifyEs256(key.publicKey, data, sig)).toBe(true);
      const der = key.signDer(data);
      expect(verify('sha256', data, { key: key.publicKey, dsaEncoding: 'der' }, der)).toBe(true);
      expect(derS(der) <= N / 2n).toBe(true);
    }
  });

  it('a high-S twin verifies with plain node crypto, and is refused by verifyEs256 and verifyResultToken', () => {
    const key = DeviceKey.ephemeral();
    const data = Buffer.from('audit head');
    const sig = key.sign(data);
    const twin = flip(sig);
    expect(verify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, twin)).toBe(true); // the malleability
    expect(verifyEs256(key.publicKey, data, twin)).toBe(false);
    // the audit trail keeps verifying records signed before low-S (their identity is the hash, not the signature)
    expect(verifyEs256(key.publicKey, data, twin, { acceptHighS: true })).toBe(true);
    expect(verifyEs256(key.publicKey, Buffer.from('other'), twin, { acceptHighS: true })).toBe(false);

    const token = signResultToken(claims, key);
    expect(verifyResultToken(token, key.publicKey).valid).toBe(true);
    const [h, p, s] = token.split('.') as [string, string, string];
    const twinToken = `${h}.${p}.${flip(Buffer.from(s, 'base64url')).toString('base64url')}`;
    expect(verifyResultToken(twinToken, key.publicKey)).toEqual({ valid: false, reason: 'signature-not-canonical' });
  });

  it('toLowS and derToLowS keep the signature valid and canonical for node signatures of both halves', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let high = 0;
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`m${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      if (!isLowS(raw)) high++;
      const low = toLowS(raw);
      expect(isLowS(low)).toBe(true);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, low)).toBe(true);
      const der = derToLowS(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
      expect(derS(der) <= N / 2n).toBe(true);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
    }
    expect(high).toBeGreaterThan(0); // about half of raw node signatures are high-S: the test saw some
  });
});
