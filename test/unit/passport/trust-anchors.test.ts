// CSCA store rules (issue 14.2) and tampered certificates in passive authentication (fail closed, typed):
// master lists load only when signed by a configured master-list signer; link anchors must be CA
// certificates issued by an anchor; a DSC or CSCA whose validity node cannot read never passes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CscaStore, loadCscaFile, loadCscaFiles } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { parsePassportConfig } from '../../../daemon/documents/passport/passport-config.ts';
import { passiveAuthentication } from '../../../daemon/documents/passport/pki/passive-auth.ts';
import { createCsca, issueBy, type IssuedCert } from '../../../drivers/sim/passport/certs.ts';
import { cmsSignedData, dg1, efSod, type Holder } from '../../../drivers/sim/passport/lds.ts';
import { testHolder } from '../../../drivers/sim/passport/index.ts';

const holder: Holder = testHolder({ documentNumber: 'AB1234567', dateOfBirth: '800101', dateOfExpiry: '300101' });
const dgs = new Map([[1, dg1(holder)]]);
const now = new Date();
const dir = mkdtempSync(join(tmpdir(), 'csca-'));
const file = (name: string, data: Buffer | string) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

// A master list: SEQUENCE { version 0, certList SET OF Certificate } (ICAO 9303-12 §9), signed as CMS.
const a = createCsca({ country: 'JP', cn: 'CSCA A' });
const b = createCsca({ country: 'UT', cn: 'CSCA B' });
const ML_SIGNING = ['2.23.136.1.1.3']; // extKeyUsage of a Master List Signer (ICAO 9303-12 §7.1.1)
const mlSigner = issueBy(a, { cn: 'TEST Master List Signer', extKeyUsage: ML_SIGNING });
function masterList(signer: IssuedCert): Buffer {
  const len = (n: number) => (n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]));
  const set = Buffer.concat([a.der, b.der]);
  const content = Buffer.concat([Buffer.from([0x02, 0x01, 0x00, 0x31]), len(set.length), set]);
  const list = Buffer.concat([Buffer.from([0x30]), len(content.length), content]);
  return cmsSignedData('2.23.136.1.1.2', list, signer);
}
const ML = file('good.ml', masterList(mlSigner));

