// Issue 14.2: no verified verdict for a cloned passport. The reader takes DG14/DG15 from the SOD's signed
// hash list (EF.COM is unsigned), requires CA/AA whenever the SOD offers them, refuses a listed DG the chip
// will not serve, matches the CSCA's country to DG1's issuing state, and reports authenticity/binding/checks.
import { describe, expect, it } from 'vitest';
import { readPassport } from '../../../daemon/documents/passport/passport-read.ts';
import { assessPassport, subjectCountry } from '../../../daemon/documents/passport/passport-verdict.ts';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { toResultView } from '../../../daemon/documents/passport/passport-flow.ts';
import { cscaCountryOf } from '../../../daemon/documents/passport/pki/issuing-state.ts';
import { createCsca, issueBy } from '../../../drivers/sim/passport/certs.ts';
import { accessKey, card, HOLDER, session, STORE } from './helpers.ts';
import { testHolder } from '../../../drivers/sim/passport/index.ts';

const at = new Date();

async function run(c = card(), store = STORE, exceptions?: { issuingState: string; cscaCountry: string }[]) {
  const { session: s } = session(c);
  const ev = await readPassport(s, { accessKey: accessKey(), readFace: false });
  return { ev, result: await assessPassport(ev, { csca: store, at, cscaCountryExceptions: exceptions }) };
}
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

describe('cloned passport (issue 14.2)', () => {
  it('genuine chip: proven, mrz-only, every check named, clone-check verified', async () => {
    const { result } = await run();
    expect(result).toMatchObject({
      verdict: 'verified',
      authenticity: 'proven',
      holderBinding: 'mrz-only',
      cloneCheck: 'verified',
      dataGroupsListed: [1, 2, 11, 12, 14, 15],
      dataGroupsMissing: [],
    });
    expect(result.checks).toMatchObject({
      'passive-authentication': 'verified',
      'sod-signature': 'valid',
      'dsc-chain': 'valid',
      'csca-country': 'match',
      'chip-authentication': 'verified',
      'active-authentication': 'verified',
      'clone-check': 'verified',
      'dg14-hash': 'match',
      'dg15-hash': 'match',
    });
    const view = toResultView(result, 'none');
    expect(view).toMatchObject({ outcome: 'verified', authenticity: 'proven', holderBinding: 'mrz-only' });
    expect(view.checks!['clone-check']).toBe('verified');
  });

  it('EF.COM edited to omit DG14 and DG15: CA and AA still run, because the SOD lists them', async () => {
    const c = card({ faults: { comOmit: [14, 15] } });
    const { ev, result } = await run(c);
    expect(ev.com.dataGroups).not.toContain(14);
    expect(c.stats).toMatchObject({ ca: 1, aa: 1 });
    expect(result).toMatchObject({ verdict: 'verified', authenticity: 'proven' });
  });

  it('EF.COM edited and the clone cannot do CA (no private key): refused, authenticity failed', async () => {
    const { result } = await run(card({ faults: { comOmit: [14, 15], caFail: true } }));
    expect(result).toMatchObject({ verdict: 'refused', authenticity: 'failed', cloneCheck: 'failed' });
    expect(codes(result)).toContain('PASSPORT_CA_FAILED');
  });

  it('EF.COM edited and AA forged: refused', async () => {
    const { result } = await run(card({ faults: { comOmit: [15], aaFail: true } }));
    expect(result).toMatchObject({ verdict: 'refused', authenticity: 'failed' });
    expect(codes(result)).toContain('PASSPORT_AA_FAILED');
  });

  it('DG14 answered 6A82 while the SOD lists it: refused (DG missing, CA failed)', async () => {
    const c = card({ faults: { withhold: [14], comOmit: [14] } });
    const { result } = await run(c);
    expect(c.stats.ca).toBe(0);
    expect(result).toMatchObject({ verdict: 'refused', authenticity: 'failed', dataGroupsMissing: [14], cloneCheck: 'failed' });
    expect(codes(result)).toEqual(expect.arrayContaining(['PASSPORT_DG_MISSING', 'PASSPORT_CA_FAILED']));
    expect(result.checks['dg14-hash']).toBe('missing');
  });

  it('DG15 missing while listed in the SOD: refused (DG missing, AA failed)', async () => {
    const c = card({ faults: { withhold: [15] } });
    const { result } = await run(c);
    expect(c.stats.aa).toBe(0);
    expect(result).toMatchObject({ verdict: 'refused', authenticity: 'failed', dataGroupsMissing: [15] });
    expect(codes(result)).toEqual(expect.arrayContaining(['PASSPORT_DG_MISSING', 'PASSPORT_AA_FAILED']));
    expect(result.activeAuthentication.status).toBe('failed');
  });

  it('EF.COM naming a DG15 that neither the chip nor the SOD has changes nothing (EF.COM is unsigned)', async () => {
    const { result } = await run(card({ aa: false, faults: { comAdd: [15] } }));
    expect(result).toMatchObject({ verdict: 'verified', authenticity: 'proven', dataGroupsMissing: [] });
    expect(result.checks['active-authentication']).toBe('not-offered');
  });

  it('a passport without DG14/DG15 offers no clone check: proven on passive authentication, clone-check not-offered', async () => {
    const { result } = await run(card({ ca: false, aa: false }));
    expect(result).toMatchObject({ verdict: 'verified', authenticity: 'proven', cloneCheck: 'not-offered', dataGroupsListed: [1, 2, 11, 12] });
    expect(result.checks).toMatchObject({ 'clone-check': 'not-offered', 'chip-authentication': 'not-offered', 'active-authentication': 'not-offered' });
  });

  it('no CSCA configured: chip-read (not proven), never verified', async () => {
    const { result } = await run(card(), new CscaStore([]));
    expect(result).toMatchObject({ verdict: 'chip-read', authenticity: 'chip-read' });
    expect(codes(result)).toEqual(['TRUST_NO_ANCHOR']);
    const view = toResultView(result, 'name');
    expect(view).toMatchObject({ outcome: 'chip-read', authenticity: 'chip-read', holderBinding: 'mrz-only' });
    expect(view.holder).toBeUndefined(); // the name is disclosed only for a verified passport
  });

  it('CSCA country must be the issuing state: a JPN passport under a DE CSCA is refused; a configured exception accepts it', async () => {
    const de = createCsca({ country: 'DE', cn: 'TEST CSCA DE' });
    const pki = { csca: de, dsc: issueBy(de, { cn: 'TEST DS DE' }) };
    const store = new CscaStore([de.x509]);
    const { result } = await run(card({ pki, ca: false }), store);
    expect(result).toMatchObject({ verdict: 'refused', authenticity: 'failed', cscaCountry: { status: 'mismatch', expected: 'JP', csca: 'DE' } });
    expect(codes(result)).toEqual(['PASSPORT_CSCA_COUNTRY_MISMATCH']);
    const ok = await run(card({ pki, ca: false }), store, [{ issuingState: 'JPN', cscaCountry: 'DE' }]);
    expect(ok.result).toMatchObject({ verdict: 'verified', cscaCountry: { status: 'exception' } });
  });

  it('an expired passport with proven data: authenticity proven, verdict refused', async () => {
    const h = testHolder({ ...HOLDER, dateOfExpiry: '200101' });
    const c = card({ holder: h, ca: false, aa: false });
    const { session: s } = session(c);
    const ev = await readPassport(s, { accessKey: accessKey({ documentNumber: 'TZ1234567', dateOfBirth: '900115', dateOfExpiry: '200101' }), readFace: false });
    const r = await assessPassport(ev, { csca: STORE, at });
    expect(r).toMatchObject({ verdict: 'refused', authenticity: 'proven' });
    expect(codes(r)).toEqual(['PASSPORT_EXPIRED']);
  });
});

