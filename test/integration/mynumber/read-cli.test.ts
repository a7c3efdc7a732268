// `idkiosk read mynumber-info | jpki-sign | mynumber-face` as a technician runs them: a separate process,
// the real pcscd, the virtual card on vpcd, secrets on stdin. JSON contract, exit codes, counters.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { virtualCardTrustConfig, type MyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import { usePcscCard } from '../../harness/pcsc-card.ts';
import { cas, fullCard } from '../../unit/mynumber/helpers.ts';
import { runIdkiosk, runIdkioskJson } from '../../harness/cli.ts';

const slot = usePcscCard();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-mn-cli-'));
  writeFileSync(join(dir, 'sign-ca.pem'), cas().signCa.pem);
  writeFileSync(join(dir, 'tx.json'), '{"amount":1000,"payee":"テスト商店"}');
  // The CV CA keys this process's virtual cards are signed under (what `sim mynumber --cv-ca-out` writes).
  writeFileSync(join(dir, 'cv-ca.json'), JSON.stringify(virtualCardTrustConfig()));
});

const present = (card: MyNumberCard) => slot.present(card);

describe('idkiosk read (My Number modes)', () => {
  it('mynumber-info: 4 info as UTF-8 JSON with explicit JIS X 0208 substitution; exit 0; never the My Number', async () => {
    const { card, holder } = fullCard();
    await present(card);
    const {
      json: out,
      stderr,
      stdout,
    } = await runIdkioskJson(['read', 'mynumber-info', '--pin-stdin', '--test-cards', '--cv-ca', join(dir, 'cv-ca.json'), '--json'], '2580\n', 0);
    expect(out).toMatchObject({ document: 'mynumber-info', verdict: 'verified', authenticity: 'proven', holderBinding: 'pin', pinTriesBefore: 3 });
    expect(out.holder.name).toEqual({ text: holder.name, outsideJisX0208: 2, jisX0208: '〓橋 〓子', substitution: 'geta' });
    expect(out.checks).toMatchObject({ 'cv-certificate': 'valid', 'cv-hierarchy': 'test', 'issuer-signature': 'valid' });
    expect(stdout + stderr).not.toContain(holder.myNumber);
    expect(stdout + stderr).not.toContain('2580');
  });

  it('mynumber-info: wrong PIN → exit 1, tries left; one VERIFY', async () => {
    const { card } = fullCard();
    await present(card);
    expect((await runIdkioskJson(['read', 'mynumber-info', '--pin-stdin'], '9999\n', 1)).json).toMatchObject({
      verdict: 'refused',
      triesLeft: 2,
      reasons: [{ code: 'PIN_WRONG' }],
    });
    expect(card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0)).toHaveLength(1);
  });

  it('jpki-sign: signs SHA-256 of --data; without a revocation source the verdict fails closed (exit 1)', async () => {
    const { card, holder } = fullCard();
    await present(card);
    const args = ['read', 'jpki-sign', '--data', join(dir, 'tx.json'), '--trust', join(dir, 'sign-ca.pem'), '--password-stdin', '--json'];
    const { json: out } = await runIdkioskJson(args, 'abc123xyz\n', 1);
    expect(out).toMatchObject({ document: 'mynumber-sign', dataSignature: 'valid', chain: 'valid', revocation: 'unknown', passwordTriesBefore: 5 });
    expect(out.reasons.map((x: { code: string }) => x.code)).toEqual(['TRUST_REVOCATION_UNKNOWN']);
    expect(out.dataSha256).toBe(createHash('sha256').update('{"amount":1000,"payee":"テスト商店"}').digest('hex'));
    expect(out.holder.address.text).toBe(holder.address);
    expect(Buffer.from(out.signature, 'base64')).toHaveLength(256);
    expect(card.signatureCount).toBe(1);
  });

  it('jpki-sign: locked password → exit 1 PIN_LOCKED, nothing sent; malformed password → exit 2 before any APDU', async () => {
    const { card } = fullCard({ signTriesLeft: 0 });
    await present(card);
    const args = ['read', 'jpki-sign', '--data', join(dir, 'tx.json'), '--trust', join(dir, 'sign-ca.pem'), '--password-stdin'];
    expect((await runIdkioskJson(args, 'ABC123XYZ\n', 1)).json.reasons[0].code).toBe('PIN_LOCKED');
    expect(card.signPin.attempts).toBe(0);
    const before = card.log.entries.length;
    const bad = await runIdkiosk(args, 'AB-12\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PIN_FORMAT');
    expect(card.log.entries.length).toBe(before);
  });

  it('mynumber-face: 照合番号B on stdin → images as base64 PNG; EF 0005 never selected', async () => {
    const { card } = fullCard();
    await present(card);
    const { json: out } = await runIdkioskJson(['read', 'mynumber-face', '--test-cards', '--cv-ca', join(dir, 'cv-ca.json'), '--json'], '02010120354321\n', 0);
    expect(out).toMatchObject({
      document: 'mynumber-face',
      verdict: 'verified',
      authenticity: 'proven',
      holderBinding: 'printed-number-only',
      unlockedWith: 'check-code-b',
      expiry: '2035-01-01',
    });
    expect(out.nameImagePng).toMatch(/^iVBORw0KGgo/);
    expect(card.log.entries.some((e) => e.command?.toString('hex').toUpperCase() === '00A4020C020005')).toBe(false);
  });

  it('mynumber-face: the Gregorian birth date (1990 → 900101…) is refused before any APDU, with era guidance (exit 2)', async () => {
    const { card } = fullCard();
    await present(card);
    const r = await runIdkiosk(['read', 'mynumber-face', '--test-cards', '--cv-ca', join(dir, 'cv-ca.json')], '90010120354321\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PIN_FORMAT');
    expect(r.stderr).toContain('550217');
    expect(card.log.entries.filter((e) => e.ins === 0x20)).toHaveLength(0);
    expect(card.visual!.checkCodeB.triesLeft).toBe(10);
  });

  it('mynumber-info without --test-cards: the test-hierarchy card is not proven (exit 1, never verified)', async () => {
    const { card } = fullCard();
    await present(card);
    expect((await runIdkioskJson(['read', 'mynumber-info', '--pin-stdin'], '2580\n', 1)).json).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      holder: null,
      checks: { 'cv-certificate': 'unknown-ca' },
    });
  });
});
