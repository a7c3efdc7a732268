// Adversarial virtual passports through the real pcscd + vpcd (issue 14.2): a clone's EF.COM edited to
// hide DG14/DG15, DG14 answered 6A82 while the SOD lists it, DG15 withheld, a CSCA of another country,
// a master list with a broken signature, a DSC under a non-CA "link" certificate. None may end
// `proven` or `verified` — neither in the passport result nor after the kiosk's verdict gate.
import { runIdkiosk } from '../../harness/cli.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withCard } from '../../../daemon/cli/card-access.ts';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { toResultView } from '../../../daemon/documents/passport/passport-flow.ts';
import { readPassport } from '../../../daemon/documents/passport/passport-read.ts';
import { assessPassport, type PassportResult } from '../../../daemon/documents/passport/passport-verdict.ts';
import { gateVerdict } from '../../../daemon/policy/verdict-gate.ts';
import { PassportCard, testHolder, td3, type PassportCardOptions } from '../../../drivers/sim/passport/index.ts';
import { createCsca, issueBy } from '../../../drivers/sim/passport/certs.ts';
import { cmsSignedData } from '../../../drivers/sim/passport/lds.ts';
import { usePcscCard } from '../../harness/pcsc-card.ts';

const HOLDER = testHolder({ documentNumber: 'TK0000000', dateOfBirth: '851203', dateOfExpiry: '330630', surname: 'YAMADA', givenNames: 'TARO' });
const KEY = { documentNumber: 'TK0000000', dateOfBirth: '851203', dateOfExpiry: '330630' };
// The MRZ lines in a private file: `read passport` never takes the MRZ data on the command line.
const MRZ_FILE = join(mkdtempSync(join(tmpdir(), 'idkiosk-mrz-')), 'holder.mrz');
writeFileSync(MRZ_FILE, `${td3(HOLDER).slice(0, 44)}\n${td3(HOLDER).slice(44)}\n`, { mode: 0o600 });
const KEY_ARGS = ['--mrz-file', MRZ_FILE];
const csca = createCsca({ country: 'JP' });
const PKI = { csca, dsc: issueBy(csca, { cn: 'TEST DS' }) };
const STORE = new CscaStore([csca.x509]);
const slot = usePcscCard();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-clone-'));
});

async function present(o: Partial<PassportCardOptions> = {}): Promise<PassportCard> {
  const card = new PassportCard({ holder: HOLDER, pki: PKI, faceBytes: 2000, ...o });
  return slot.present(card);
}

async function readHere(store: CscaStore = STORE): Promise<PassportResult> {
  const accessKey = { documentNumber: Buffer.from(KEY.documentNumber), dateOfBirth: Buffer.from(KEY.dateOfBirth), dateOfExpiry: Buffer.from(KEY.dateOfExpiry) };
  return withCard({}, async (session) => assessPassport(await readPassport(session, { accessKey, readFace: false }), { csca: store, at: new Date() }));
}

/** Not proven anywhere: the passport result, the screen view, and the view after the verdict gate. */
function expectNotProven(r: PassportResult): void {
  expect(r.verdict).not.toBe('verified');
  expect(r.authenticity).not.toBe('proven');
  const view = toResultView(r, 'name');
  expect(view.outcome).not.toBe('verified');
  expect(view.holder).toBeUndefined();
  expect(gateVerdict(view, { acceptChipRead: false }).outcome).toBe('refused');
}
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