describe('issuing state → CSCA country', () => {
  // ISO 3166-1 pairs (alpha-3 → alpha-2) and ICAO 9303-3 codes: D (Germany), GBD… (UK categories), UTO (specimen).
  it.each([
    ['JPN', 'JP'],
    ['DEU', 'DE'],
    ['D<<', 'DE'],
    ['D', 'DE'],
    ['GBR', 'GB'],
    ['GBN', 'GB'],
    ['USA', 'US'],
    ['CHN', 'CN'],
    ['UTO', 'UT'],
    ['NLD', 'NL'],
  ])('%s → %s', (s, c) => expect(cscaCountryOf(s)).toBe(c));
  it('unknown codes have no country', () => {
    expect(cscaCountryOf('XXX')).toBeNull();
    expect(cscaCountryOf('')).toBeNull();
  });
  it('reads C from a node-formatted subject only as a whole attribute', () => {
    expect(subjectCountry('C=JP\nO=idkiosk TEST\nCN=TEST CSCA')).toBe('JP');
    expect(subjectCountry('O=C=JP\nCN=x')).toBeNull();
  });
});

describe('EF.SOD labelled id-data (issue 15 §3: real Chinese passports)', () => {
  it('verifies when the content is an LDSSecurityObject; any other content is refused', async () => {
    const { passiveAuthentication, sodDataGroupNumbers } = await import('../../../daemon/documents/passport/pki/passive-auth.ts');
    const { cmsSignedData, dg1 } = await import('../../../drivers/sim/passport/lds.ts');
    const { intTlv, oidTlv, tlv } = await import('../../../drivers/sim/iso7816/ber-tlv.ts');
    const { createHash } = await import('node:crypto');
    const { PKI } = await import('./helpers.ts');
    const d1 = dg1(HOLDER);
    const lso = tlv(
      0x30,
      intTlv(0),
      tlv(0x30, oidTlv('2.16.840.1.101.3.4.2.1'), Buffer.from([5, 0])),
      tlv(0x30, tlv(0x30, intTlv(1), tlv(0x04, createHash('sha256').update(d1).digest()))),
    );
    const sod = tlv(0x77, cmsSignedData('1.2.840.113549.1.7.1', lso, PKI.dsc));
    const r = passiveAuthentication({ sod, dataGroups: new Map([[1, d1]]), csca: STORE, at });
    expect(r).toMatchObject({ verified: true, signature: 'valid', dataGroups: { dg1: 'match' } });
    expect(sodDataGroupNumbers(sod)).toEqual([1]);
    const notLso = tlv(0x77, cmsSignedData('1.2.840.113549.1.7.1', tlv(0x04, Buffer.from('hello')), PKI.dsc));
    expect(passiveAuthentication({ sod: notLso, dataGroups: new Map([[1, d1]]), csca: STORE, at }).reasons.map((x) => x.code)).toEqual([
      'PASSPORT_SOD_INVALID',
    ]);
    const otherType = tlv(0x77, cmsSignedData('1.2.840.113549.1.7.5', lso, PKI.dsc));
    expect(passiveAuthentication({ sod: otherType, dataGroups: new Map([[1, d1]]), csca: STORE, at }).reasons.map((x) => x.code)).toEqual([
      'PASSPORT_SOD_INVALID',
    ]);
  });
});
