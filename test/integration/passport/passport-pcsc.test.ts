// The passport through the real pcscd + vpcd: `idkiosk read passport` as a separate process (BAC-only
// chip, PACE chip, MRZ from stdin, AA, CA, tampered DG, unknown CSCA) and the kiosk flow in process with
// the keypad entries scripted. Each test presents a fresh virtual chip.
import { runIdkioskJson } from '../../harness/cli.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withCard } from '../../../daemon/cli/card-access.ts';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { passportFlow } from '../../../daemon/documents/passport/passport-flow.ts';
import { readPassport } from '../../../daemon/documents/passport/passport-read.ts';
import { assessPassport } from '../../../daemon/documents/passport/passport-verdict.ts';
import type { SecretRequest } from '../../../daemon/documents/secrets.ts';
import { PassportCard, testHolder, td3, type PassportCardOptions } from '../../../drivers/sim/passport/index.ts';
import { createCsca, issueBy } from '../../../drivers/sim/passport/certs.ts';
import { usePcscCard } from '../../harness/pcsc-card.ts';

const HOLDER = testHolder({ documentNumber: 'TK0000000', dateOfBirth: '851203', dateOfExpiry: '330630', surname: 'YAMADA', givenNames: 'TARO' });
// The MRZ lines in a private file: `read passport` never takes the MRZ data on the command line.
const MRZ_FILE = join(mkdtempSync(join(tmpdir(), 'idkiosk-mrz-')), 'holder.mrz');
writeFileSync(MRZ_FILE, `${td3(HOLDER).slice(0, 44)}\n${td3(HOLDER).slice(44)}\n`, { mode: 0o600 });
const KEY_ARGS = ['--mrz-file', MRZ_FILE];
const csca = createCsca({ country: 'JP' });
const PKI = { csca, dsc: issueBy(csca, { cn: 'TEST DS' }) };
const slot = usePcscCard();
let cscaFile: string;
let otherCscaFile: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-passport-'));
  cscaFile = join(dir, 'csca.pem');
  otherCscaFile = join(dir, 'other.pem');
  writeFileSync(cscaFile, PKI.csca.pem);
  writeFileSync(otherCscaFile, createCsca({ country: 'JP', cn: 'OTHER TEST CSCA' }).pem);
});

async function present(o: Partial<PassportCardOptions> = {}): Promise<PassportCard> {
  const card = new PassportCard({ holder: HOLDER, pki: PKI, faceBytes: 34_000, ...o });
  return slot.present(card);
}

const codes = (out: { reasons: { code: string }[] }) => out.reasons.map((r) => r.code);

describe('idkiosk read passport (pcscd + vpcd)', () => {
  it('PACE chip: verified with PA, CA and AA; the JSON contract', async () => {
    const card = await present();
    const { json: out } = await runIdkioskJson(['read', 'passport', ...KEY_ARGS, '--csca', cscaFile, '--json'], '', 0);
    expect(out).toMatchObject({
      document: 'passport',
      verdict: 'verified',
      authenticity: 'proven',
      holderBinding: 'mrz-only',
      access: 'PACE',
      secureMessaging: 'AES-128',
      checks: { 'clone-check': 'verified', 'csca-country': 'match', 'sod-signature': 'valid', 'dsc-chain': 'valid' },
      dataGroupsListed: [1, 2, 11, 12, 14, 15],
      dataGroupsMissing: [],
      dg1: { documentNumber: 'TK0000000', dateOfBirth: '851203', dateOfExpiry: '330630', surname: 'YAMADA', givenNames: 'TARO', nationality: 'JPN' },
      passiveAuthentication: { verified: true, signature: 'valid', chain: 'valid' },
      chipAuthentication: { status: 'verified' },
      activeAuthentication: { status: 'verified' },
      face: { format: 'jpeg', bytes: 34_000, display: 'image/jpeg' },
    });
    expect(out.dataGroupsRead).toEqual([1, 2, 11, 12, 14, 15]);
    expect(card.stats).toMatchObject({ pace: 1, bac: 0, ca: 1, aa: 1, smErrors: 0 });
    expect(card.log.entries.some((e) => e.ins === 0xb1)).toBe(true); // DG2 crosses offset 7FFF
  });

  it('BAC-only chip with CA v1 (3DES); MRZ lines from stdin', async () => {
    const card = await present({ pace: false, ca: { cipher: '3DES', curve: 'brainpoolP256r1' } });
    const mrz = td3(HOLDER);
    const { json: out } = await runIdkioskJson(
      ['read', 'passport', '--mrz-stdin', '--csca', cscaFile, '--no-face'],
      `${mrz.slice(0, 44)}\n${mrz.slice(44)}\n`,
      0,
    );
    expect(out).toMatchObject({ verdict: 'verified', access: 'BAC', chipAuthentication: { status: 'verified', protocol: '0.4.0.127.0.7.2.2.3.2.1' } });
    expect(card.stats.bac).toBe(1);
  });

  it('tampered DG1 → hash mismatch → refused (exit 1)', async () => {
    await present({ faults: { tamperDg: 1 } });
    const { json: out } = await runIdkioskJson(['read', 'passport', ...KEY_ARGS, '--csca', cscaFile, '--no-face'], '', 1);
    expect(out.passiveAuthentication.dataGroups.dg1).toBe('mismatch');
    expect(out).toMatchObject({ verdict: 'refused', authenticity: 'failed', checks: { 'dg1-hash': 'mismatch' } });
    expect(codes(out)).toContain('PASSPORT_DG_HASH_MISMATCH');
  });
});

