// The host protocol against the virtual chip, in process: BAC, PACE (AES and 3DES, brainpool and P-256),
// fallback, SM reads incl. B1 beyond 7FFF, PA/AA/CA outcomes and every fault the sim can inject.
import { describe, expect, it } from 'vitest';
import { readPassport } from '../../../daemon/documents/passport/passport-read.ts';
import { assessPassport } from '../../../daemon/documents/passport/passport-verdict.ts';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { createCsca } from '../../../drivers/sim/passport/certs.ts';
import { accessKey, card, session, STORE } from './helpers.ts';

const at = new Date();

async function run(c = card(), key = accessKey(), store = STORE, opts: { noPace?: boolean } = {}) {
  const { session: s, apdus } = session(c);
  const ev = await readPassport(s, { accessKey: key, ...opts });
  const result = await assessPassport(ev, { csca: store, at });
  return { ev, result, apdus: apdus() };
}

describe('virtual passport, in process', () => {
  it('PACE (AES, brainpoolP256r1) → verified with PA, CA and AA', async () => {
    const c = card();
    const { result } = await run(c);
    expect(result.reasons).toEqual([]);
    expect(result).toMatchObject({
      verdict: 'verified',
      access: 'PACE',
      secureMessaging: 'AES-128',
      dg1: { documentNumber: 'TZ1234567', dateOfBirth: '900115', dateOfExpiry: '341231', surname: 'TESTER', givenNames: 'HANAKO', nationality: 'JPN' },
      activeAuthentication: { status: 'verified', algorithm: 'RSA-ISO9796-2-sha1' },
      chipAuthentication: { status: 'verified' },
    });
    expect(result.passiveAuthentication).toMatchObject({
      verified: true,
      signature: 'valid',
      chain: 'valid',
      dataGroups: { dg1: 'match', dg2: 'match', dg11: 'match', dg12: 'match', dg14: 'match', dg15: 'match' },
    });
    expect(c.stats).toMatchObject({ pace: 1, bac: 0, ca: 1, aa: 1, smErrors: 0 });
  });

  it.each([
    [{ cipher: '3DES' as const, curve: 'prime256v1' as const }, '3DES'],
    [{ cipher: 'AES-128' as const, curve: 'prime256v1' as const }, 'AES-128'],
  ])('PACE %o', async (pace, cipherAfterPace) => {
    const c = card({ pace, ca: false });
    const { result } = await run(c);
    expect(result.verdict).toBe('verified');
    expect(result.access).toBe('PACE');
    expect(result.secureMessaging).toBe(cipherAfterPace);
  });

  it('BAC-only chip; CA v1 (3DES) switches SM and SSC', async () => {
    const c = card({ pace: false, ca: { cipher: '3DES', curve: 'prime256v1' } });
    const { result } = await run(c);
    expect(result).toMatchObject({
      verdict: 'verified',
      access: 'BAC',
      secureMessaging: '3DES',
      chipAuthentication: { status: 'verified', protocol: '0.4.0.127.0.7.2.2.3.2.1' },
    });
    expect(c.stats.bac).toBe(1);
  });

  it('falls back to BAC when PACE fails', async () => {
    const { result } = await run(card({ faults: { paceBroken: true } }));
    expect(result.verdict).toBe('verified');
    expect(result.access).toBe('BAC');
    expect(result.paceFallback).toMatch(/PACE failed/);
  });

  it('reads a face beyond 7FFF with odd-INS READ BINARY', async () => {
    const c = card({ faceBytes: 40_000, ca: false, aa: false });
    const { ev } = await run(c);
    expect(ev.face).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    expect(ev.face!.data.length).toBe(40_000);
    expect(c.log.entries.some((e) => e.ins === 0xb1)).toBe(true);
  });

  it('wrong MRZ key: PACE and BAC refused, nothing read', async () => {
    const c = card();
    await expect(run(c, accessKey({ documentNumber: 'TZ1234568', dateOfBirth: '900115', dateOfExpiry: '341231' }))).rejects.toMatchObject({
      code: 'PASSPORT_ACCESS_DENIED',
    });
    expect(c.stats.pace + c.stats.bac).toBe(0);
  });

  it('malformed access key: refused before any APDU', async () => {
    const c = card();
    const { session: s, apdus } = session(c);
    await expect(readPassport(s, { accessKey: accessKey({ documentNumber: 'tz12', dateOfBirth: '900115', dateOfExpiry: '341231' }) })).rejects.toMatchObject({
      code: 'PASSPORT_ACCESS_KEY_FORMAT',
    });
    expect(apdus()).toBe(0);
  });

  it('tampered DG11 → hash mismatch → refused', async () => {
    const { result } = await run(card({ faults: { tamperDg: 11 } }));
    expect(result.verdict).toBe('refused');
    expect(result.passiveAuthentication.dataGroups.dg11).toBe('mismatch');
    expect(result.reasons.map((r) => r.code)).toContain('PASSPORT_DG_HASH_MISMATCH');
  });

  it('a DG read but not listed in the SOD → refused', async () => {
    const { result } = await run(card({ faults: { unlistedDg: 12 } }));
    expect(result.passiveAuthentication.dataGroups.dg12).toBe('not-listed');
    expect(result.reasons.map((r) => r.code)).toContain('PASSPORT_DG_NOT_LISTED');
  });

  it('AA failure → refused (clone suspected)', async () => {
    const { result } = await run(card({ faults: { aaFail: true } }));
    expect(result.activeAuthentication.status).toBe('failed');
    expect(result.reasons.map((r) => r.code)).toEqual(['PASSPORT_AA_FAILED']);
  });

  it('CA failure → next MAC fails → refused, no further reads', async () => {
    const { result, ev } = await run(card({ faults: { caFail: true } }));
    expect(result.chipAuthentication.status).toBe('failed');
    expect(result.reasons.map((r) => r.code)).toContain('PASSPORT_CA_FAILED');
    expect(ev.unread).toEqual([2, 11, 12, 15]);
  });

  it('unknown CSCA → no anchor → not proven (chip-read, never verified)', async () => {
    const other = new CscaStore([createCsca({ country: 'JP', cn: 'OTHER CSCA' }).x509]);
    const { result } = await run(card(), accessKey(), other);
    expect(result.passiveAuthentication.chain).toBe('no-anchor');
    expect(result.reasons.map((r) => r.code)).toEqual(['TRUST_NO_ANCHOR']);
    expect(result).toMatchObject({ verdict: 'chip-read', authenticity: 'chip-read' });
  });
});

