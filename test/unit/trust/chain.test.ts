// Path validation against synthetic certificates shaped like JPKI's.
import { describe, expect, it } from 'vitest';
import { createJpkiAuthCa, issueJpkiAuthCert } from '../../../drivers/sim/pki.ts';
import { validateChain } from '../../../daemon/trust/chain.ts';
import { TrustStore, parseCertificates, fingerprintSha256 } from '../../../daemon/trust/trust-store.ts';
import { parseExtensions } from '../../../daemon/trust/x509-extensions.ts';
import { JPKI_AUTH_POLICY_OID } from '../../../daemon/documents/mynumber/jpki-auth-verdict.ts';
import { testCa } from '../../harness/jpki.ts';

const policy = { at: new Date(), leafKeyUsage: ['digitalSignature' as const], leafPolicy: JPKI_AUTH_POLICY_OID };

describe('validateChain', () => {
  const ca = testCa();
  const store = new TrustStore([ca.x509]);

  it('accepts a leaf issued by the anchor', () => {
    const leaf = issueJpkiAuthCert(ca);
    const r = validateChain(leaf.x509, store, policy);
    expect(r.valid).toBe(true);
  });

  it.each([
    ['expired', () => issueJpkiAuthCert(ca, { expired: true }).x509, 'TRUST_CERT_EXPIRED'],
    ['not yet valid', () => issueJpkiAuthCert(ca, { notYetValid: true }).x509, 'TRUST_CERT_NOT_YET_VALID'],
    ['without digitalSignature', () => issueJpkiAuthCert(ca, { keyUsage: ['keyEncipherment'] }).x509, 'TRUST_KEY_USAGE'],
    ['with another policy', () => issueJpkiAuthCert(ca, { policies: ['1.2.3.4'] }).x509, 'TRUST_POLICY'],
    ['from an impostor CA with the same name', () => issueJpkiAuthCert(createJpkiAuthCa({ subject: ca.subject })).x509, 'TRUST_CHAIN_INVALID'],
    ['from an unrelated CA', () => issueJpkiAuthCert(createJpkiAuthCa({ subject: [{ type: 'CN', value: 'Other' }] })).x509, 'TRUST_NO_ANCHOR'],
  ])('refuses a leaf %s', (_n, make, code) => {
    const r = validateChain(make(), store, policy);
    expect(r).toMatchObject({ valid: false, code });
  });

  it('refuses when the anchor itself has expired', () => {
    const old = createJpkiAuthCa({ validity: { notBefore: new Date(Date.now() - 10 * 86400e3), notAfter: new Date(Date.now() + 86400e3) } });
    const leaf = issueJpkiAuthCert(old);
    const r = validateChain(leaf.x509, new TrustStore([old.x509]), { ...policy, at: new Date(Date.now() + 2 * 86400e3) });
    expect(r).toMatchObject({ valid: false });
  });

  it('refuses a leaf used as its own issuer (not a CA)', () => {
    const leaf = issueJpkiAuthCert(ca);
    const other = issueJpkiAuthCert(ca);
    const r = validateChain(other.x509, new TrustStore([leaf.x509]), policy);
    expect(r.valid).toBe(false);
  });

  it('parses key usage, basic constraints, policies and key identifiers', () => {
    const leaf = issueJpkiAuthCert(ca);
    const e = parseExtensions(leaf.der);
    expect([...(e.keyUsage ?? [])]).toEqual(['digitalSignature']);
    expect(e.policies).toEqual([JPKI_AUTH_POLICY_OID]);
    expect(e.authorityKeyId?.equals(ca.subjectKeyId)).toBe(true);
    const c = parseExtensions(ca.der);
    expect(c.basicConstraints?.ca).toBe(true);
    expect(c.keyUsage?.has('keyCertSign')).toBe(true);
  });

  it('loads PEM bundles and DER, and fingerprints the DER', () => {
    const pem = Buffer.from(ca.pem + '\n' + ca.pem);
    expect(parseCertificates(pem, 'x')).toHaveLength(2);
    expect(parseCertificates(ca.der, 'x')[0]!.fingerprint256.replace(/:/g, '')).toBe(fingerprintSha256(ca.der));
    expect(() => parseCertificates(Buffer.from('junk'), 'x')).toThrow(/not a certificate/);
  });
});
