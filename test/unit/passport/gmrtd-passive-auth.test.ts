// gmrtd's passive-authentication cases (test/conformance/gmrtd/passive_auth.json, MIT) against the CSCA
// pool gmrtd itself trusts: the German and Dutch master lists, each verified under its root, plus
// Indonesia's 2010-series CSCAs and link certificates. The pool is built the way a kiosk builds it
// (verifyMasterList + selectCscas, as `idkiosk trust import-master-list` does, then CscaStore). Expected
// results are gmrtd's: 12 real passports pass, a corrupted EF.SOD or EF.CardSecurity and a missing EF.SOD
// fail. gmrtd also picks CSCAs by the MRZ issuing state; the CSCA found must be that country's.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSignedData, verifySigner } from '../../../daemon/documents/passport/pki/cms.ts';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { selectCscas, verifyMasterList } from '../../../daemon/documents/passport/pki/master-list.ts';
import { passiveAuthentication } from '../../../daemon/documents/passport/pki/passive-auth.ts';
import { AT, bytes, certificateFile, gmrtdJson, idnCertificates, label, LISTS, type Hex } from './gmrtd-data.ts';

interface PaCase {
  comments: string[];
  cardSecurityFileBytes: Hex;
  sodFileBytes: Hex;
  expPaResultSuccess: boolean;
}
const data = gmrtdJson<{ TestPassiveAuth: PaCase[]; TestPassiveAuthErrors: PaCase[] }>('passive_auth.json');
/** gmrtd's case label → the CSCA subject country (the UK's CSCA says GB). */
const COUNTRY: Record<string, string> = { UK: 'GB' };

let pool: CscaStore;
beforeAll(() => {
  const certs: X509Certificate[] = [];
  for (const l of LISTS) certs.push(...verifyMasterList(readFileSync(l.list), [certificateFile(l.root)], AT).certificates);
  pool = new CscaStore([...selectCscas(certs, AT).taken, ...idnCertificates().values()]);
}, 60_000);

/** EF.CardSecurity (BSI TR-03110) is a CMS SignedData too: its signature under the certificate it carries. */
function cardSecuritySignatureHolds(file: Buffer): boolean {
  const sd = parseSignedData(file);
  return sd.certificates.some((der) => {
    try {
      return verifySigner(sd.signers[0]!, sd.eContentType, sd.eContent, new X509Certificate(der).publicKey).ok;
    } catch {
      return false;
    }
  });
}

describe('gmrtd passive-authentication cases', () => {
  it('has the 12 passing and 3 failing cases', () => {
    expect(data.TestPassiveAuth.filter((c) => c.expPaResultSuccess)).toHaveLength(12);
    expect(data.TestPassiveAuthErrors.filter((c) => !c.expPaResultSuccess)).toHaveLength(3);
  });

  for (const c of data.TestPassiveAuth) {
    const country = COUNTRY[label(c)] ?? label(c);
    it(`${label(c)}: EF.SOD signature valid, DSC chains to a ${country} CSCA of the verified pool`, () => {
      const r = passiveAuthentication({ sod: bytes(c.sodFileBytes)!, dataGroups: new Map(), csca: pool, at: AT });
      expect(r.reasons).toEqual([]);
      expect(r).toMatchObject({ verified: true, signature: 'valid', chain: 'valid' });
      expect(r.csca!.subject).toMatch(new RegExp(`(^|, )C=${country}(,|$)`));
      const cs = bytes(c.cardSecurityFileBytes);
      if (cs) expect(cardSecuritySignatureHolds(cs)).toBe(true);
    });
  }

  const [csCorrupt, sodCorrupt, sodMissing] = data.TestPassiveAuthErrors;
  it('DE with EF.CardSecurity corrupted (last byte): its signature fails', () => {
    expect(csCorrupt!.comments[1]).toMatch(/CardSecurity file corrupted/);
    expect(cardSecuritySignatureHolds(bytes(csCorrupt!.cardSecurityFileBytes)!)).toBe(false);
  });

  it('DE with EF.SOD corrupted (last byte): refused, signature invalid', () => {
    expect(sodCorrupt!.comments[1]).toMatch(/SOD file corrupted/);
    const r = passiveAuthentication({ sod: bytes(sodCorrupt!.sodFileBytes)!, dataGroups: new Map(), csca: pool, at: AT });
    expect(r).toMatchObject({ verified: false, signature: 'invalid' });
    expect(r.reasons.map((x) => x.code)).toContain('PASSPORT_SOD_INVALID');
  });

  it('DE with EF.SOD missing: nothing proven', () => {
    expect(sodMissing!.sodFileBytes).toBeNull();
    const r = passiveAuthentication({ sod: Buffer.alloc(0), dataGroups: new Map(), csca: pool, at: AT });
    expect(r).toMatchObject({ verified: false, signature: 'not-checked', chain: 'not-checked' });
  });

  it('without the pool the same real passports find no anchor (the pool is what proves them)', () => {
    const r = passiveAuthentication({ sod: bytes(data.TestPassiveAuth[0]!.sodFileBytes)!, dataGroups: new Map(), csca: new CscaStore([]), at: AT });
    expect(r).toMatchObject({ verified: false, signature: 'valid', chain: 'no-anchor' });
  });
});

describe('Indonesia 2010-series CSCAs: a chain of link certificates', () => {
  const idn = idnCertificates();
  const id = data.TestPassiveAuth.find((c) => label(c) === 'ID')!;
  const run = (names: string[]) =>
    passiveAuthentication({ sod: bytes(id.sodFileBytes)!, dataGroups: new Map(), csca: new CscaStore(names.map((n) => idn.get(n)!)), at: AT });

  it('2010 root → 2016 link → 2020 link reaches the DSC', () => {
    const r = run(['2010-12_CSCA', '2016-01_CSCA_LINK', '2020-10_CSCA_LINK']);
    expect(r).toMatchObject({ verified: true, chain: 'valid' });
    expect(r.csca!.fingerprintSha256).toBe(idn.get('2020-10_CSCA_LINK')!.fingerprint256.replace(/:/g, ''));
  });

  it('a missing middle link breaks the chain, and a link alone is never an anchor', () => {
    expect(run(['2010-12_CSCA', '2020-10_CSCA_LINK'])).toMatchObject({ verified: false, chain: 'no-anchor' });
    expect(run(['2016-01_CSCA_LINK', '2020-10_CSCA_LINK'])).toMatchObject({ verified: false, chain: 'no-anchor' });
  });

  it('the self-signed 2020 CSCA proves the same passport directly', () => {
    expect(run(['2020-10_CSCA'])).toMatchObject({ verified: true, chain: 'valid' });
  });
});
