// The kiosk profile rules of issue 15 that the public suites do not exercise on their own, on synthetic
// JPKI-shaped certificates: no MD5, SHA-1 only where a document profile allows it, RSA keys of at least 2048
// bits (RFC 5280 leaves these to the profile), no keyCertSign in an end entity (RFC 5280 §4.2.1.3), and the
// required policy OID required even when the leaf carries no certificatePolicies extension at all.
import { createSign, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateChain } from '../../../daemon/trust/chain.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { createJpkiAuthCa, generateRsaKeyPair, issueJpkiAuthCert, type TestCertificate } from '../../../drivers/sim/pki.ts';
import { JPKI_AUTH_POLICY_OID } from '../../../daemon/documents/mynumber/jpki-auth-verdict.ts';

const policy = { at: new Date(), leafKeyUsage: ['digitalSignature' as const], leafPolicy: JPKI_AUTH_POLICY_OID };

/**
 * The certificate re-signed by `signer` with `digest` under the matching PKCS#1 v1.5 signature OID. The
 * sha256WithRSAEncryption OID (…01 01 0b) appears in the tbsCertificate and after it; md5WithRSA (…01 04)
 * and sha1WithRSA (…01 05) have the same length, so the DER keeps its layout and only the RSA-2048
 * signature (the last 256 bytes) changes.
 */
function resign(cert: TestCertificate, signer: TestCertificate, digest: 'md5' | 'sha1'): X509Certificate {
  const der = Buffer.from(cert.der);
  const from = Buffer.from('06092a864886f70d01010b', 'hex');
  const to = Buffer.from(digest === 'md5' ? '06092a864886f70d010104' : '06092a864886f70d010105', 'hex');
  for (let i = der.indexOf(from); i >= 0; i = der.indexOf(from, i + 1)) to.copy(der, i);
  expect(der[0]).toBe(0x30);
  expect(der[4]).toBe(0x30);
  expect(der[5]).toBe(0x82);
  const tbs = der.subarray(4, 8 + der.readUInt16BE(6));
  createSign(digest)
    .update(tbs)
    .sign(signer.privateKey)
    .copy(der, der.length - 256);
  return new X509Certificate(der);
}

describe('validateChain: kiosk profile rules (issue 15)', () => {
  const ca = createJpkiAuthCa();
  const store = new TrustStore([ca.x509]);

  it('accepts the well-formed leaf the other cases start from', () => {
    expect(validateChain(issueJpkiAuthCert(ca).x509, store, policy).valid).toBe(true);
  });

  it('refuses an MD5 signature, whatever the profile allows', () => {
    const leaf = resign(issueJpkiAuthCert(ca), ca, 'md5');
    expect(validateChain(leaf, store, { ...policy, allowSha1: true })).toMatchObject({ valid: false, code: 'TRUST_CHAIN_INVALID' });
  });

  it('refuses a SHA-1 signature unless the profile allows it', () => {
    const leaf = resign(issueJpkiAuthCert(ca), ca, 'sha1');
    expect(validateChain(leaf, store, policy)).toMatchObject({ valid: false, code: 'TRUST_CHAIN_INVALID' });
    expect(validateChain(leaf, store, { ...policy, allowSha1: true }).valid).toBe(true);
  });

  it('refuses a 1024-bit RSA key in the leaf and in the anchor', () => {
    const weakLeaf = issueJpkiAuthCert(ca, { keyPair: generateRsaKeyPair(1024) });
    expect(validateChain(weakLeaf.x509, store, policy)).toMatchObject({ valid: false, code: 'TRUST_CHAIN_INVALID' });
    const weakCa = createJpkiAuthCa({ keyPair: generateRsaKeyPair(1024) });
    expect(validateChain(issueJpkiAuthCert(weakCa).x509, new TrustStore([weakCa.x509]), policy)).toMatchObject({ valid: false, code: 'TRUST_CHAIN_INVALID' });
  });

  it('refuses an end entity asserting keyCertSign', () => {
    const leaf = issueJpkiAuthCert(ca, { keyUsage: ['digitalSignature', 'keyCertSign'] });
    expect(validateChain(leaf.x509, store, policy)).toMatchObject({ valid: false, code: 'TRUST_KEY_USAGE' });
  });

  it('requires the policy OID when the leaf has no certificatePolicies extension', () => {
    const leaf = issueJpkiAuthCert(ca, { policies: [] });
    expect(validateChain(leaf.x509, store, policy)).toMatchObject({ valid: false, code: 'TRUST_POLICY' });
    expect(validateChain(leaf.x509, store, { ...policy, leafPolicy: undefined }).valid).toBe(true);
  });
});