describe('CSCA master lists need a configured signer', () => {
  it('loads when the list signer is configured, or when its issuing CA is', () => {
    const subjects = (cs: X509Certificate[]) => cs.map((c) => c.subject);
    expect(subjects(loadCscaFile(ML, { masterListSigners: [mlSigner.x509] }))).toEqual([a.x509.subject, b.x509.subject]);
    expect(subjects(loadCscaFile(ML, { masterListSigners: [a.x509] }))).toEqual([a.x509.subject, b.x509.subject]);
  });

  it('is refused without a configured signer, under another signer, or with a broken signature', () => {
    expect(() => loadCscaFile(ML)).toThrow(
      expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD', message: expect.stringMatching(/not a configured master-list signer/) }),
    );
    expect(() => loadCscaFile(ML, { masterListSigners: [b.x509] })).toThrow(expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD' }));
    const bad = masterList(mlSigner);
    bad[bad.length - 3]! ^= 1; // inside the signer's signature
    expect(() => loadCscaFile(file('bad.ml', bad), { masterListSigners: [mlSigner.x509, a.x509] })).toThrow(
      expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD', message: expect.stringMatching(/does not verify/) }),
    );
    // A list signed by a self-made signer that merely names itself: its own certificate is no authority.
    const rogue = createCsca({ country: 'JP', cn: 'CSCA A' });
    expect(() =>
      loadCscaFile(file('rogue.ml', masterList(issueBy(rogue, { cn: 'TEST Master List Signer', extKeyUsage: ML_SIGNING }))), { masterListSigners: [a.x509] }),
    ).toThrow(expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD' }));
  });

  it('a configured CSCA vouches only for master-list signers: a Document Signer it issued cannot publish a list', () => {
    const dsc = issueBy(a, { cn: 'TEST Document Signer' });
    expect(() => loadCscaFile(file('by-dsc.ml', masterList(dsc)), { masterListSigners: [a.x509] })).toThrow(
      expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD', message: expect.stringMatching(/not a configured master-list signer/) }),
    );
  });

  it('a configured signer that is not a CA vouches only for lists it signed itself', () => {
    const other = issueBy(a, { cn: 'TEST Other Signer' });
    const byOther = file('other.ml', masterList(issueBy(other, { cn: 'TEST ML Signer 2' })));
    expect(() => loadCscaFile(byOther, { masterListSigners: [other.x509] })).toThrow(expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD' }));
  });

  it('config passport.masterListSigners feeds the daemon loader; single CSCA certificates need no signer', () => {
    const signerFile = file('signer.pem', a.pem);
    const cfg = parsePassportConfig({ masterListSigners: [signerFile] });
    expect(loadCscaFiles([ML, file('b.pem', b.pem)], cfg)).toHaveLength(3);
    expect(() => loadCscaFiles([ML])).toThrow(expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD' }));
    expect(loadCscaFiles([file('a.pem', a.pem)])).toHaveLength(1);
  });

  it('config validation names the field', () => {
    expect(() => parsePassportConfig({ cscaCountryExceptions: [{ issuingState: 'jpn', cscaCountry: 'JP' }] })).toThrow(
      /cscaCountryExceptions\[0\]\.issuingState/,
    );
    expect(() => parsePassportConfig({ masterListSigner: [] })).toThrow(/passport\.masterListSigner/);
    expect(parsePassportConfig({ cscaCountryExceptions: [{ issuingState: 'RKS', cscaCountry: 'XK' }] }).cscaCountryExceptions).toEqual([
      { issuingState: 'RKS', cscaCountry: 'XK' },
    ]);
  });
});

describe('link certificates', () => {
  it('a CA link certificate issued by an anchor is an anchor; a non-CA one is not (its DSCs have no anchor)', () => {
    const caLink = issueBy(a, { cn: 'CSCA A link', ca: true });
    const eeLink = issueBy(a, { cn: 'CSCA A not-a-CA', ca: false });
    const store = new CscaStore([a.x509, caLink.x509, eeLink.x509]);
    expect(store.anchors.map((c) => c.subject)).toEqual([a.x509.subject, caLink.x509.subject]);
    const underCa = passiveAuthentication({ sod: efSod(dgs, issueBy(caLink, { cn: 'DS' })), dataGroups: dgs, csca: store, at: now });
    expect(underCa.verified).toBe(true);
    const underEe = passiveAuthentication({ sod: efSod(dgs, issueBy(eeLink, { cn: 'DS' })), dataGroups: dgs, csca: store, at: now });
    expect(underEe).toMatchObject({ verified: false, chain: 'no-anchor' });
  });

  it('a self-signed certificate that is not a CA is no anchor', () => {
    const ee = issueBy(a, { cn: 'x' });
    expect(new CscaStore([ee.x509]).anchors).toEqual([]);
  });
});

describe('tampered certificates in EF.SOD: typed refusals, never exceptions or silent passes', () => {
  /** The DSC with its notBefore (the first UTCTime) overwritten: node reports "Bad time value". */
  function withBadTime(cert: IssuedCert, which: 0 | 1): Buffer {
    const der = Buffer.from(cert.der);
    let i = der.indexOf(Buffer.from([0x17, 0x0d]));
    if (which === 1) i = der.indexOf(Buffer.from([0x17, 0x0d]), i + 1);
    Buffer.from('991399999999Z', 'latin1').copy(der, i + 2);
    return der;
  }

  it.each([0, 1] as const)('DSC with an unreadable validity bound %d → PASSPORT_SOD_INVALID', (which) => {
    const dsc = issueBy(a, { cn: 'DS' });
    expect(Number.isNaN(Date.parse(new X509Certificate(withBadTime(dsc, which)).validFrom + new X509Certificate(withBadTime(dsc, which)).validTo))).toBe(true);
    const forged = { ...dsc, der: withBadTime(dsc, which), x509: new X509Certificate(withBadTime(dsc, which)) };
    const r = passiveAuthentication({ sod: efSod(dgs, forged), dataGroups: dgs, csca: new CscaStore([a.x509]), at: now });
    expect(r.verified).toBe(false);
    expect(r.reasons.map((x) => x.code)).toContain('PASSPORT_SOD_INVALID');
  });

  it('a CSCA with an unreadable validity vouches for nothing', () => {
    const c = createCsca({ country: 'JP', cn: 'CSCA T' });
    const broken = new X509Certificate(withBadTime(c, 0));
    const r = passiveAuthentication({ sod: efSod(dgs, issueBy(c, { cn: 'DS' })), dataGroups: dgs, csca: new CscaStore([c.x509, broken]), at: now });
    expect(r.verified).toBe(true); // the intact CSCA still works
    const only = passiveAuthentication({ sod: efSod(dgs, issueBy(c, { cn: 'DS' })), dataGroups: dgs, csca: new CscaStore([broken]), at: now });
    expect(only.verified).toBe(false);
  });

  it('a DSC whose public key node cannot import → signature invalid, no exception', () => {
    const dsc = issueBy(a, { cn: 'DS' });
    const der = Buffer.from(dsc.der);
    // Overwrite the EC curve OID in the SPKI (prime256v1 2A8648CE3D030107) with an unknown one.
    const oid = Buffer.from('2A8648CE3D030107', 'hex');
    const i = der.indexOf(oid);
    der[i + oid.length - 1] = 0x7f;
    let x: X509Certificate;
    try {
      x = new X509Certificate(der);
    } catch {
      return; // this node refuses the certificate outright, which pickDsc already turns into a reason
    }
    const r = passiveAuthentication({ sod: efSod(dgs, { ...dsc, der, x509: x }), dataGroups: dgs, csca: new CscaStore([a.x509]), at: now });
    expect(r.verified).toBe(false);
    expect(r.reasons.map((x) => x.code)).toContain('PASSPORT_SOD_INVALID');
  });
});