describe('active authentication variants', () => {
  it('ECDSA AA key (plain r‖s) and RSA-2048 AA (extended-length answer under SM)', async () => {
    const ec = await run(card({ aa: { kind: 'ec', curve: 'brainpoolP256r1' }, ca: false }));
    expect(ec.result.activeAuthentication).toMatchObject({ status: 'verified', algorithm: 'ECDSA-sha256' });
    const rsa = await run(card({ aa: { kind: 'rsa', bits: 2048 }, ca: false }));
    expect(rsa.result.activeAuthentication).toMatchObject({ status: 'verified', algorithm: 'RSA-ISO9796-2-sha1' });
  });

  it('ISO 9796-2 with an explicit hash trailer (34 CC = SHA-256), and n − F', async () => {
    const { generateKeyPairSync, privateEncrypt, constants, createHash, randomBytes } = await import('node:crypto');
    const { verifyIso9796 } = await import('../../../daemon/documents/passport/access/chip-auth.ts');
    const { bytesToBig, bigToBytes } = await import('../../../daemon/documents/passport/access/ec.ts');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = publicKey.export({ format: 'jwk' });
    const n = bytesToBig(Buffer.from(jwk.n!, 'base64url'));
    const e = bytesToBig(Buffer.from(jwk.e!, 'base64url'));
    const rnd = randomBytes(8);
    const m1 = randomBytes(128 - 2 - 32 - 2 + 1);
    const f = Buffer.concat([Buffer.from([0x6a]), m1, createHash('sha256').update(m1).update(rnd).digest(), Buffer.from([0x34, 0xcc])]);
    expect(f.length).toBe(128);
    const s = privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, f);
    expect(verifyIso9796(n, e, s, rnd)).toBe('sha256');
    expect(verifyIso9796(n, e, s, Buffer.alloc(8))).toBeNull();
    // Signers may return min(S, n − S): the verifier accepts n − S too.
    const alt = bigToBytes(n - bytesToBig(s), 128);
    expect(verifyIso9796(n, e, alt, rnd)).toBe('sha256');
  });
});