describe('cloned passports through pcscd + vpcd', () => {
  it('EF.COM edited to omit DG14/DG15 on a clone without the CA key: CA still runs (SOD lists DG14) and fails', async () => {
    const card = await present({ faults: { comOmit: [14, 15], caFail: true } });
    const r = await readHere();
    expect(card.stats.ca).toBe(1);
    expect(r).toMatchObject({ verdict: 'refused', authenticity: 'failed', cloneCheck: 'failed' });
    expect(codes(r)).toContain('PASSPORT_CA_FAILED');
    expectNotProven(r);
  });

  it('EF.COM edited to omit DG15 on a clone without the AA key: AA still runs and fails', async () => {
    const card = await present({ ca: false, faults: { comOmit: [15], aaFail: true } });
    const r = await readHere();
    expect(card.stats.aa).toBe(1);
    expect(codes(r)).toEqual(['PASSPORT_AA_FAILED']);
    expectNotProven(r);
  });

  it('DG14 answered 6A82 while the SOD lists it → refused', async () => {
    const card = await present({ faults: { withhold: [14], comOmit: [14] } });
    const r = await readHere();
    expect(card.log.entries.some((e) => e.sw === 0x6a82)).toBe(true);
    expect(r).toMatchObject({ verdict: 'refused', authenticity: 'failed', dataGroupsMissing: [14] });
    expect(codes(r)).toEqual(expect.arrayContaining(['PASSPORT_DG_MISSING', 'PASSPORT_CA_FAILED']));
    expectNotProven(r);
  });

  it('DG15 missing while listed in the SOD → refused', async () => {
    await present({ ca: false, faults: { withhold: [15] } });
    const r = await readHere();
    expect(r).toMatchObject({ verdict: 'refused', authenticity: 'failed', dataGroupsMissing: [15] });
    expect(codes(r)).toEqual(expect.arrayContaining(['PASSPORT_DG_MISSING', 'PASSPORT_AA_FAILED']));
    expectNotProven(r);
  });

  it('CSCA country mismatch (JPN passport, CSCA of DE) → refused', async () => {
    const de = createCsca({ country: 'DE', cn: 'TEST CSCA DE' });
    await present({ pki: { csca: de, dsc: issueBy(de, { cn: 'TEST DS DE' }) }, aa: false });
    const r = await readHere(new CscaStore([csca.x509, de.x509]));
    expect(r.cscaCountry).toEqual({ status: 'mismatch', expected: 'JP', csca: 'DE' });
    expect(codes(r)).toEqual(['PASSPORT_CSCA_COUNTRY_MISMATCH']);
    expectNotProven(r);
  });

  it('read passport: a CSCA-country exception given on the command line lets that pairing verify (exit 0)', async () => {
    const de = createCsca({ country: 'DE', cn: 'TEST CSCA DE 2' });
    const deFile = join(dir, 'csca-de.pem');
    writeFileSync(deFile, de.pem);
    await present({ pki: { csca: de, dsc: issueBy(de, { cn: 'TEST DS DE 2' }) }, aa: false });
    const r = await runIdkiosk(['read', 'passport', ...KEY_ARGS, '--csca', deFile, '--csca-exception', 'JPN:DE', '--no-face']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'verified', cscaCountry: { status: 'exception', expected: 'DE', csca: 'DE' } });
    const bad = await runIdkiosk(['read', 'passport', ...KEY_ARGS, '--csca', deFile, '--csca-exception', 'jpn-de']);
    expect(bad.code).toBe(2);
    expect(bad.stderr + bad.stdout).toMatch(/--csca-exception takes STATE:CC/);
  });

  it('a DSC issued under a non-CA "link" certificate → no anchor: chip-read, refused by the gate', async () => {
    const fakeLink = issueBy(csca, { cn: 'TEST CSCA link (not a CA)', ca: false });
    await present({ pki: { csca, dsc: issueBy(fakeLink, { cn: 'TEST DS under fake link' }) }, aa: false });
    const r = await readHere(new CscaStore([csca.x509, fakeLink.x509]));
    expect(r.passiveAuthentication.chain).toBe('no-anchor');
    expect(r).toMatchObject({ verdict: 'chip-read', authenticity: 'chip-read' });
    expectNotProven(r);
  });

  it('a master list with a bad signature is not loaded: `read passport` stops before the card (exit 2, TRUST_ANCHOR_LOAD)', async () => {
    const signer = issueBy(csca, { cn: 'TEST Master List Signer' });
    // MasterList ::= SEQUENCE { version 0, certList SET OF Certificate } with one CSCA (ICAO 9303-12 §9).
    const set = Buffer.concat([Buffer.from([0x31, 0x82, csca.der.length >> 8, csca.der.length & 0xff]), csca.der]);
    const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x00]), set]);
    const list = Buffer.concat([Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]), body]);
    const ml = cmsSignedData('2.23.136.1.1.2', list, signer);
    ml[ml.length - 3]! ^= 1; // inside the signer's signature
    const mlFile = join(dir, 'bad.ml');
    const signerFile = join(dir, 'signer.pem');
    writeFileSync(mlFile, ml);
    writeFileSync(signerFile, signer.pem);
    const card = await present();
    const r = await runIdkiosk(['read', 'passport', ...KEY_ARGS, '--csca', mlFile, '--ml-signer', signerFile, '--no-face']);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/TRUST_ANCHOR_LOAD/);
    expect(r.stdout).not.toMatch(/"verified"/);
    expect(card.log.entries.length).toBe(0);
  });
});