// The same protocol and verdict in process (a CLI start costs seconds on a loaded 2-core machine).
async function readHere(store: CscaStore, key = KEY) {
  return withCard({}, async (session) =>
    assessPassport(await readPassport(session, { accessKey: accessKey(key), readFace: false }), { csca: store, at: new Date() }),
  );
}
const KEY = { documentNumber: 'TK0000000', dateOfBirth: '851203', dateOfExpiry: '330630' };
const accessKey = (k: typeof KEY) => ({
  documentNumber: Buffer.from(k.documentNumber),
  dateOfBirth: Buffer.from(k.dateOfBirth),
  dateOfExpiry: Buffer.from(k.dateOfExpiry),
});

describe('passport reads in process (pcscd + vpcd)', () => {
  it('unknown CSCA → not proven: chip-read, never verified', async () => {
    await present({ aa: false });
    const r = await readHere(new CscaStore(CscaStore.fromFiles([otherCscaFile]).anchors));
    expect(r).toMatchObject({ verdict: 'chip-read', authenticity: 'chip-read' });
    expect(codes(r)).toEqual(['TRUST_NO_ANCHOR']);
  });

  it('AA failure → refused as clone suspect', async () => {
    await present({ faults: { aaFail: true } });
    const r = await readHere(CscaStore.fromFiles([cscaFile]));
    expect(r.activeAuthentication.status).toBe('failed');
    expect(codes(r)).toEqual(['PASSPORT_AA_FAILED']);
    expect(r).toMatchObject({ verdict: 'refused', authenticity: 'failed' });
  });

  it('CA failure → refused as clone suspect', async () => {
    const card = await present({ faults: { caFail: true } });
    const r = await readHere(CscaStore.fromFiles([cscaFile]));
    expect(r.chipAuthentication.status).toBe('failed');
    expect(codes(r)).toContain('PASSPORT_CA_FAILED');
    expect(card.stats.smErrors).toBe(1); // the chip could not check the host's MAC under its wrong keys either
  });

  it('PACE refused by the chip → BAC fallback, verified', async () => {
    const card = await present({ faults: { paceBroken: true } });
    const r = await readHere(CscaStore.fromFiles([cscaFile]));
    expect(r).toMatchObject({ verdict: 'verified', access: 'BAC' });
    expect(card.stats).toMatchObject({ pace: 0, bac: 1 });
  });

  it('wrong access key → PASSPORT_ACCESS_DENIED; malformed key → no APDU at all', async () => {
    const card = await present();
    await expect(readHere(CscaStore.fromFiles([cscaFile]), { ...KEY, documentNumber: 'TK0000001' })).rejects.toMatchObject({ code: 'PASSPORT_ACCESS_DENIED' });
    const before = card.log.entries.length;
    await expect(readHere(CscaStore.fromFiles([cscaFile]), { ...KEY, dateOfBirth: '851303' })).rejects.toMatchObject({ code: 'PASSPORT_ACCESS_KEY_FORMAT' });
    expect(card.log.entries.length).toBe(before);
  });
});

describe('kiosk passport flow (pcscd + vpcd)', () => {
  it('asks for the three MRZ fields, re-asks a malformed date, and verifies over PACE', async () => {
    await present({ faceBytes: 2000 });
    const answers: Record<string, string[]> = {
      'passport-document-number': ['TK0000000'],
      'passport-birth-date': ['851399', '851203'],
      'passport-expiry-date': ['330630'],
    };
    const asked: SecretRequest[] = [];
    const view = await withCard({}, (session) =>
      passportFlow({ csca: new CscaStore([PKI.csca.x509]), disclosure: 'name' }).run({
        session,
        prompt: async (req) => {
          asked.push(req);
          return Buffer.from(answers[req.purpose]!.shift()!);
        },
        progress: () => {},
        signal: new AbortController().signal,
      }),
    );
    expect(asked.map((a) => [a.purpose, a.previousAttemptWrong])).toEqual([
      ['passport-document-number', false],
      ['passport-birth-date', false],
      ['passport-birth-date', true],
      ['passport-expiry-date', false],
    ]);
    expect(asked[0]!.format).toMatchObject({ kind: 'alnum', min: 1, max: 9 });
    expect(view).toMatchObject({
      outcome: 'verified',
      authenticity: 'proven',
      holderBinding: 'mrz-only',
      document: 'passport',
      reasons: [],
      checks: { access: 'PACE', 'passive-authentication': 'verified', 'chip-authentication': 'verified', 'active-authentication': 'verified' },
      holder: { name: 'YAMADA TARO', dateOfBirth: null },
    });
  });
});