describe('DSC revocation', () => {
  const checker = (status: 'good' | 'revoked' | 'unknown') => {
    const calls: string[] = [];
    return {
      calls,
      check: async (cert: import('node:crypto').X509Certificate, issuer: import('node:crypto').X509Certificate) => {
        calls.push(`${cert.subject.split('\n').pop()} by ${issuer.subject.split('\n').pop()}`);
        const checkedAt = new Date().toISOString();
        if (status === 'revoked') return { status, source: 'crl' as const, checkedAt, revokedAt: checkedAt };
        if (status === 'unknown') return { status, source: 'crl' as const, checkedAt, reason: 'CRL_NOT_FOUND' };
        return { status, source: 'crl' as const, checkedAt };
      },
    };
  };
  it('checks the DSC against its CSCA: revoked refuses; unknown refuses only when required', async () => {
    const { session: s1 } = session(card({ ca: false, aa: false }));
    const ev = await readPassport(s1, { accessKey: accessKey(), readFace: false });
    const good = checker('good');
    expect(await assessPassport(ev, { csca: STORE, at, revocation: good })).toMatchObject({ verdict: 'verified', dscRevocation: 'good' });
    expect(good.calls).toEqual(['CN=TEST DS 1 by CN=TEST CSCA']);
    const revoked = await assessPassport(ev, { csca: STORE, at, revocation: checker('revoked') });
    expect(revoked.reasons.map((r) => r.code)).toEqual(['TRUST_REVOKED']);
    expect((await assessPassport(ev, { csca: STORE, at, revocation: checker('unknown') })).verdict).toBe('verified');
    const required = await assessPassport(ev, { csca: STORE, at, revocation: checker('unknown'), revocationPolicy: 'require' });
    expect(required.reasons.map((r) => r.code)).toEqual(['TRUST_REVOCATION_UNKNOWN']);
    expect((await assessPassport(ev, { csca: STORE, at })).dscRevocation).toBe('not-checked');
  });
});

describe('chip read limits', () => {
  it('an older chip answering at most 160 bytes per READ BINARY: the reader halves its chunk and completes', async () => {
    const c = card({ quirks: { maxReadLength: 160 }, faceBytes: 5000, ca: false, aa: false });
    const { result, ev } = await run(c);
    expect(result.verdict).toBe('verified');
    expect(ev.face!.data.length).toBe(5000);
    const reads = c.log.entries.filter((e) => e.ins === 0xb0);
    expect(reads.some((e) => e.sw === 0x6700)).toBe(true);
    expect(reads.filter((e) => e.sw === 0x9000).every((e) => e.responseLength <= 160)).toBe(true);
  });
});

describe('DG14 ActiveAuthenticationInfo and face conversion', () => {
  it('an EC AA key is announced in DG14 and its algorithm is used', async () => {
    const { ev, result } = await run(card({ aa: { kind: 'ec', curve: 'prime256v1' }, ca: false }));
    expect(ev.dataGroups.has(14)).toBe(true);
    expect(result.chipAuthentication.status).toBe('not-supported');
    expect(result.activeAuthentication).toMatchObject({ status: 'verified', algorithm: 'ECDSA-sha256' });
  });

  it('JPEG 2000 faces go through the injected converter; without one they are "not decoded"', async () => {
    const { passportFaceConverter } = await import('../../../daemon/documents/passport/datagroups/face.ts');
    const { parseDg2 } = await import('../../../daemon/documents/passport/datagroups/data-groups.ts');
    const { dg2 } = await import('../../../drivers/sim/passport/lds.ts');
    const jp2 = Buffer.concat([Buffer.from('0000000C6A5020200D0A870A', 'hex'), Buffer.alloc(40, 7)]);
    const face = parseDg2(dg2(jp2, true));
    expect(face).toMatchObject({ format: 'jpeg2000', width: 480, height: 640 });
    expect(face.data).toEqual(jp2);
    const png = Buffer.from('89504E47', 'hex');
    expect(await passportFaceConverter(async (b) => (b.equals(jp2) ? png : null))(face)).toEqual({ mime: 'image/png', data: png });
    expect(await passportFaceConverter(async () => null)(face)).toBeNull();
  });
});
