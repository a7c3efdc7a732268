// The passport's DSC → CSCA check goes through the one path validator (chain.ts, passportDscProfile and
// cscaLinkProfile): an impostor CSCA with the real one's name vouches for nothing, CSCA link certificates
// (ICAO 9303-12 §5.1: the new CSCA key certified by the previous one) carry trust from the old CSCA to the
// new key, a CSCA must have been valid when it issued the DSC (not necessarily today), and SHA-1 is allowed
// only as the passport profile configures. Certificates are synthetic (drivers/sim/passport, "TEST" names).
import { createSign, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { passiveAuthentication, type PassiveAuthInput } from '../../../daemon/documents/passport/pki/passive-auth.ts';
import { createCsca, issueBy, issueCertificate, type IssuedCert } from '../../../drivers/sim/passport/certs.ts';
import { dg1, efSod } from '../../../drivers/sim/passport/lds.ts';
import { testHolder } from '../../../drivers/sim/passport/index.ts';

const dgs = new Map([[1, dg1(testHolder({ documentNumber: 'TE0000001', dateOfBirth: '800101', dateOfExpiry: '300101' }))]]);
const now = new Date();
const YEAR = 365 * 86400e3;
const yearsAgo = (n: number) => new Date(now.getTime() - n * YEAR);

const pa = (dsc: IssuedCert, store: CscaStore, o: Partial<PassiveAuthInput> = {}) =>
  passiveAuthentication({ sod: efSod(dgs, dsc), dataGroups: dgs, csca: store, at: now, ...o });

/** A self-signed CSCA for an existing key pair (the new CSCA certificate of a key rollover). */
function selfSignedFor(link: IssuedCert, name: { C: string; O: string; CN: string }): X509Certificate {
  const der = issueCertificate({
    subject: name,
    issuer: name,
    subjectKey: link,
    issuerKey: link.privateKey,
    issuerPublic: link.publicKey,
    issuerSpec: link.keySpec,
    notBefore: yearsAgo(1),
    notAfter: new Date(now.getTime() + 10 * YEAR),
    ca: true,
  });
  return new X509Certificate(der);
}

describe('passport DSC → CSCA through the path validator', () => {
  const csca = createCsca({ country: 'UT', cn: 'TEST CSCA' });

  it('accepts a DSC issued by the CSCA in the store', () => {
    const r = pa(issueBy(csca, { cn: 'TEST DS' }), new CscaStore([csca.x509]));
    expect(r).toMatchObject({ verified: true, chain: 'valid' });
    expect(r.csca!.subject).toBe(csca.x509.subject.replace(/\n/g, ', '));
  });

  it('refuses a DSC signed by an impostor CSCA with the same name', () => {
    const impostor = createCsca({ country: 'UT', cn: 'TEST CSCA' });
    expect(impostor.x509.subject).toBe(csca.x509.subject);
    const r = pa(issueBy(impostor, { cn: 'TEST DS' }), new CscaStore([csca.x509]));
    expect(r).toMatchObject({ verified: false, signature: 'valid', chain: 'invalid' });
    expect(r.reasons.map((x) => x.code)).toContain('TRUST_CHAIN_INVALID');
  });

  it('a link chain (old CSCA → link → new CSCA → DSC) verifies with the old CSCA and the link', () => {
    const old = createCsca({ country: 'UT', cn: 'TEST CSCA' });
    const link = issueBy(old, { cn: 'TEST CSCA 2', ca: true, spec: { kind: 'ec', curve: 'brainpoolP256r1' } });
    const renewed = selfSignedFor(link, { C: 'UT', O: 'idkiosk TEST', CN: 'TEST CSCA 2' });
    const dsc = issueBy(link, { cn: 'TEST DS' });
    expect(dsc.x509.verify(renewed.publicKey)).toBe(true); // the DSC is the new CSCA's
    const r = pa(dsc, new CscaStore([old.x509, link.x509]));
    expect(r).toMatchObject({ verified: true, chain: 'valid' });
    expect(r.csca!.fingerprintSha256).toBe(link.x509.fingerprint256.replace(/:/g, ''));
    // The new CSCA alone proves it as well; the link alone (no old CSCA) is no anchor.
    expect(pa(dsc, new CscaStore([renewed]))).toMatchObject({ verified: true, chain: 'valid' });
    expect(pa(dsc, new CscaStore([link.x509]))).toMatchObject({ verified: false, chain: 'no-anchor' });
  });

  it('a link certificate issued by an impostor of the old CSCA carries no trust', () => {
    const old = createCsca({ country: 'UT', cn: 'TEST CSCA' });
    const impostor = createCsca({ country: 'UT', cn: 'TEST CSCA' });
    const link = issueBy(impostor, { cn: 'TEST CSCA 2', ca: true });
    const store = new CscaStore([old.x509, link.x509]);
    expect(store.anchors).toEqual([old.x509]);
    expect(pa(issueBy(link, { cn: 'TEST DS' }), store)).toMatchObject({ verified: false, chain: 'no-anchor' });
  });

  it('a link certificate issued after the old CSCA expired carries no trust', () => {
    const old = createCsca({ country: 'UT', cn: 'TEST CSCA', now: yearsAgo(12) }); // valid 13 → 2 years ago
    const link = issueBy(old, { cn: 'TEST CSCA 2', ca: true, now: yearsAgo(1), notAfter: new Date(now.getTime() + YEAR) });
    expect(new CscaStore([old.x509, link.x509]).anchors).toEqual([old.x509]);
  });

  it('the CSCA must have been valid when it issued the DSC, not necessarily today (chain model)', () => {
    const expired = createCsca({ country: 'UT', cn: 'TEST CSCA', now: yearsAgo(12) }); // valid 13 → 2 years ago
    const store = new CscaStore([expired.x509]);
    const issuedInTime = issueBy(expired, { cn: 'TEST DS', now: yearsAgo(5), notAfter: new Date(now.getTime() + YEAR) });
    expect(pa(issuedInTime, store)).toMatchObject({ verified: true, chain: 'valid' });
    const issuedLate = issueBy(expired, { cn: 'TEST DS', now: yearsAgo(1), notAfter: new Date(now.getTime() + YEAR) });
    const r = pa(issuedLate, store);
    expect(r).toMatchObject({ verified: false, chain: 'invalid' });
    expect(r.reasons.map((x) => x.code)).toContain('TRUST_CERT_EXPIRED');
  });

  it('an expired DSC is reported, and refused only under the strict policy', () => {
    const older = createCsca({ country: 'UT', cn: 'TEST CSCA', now: yearsAgo(4) });
    const dsc = issueBy(older, { cn: 'TEST DS', now: yearsAgo(3), notAfter: yearsAgo(1) });
    expect(pa(dsc, new CscaStore([older.x509]))).toMatchObject({ verified: true, chain: 'valid', dscExpired: true });
    expect(pa(dsc, new CscaStore([older.x509]), { strictDscValidity: true })).toMatchObject({ verified: false, dscExpired: true });
  });

  it('a DSC signed with SHA-1 verifies under the default passport profile and is refused with allowSha1 false', () => {
    const rsaCsca = createCsca({ country: 'UT', cn: 'TEST CSCA RSA', spec: { kind: 'rsa', bits: 2048 } });
    const dsc = resignSha1(issueBy(rsaCsca, { cn: 'TEST DS' }), rsaCsca);
    const store = new CscaStore([rsaCsca.x509]);
    expect(pa(dsc, store)).toMatchObject({ verified: true, chain: 'valid' });
    const r = pa(dsc, store, { allowSha1: false });
    expect(r).toMatchObject({ verified: false, chain: 'invalid' });
    expect(r.reasons.map((x) => x.message).join()).toMatch(/SHA-1/);
  });

  it('a CA certificate in the place of a DSC is refused (a DSC is an end entity with digitalSignature)', () => {
    const r = pa(issueBy(csca, { cn: 'TEST DS', ca: true }), new CscaStore([csca.x509]));
    expect(r).toMatchObject({ verified: false, signature: 'valid', chain: 'invalid' });
    expect(r.reasons.map((x) => x.code)).toContain('TRUST_BASIC_CONSTRAINTS');
  });
});

/**
 * The DSC re-signed by `signer` with sha1WithRSAEncryption: its sha256WithRSAEncryption OID (in the
 * tbsCertificate and after it) has the same length as sha1WithRSAEncryption's, so the layout stays and
 * only the RSA-2048 signature (the last 256 bytes) changes.
 */
function resignSha1(cert: IssuedCert, signer: IssuedCert): IssuedCert {
  const der = Buffer.from(cert.der);
  const from = Buffer.from('06092a864886f70d01010b', 'hex');
  const to = Buffer.from('06092a864886f70d010105', 'hex');
  for (let i = der.indexOf(from); i >= 0; i = der.indexOf(from, i + 1)) to.copy(der, i);
  const tbsLen = der[5] === 0x82 ? 4 + der.readUInt16BE(6) : 3 + der[6]!;
  const tbs = der.subarray(4, 4 + tbsLen);
  createSign('sha1')
    .update(tbs)
    .sign(signer.privateKey)
    .copy(der, der.length - 256);
  return { ...cert, der, x509: new X509Certificate(der) };
}
