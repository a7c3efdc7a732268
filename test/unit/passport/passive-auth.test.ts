// Passive authentication: every signature algorithm family, BER (indefinite-length) SODs, link
// certificates, master lists, DSC validity policy, and the refusals.
import { describe, expect, it } from 'vitest';
import { CscaStore, parseMasterList } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { passiveAuthentication } from '../../../daemon/documents/passport/pki/passive-auth.ts';
import { intTlv, readTlv, children, tlv, type Tlv } from '../../../daemon/encoding/ber-tlv.ts';
import { createCsca, issueBy, type IssuedCert, type KeySpec } from '../../../drivers/sim/passport/certs.ts';
import { cmsSignedData, dg1, efSod, type Holder } from '../../../drivers/sim/passport/lds.ts';

const holder: Holder = {
  documentNumber: 'AB1234567',
  dateOfBirth: '800101',
  dateOfExpiry: '300101',
  surname: 'TEST',
  givenNames: 'A',
  nationality: 'JPN',
  sex: 'F',
  issuingState: 'JPN',
};
const DG1 = dg1(holder);
const DG2 = tlv(0x75, Buffer.alloc(50, 1));
const dgs = new Map([
  [1, DG1],
  [2, DG2],
]);
const now = new Date();
const csca = createCsca({ country: 'JP' });

function pa(sod: Buffer, store: CscaStore, read = dgs, at = now, strict = false) {
  return passiveAuthentication({ sod, dataGroups: read, csca: store, at, strictDscValidity: strict });
}

