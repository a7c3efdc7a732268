import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJpkiAuthCa, createMyNumberPki, issueJpkiAuthCert, OID_JPKI_AUTH_POLICY, type TestCertificate } from '../../../drivers/sim/pki.ts';

// DER fragments we look for in the certificates (node's X509Certificate does not expose every extension).
const oidDer = (hex: string) => Buffer.from(hex, 'hex');
const AUTH_POLICY_DER = oidDer('060B2A83088C9B55080501031E'); // 1.2.392.200149.8.5.1.3.30
const KU_CRITICAL_DIGITAL_SIGNATURE = oidDer('0603551D0F0101FF040403020780');
const KU_CRITICAL_CERT_CRL_SIGN = oidDer('0603551D0F0101FF040403020106');
const BC_CRITICAL_CA = oidDer('0603551D130101FF040530030101FF');

let ca: TestCertificate;
beforeAll(() => {
  ca = createJpkiAuthCa();
});

describe('synthetic JPKI PKI', () => {
  it('builds a self-signed CA with critical basicConstraints and keyUsage, and an SKI', () => {
    const x = ca.x509;
    expect(x.ca).toBe(true);
    expect(x.subject).toContain('O=JPKI-TEST');
    expect(x.subject).toContain('OU=idkiosk test CA');
    expect(x.verify(ca.publicKey)).toBe(true);
    expect(ca.der.includes(BC_CRITICAL_CA)).toBe(true);
    expect(ca.der.includes(KU_CRITICAL_CERT_CRL_SIGN)).toBe(true);
    expect(ca.der.includes(ca.subjectKeyId)).toBe(true);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('issues an auth certificate chained to the CA, with the JPKI policy, critical KU and AKI = CA SKI', () => {
    const leaf = issueJpkiAuthCert(ca);
    const x = leaf.x509;
    expect(x.ca).toBe(false);
    expect(x.checkIssued(ca.x509)).toBe(true);
    expect(x.verify(ca.publicKey)).toBe(true);
    expect(x.issuer).toBe(ca.x509.subject);
    expect(x.subject).toMatch(/CN=[0-9A-F]{24}/);
    expect(leaf.der.includes(AUTH_POLICY_DER)).toBe(true);
    expect(leaf.der.includes(KU_CRITICAL_DIGITAL_SIGNATURE)).toBe(true);
    expect(leaf.der.includes(ca.subjectKeyId)).toBe(true);
    expect(OID_JPKI_AUTH_POLICY).toBe('1.2.392.200149.8.5.1.3.30');
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now());
    expect(x.toString()).toBe(new X509Certificate(leaf.pem).toString());
  });

  it('makes expired and not-yet-valid certificates on request', () => {
    const expired = issueJpkiAuthCert(ca, { expired: true, keyPair: { privateKey: ca.privateKey, publicKey: ca.publicKey } });
    expect(new Date(expired.x509.validTo).getTime()).toBeLessThan(Date.now());
    const future = issueJpkiAuthCert(ca, { notYetValid: true, keyPair: { privateKey: ca.privateKey, publicKey: ca.publicKey } });
    expect(new Date(future.x509.validFrom).getTime()).toBeGreaterThan(Date.now());
  });

  it('unknownCa: same issuer name, but the signature does not verify with the trusted CA', () => {
    const p = createMyNumberPki({ authCa: ca, unknownCa: true });
    expect(p.trustedAuthCa).toBe(ca);
    expect(p.authCa).not.toBe(ca);
    expect(p.authCert.x509.issuer).toBe(ca.x509.subject);
    expect(p.authCert.x509.verify(ca.publicKey)).toBe(false);
    expect(p.authCert.x509.verify(p.authCa.publicKey)).toBe(true);
  });
});