describe('passive authentication', () => {
  const specs: [string, KeySpec, IssuedCert][] = [
    ['ECDSA P-256 DSC under brainpool CSCA', { kind: 'ec', curve: 'prime256v1' }, csca],
    ['ECDSA brainpoolP384r1 DSC', { kind: 'ec', curve: 'brainpoolP384r1' }, csca],
    ['RSA PKCS#1 v1.5 DSC under an RSA CSCA', { kind: 'rsa', bits: 2048 }, createCsca({ spec: { kind: 'rsa', bits: 2048 } })],
    ['RSA-PSS DSC under an RSA-PSS CSCA', { kind: 'rsa', bits: 2048, pss: true }, createCsca({ spec: { kind: 'rsa', bits: 2048, pss: true } })],
  ];
  it.each(specs)('%s verifies, and a changed DG is caught', (_n, spec, root) => {
    const dsc = issueBy(root, { cn: 'DS', spec });
    const sod = efSod(dgs, dsc);
    const r = pa(sod, new CscaStore([root.x509]));
    expect(r.reasons).toEqual([]);
    expect(r).toMatchObject({ verified: true, signature: 'valid', chain: 'valid', hashAlgorithm: 'sha256', dataGroups: { dg1: 'match', dg2: 'match' } });
    const bad = new Map(dgs);
    bad.set(2, Buffer.concat([DG2.subarray(0, -1), Buffer.from([2])]));
    expect(pa(sod, new CscaStore([root.x509]), bad).reasons.map((x) => x.code)).toEqual(['PASSPORT_DG_HASH_MISMATCH']);
  });

  it('accepts a BER SOD with indefinite lengths (as some states issue)', () => {
    const dsc = issueBy(csca, { cn: 'DS' });
    const der = efSod(dgs, dsc);
    // Re-encode the ContentInfo and SignedData SEQUENCEs with indefinite lengths.
    const indef = (t: Tlv, inner: Buffer) => Buffer.concat([t.raw.subarray(0, 1), Buffer.from([0x80]), inner, Buffer.from([0, 0])]);
    const ci = readTlv(readTlv(der).value);
    const [oid, explicit] = children(ci);
    const sd = children(explicit!)[0]!;
    const ber = tlv(0x77, indef(ci, Buffer.concat([oid!.raw, indef(explicit!, indef(sd, sd.value))])));
    expect(ber.includes(Buffer.from([0x30, 0x80]))).toBe(true);
    expect(pa(ber, new CscaStore([csca.x509]))).toMatchObject({ verified: true });
  });

  it('refuses: DG not listed, forged signature, unknown CSCA, same-name impostor CSCA', () => {
    const dsc = issueBy(csca, { cn: 'DS' });
    const store = new CscaStore([csca.x509]);
    expect(pa(efSod(dgs, dsc, { omit: [2] }), store).reasons.map((x) => x.code)).toEqual(['PASSPORT_DG_NOT_LISTED']);
    const sod = efSod(dgs, dsc);
    const forged = Buffer.from(sod);
    forged[forged.length - 5]! ^= 0x01; // inside the signature value
    expect(pa(forged, store)).toMatchObject({ verified: false, signature: 'invalid' });
    expect(pa(sod, new CscaStore([createCsca({ cn: 'OTHER' }).x509])).chain).toBe('no-anchor');
    expect(pa(sod, new CscaStore([createCsca({ country: 'JP' }).x509])).reasons.map((x) => x.code)).toEqual(['TRUST_CHAIN_INVALID']);
    expect(pa(Buffer.from('7703020100', 'hex'), store).reasons.map((x) => x.code)).toEqual(['PASSPORT_SOD_INVALID']);
  });

  it('link certificate: a DSC under the new CSCA key chains through old CSCA + link', () => {
    const oldCsca = createCsca({ country: 'JP', cn: 'TEST CSCA' });
    // New CSCA: same name, new key; the link certificate is the new key signed by the old one.
    const newCsca = createCsca({ country: 'JP', cn: 'TEST CSCA' });
    const link = issueBy(oldCsca, { cn: 'TEST CSCA', ca: true, key: { publicKey: newCsca.publicKey, privateKey: newCsca.privateKey }, spec: newCsca.keySpec });
    const dsc = issueBy(newCsca, { cn: 'DS 2' });
    expect(pa(efSod(dgs, dsc), new CscaStore([oldCsca.x509, link.x509]))).toMatchObject({ verified: true, chain: 'valid' });
    // The link alone (no self-signed root to vouch for it) is not an anchor.
    expect(pa(efSod(dgs, dsc), new CscaStore([link.x509])).chain).not.toBe('valid');
  });

  it('DSC validity: expired passes by default (normal for DSCs), refused when strict; not-yet-valid refused', () => {
    const dsc = issueBy(csca, { cn: 'DS', notAfter: new Date(now.getTime() + 3600_000) });
    const sod = efSod(dgs, dsc);
    const later = new Date(now.getTime() + 7200_000);
    expect(pa(sod, new CscaStore([csca.x509]), dgs, later)).toMatchObject({ verified: true, dscExpired: true });
    expect(pa(sod, new CscaStore([csca.x509]), dgs, later, true).reasons.map((x) => x.code)).toEqual(['TRUST_CERT_EXPIRED']);
    expect(pa(sod, new CscaStore([csca.x509]), dgs, new Date(now.getTime() - 3 * 86400_000)).reasons.map((x) => x.code)).toEqual(['TRUST_CERT_NOT_YET_VALID']);
  });
});

describe('CSCA master list', () => {
  it('parses the certList, checks the list signature, and feeds the store', () => {
    const a = createCsca({ country: 'JP', cn: 'CSCA A' });
    const b = createCsca({ country: 'UT', cn: 'CSCA B' });
    const mlSigner = issueBy(a, { cn: 'TEST Master List Signer' });
    const list = tlv(0x30, intTlv(0), tlv(0x31, a.der, b.der));
    const ml = cmsSignedData('2.23.136.1.1.2', list, mlSigner);
    const parsed = parseMasterList(ml);
    expect(parsed.certificates.map((c) => c.subject)).toEqual([a.x509.subject, b.x509.subject]);
    expect(parsed.signatureValid).toBe(true);
    const tampered = Buffer.from(ml);
    tampered[tampered.length - 3]! ^= 1; // inside the list signer's signature
    expect(parseMasterList(tampered)).toMatchObject({ signatureValid: false, signer: null });
    const dsc = issueBy(b, { cn: 'DS' });
    expect(pa(efSod(dgs, dsc), new CscaStore(parsed.certificates))).toMatchObject({ verified: true });
    expect(() => parseMasterList(cmsSignedData('2.23.136.1.1.1', list, mlSigner))).toThrow(/master list/);
  });
});
