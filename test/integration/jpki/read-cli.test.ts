// `idkiosk read jpki-auth` as a technician runs it: a separate process, the real pcscd, the virtual card on
// vpcd, the PIN on stdin. Checks the JSON contract and the exit codes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import { usePcscCard } from '../../harness/pcsc-card.ts';
import { jpkiCard, testCa } from '../../harness/jpki.ts';
import { runIdkiosk, runIdkioskJson } from '../../harness/cli.ts';

const slot = usePcscCard();
let caFile: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-cli-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, testCa().pem);
});

const present = (card: MyNumberCard) => slot.present(card);

describe('idkiosk read jpki-auth', () => {
  it('right PIN without a revocation source: everything checks out, yet the verdict fails closed', async () => {
    await present(jpkiCard());
    const { json: out, stderr, stdout } = await runIdkioskJson(['read', 'jpki-auth', '--trust', caFile, '--pin-stdin', '--json'], '1234\n', 1);
    expect(out).toMatchObject({
      document: 'mynumber-jpki-auth',
      pinTriesBefore: 3,
      challengeSignature: 'valid',
      chain: 'valid',
      revocation: 'unknown',
      verdict: 'refused',
    });
    expect(out.reasons.map((x: { code: string }) => x.code)).toEqual(['TRUST_REVOCATION_UNKNOWN']);
    expect(out.certificate.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(out.certificate.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stdout + stderr).not.toContain('1234');
  });

  it('wrong PIN: refused, exit 1, the tries left reported; one VERIFY only', async () => {
    const card = jpkiCard();
    await present(card);
    const { json: out } = await runIdkioskJson(['read', 'jpki-auth', '--trust', caFile, '--pin-stdin'], '9999\n', 1);
    expect(out.reasons[0].code).toBe('PIN_WRONG');
    expect(out.triesLeft).toBe(2);
    expect(card.authPin.triesLeft).toBe(2);
    expect(card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0)).toHaveLength(1);
  });

  it('one try left: refused without any VERIFY carrying data', async () => {
    const card = jpkiCard({ triesLeft: 1 });
    await present(card);
    expect((await runIdkioskJson(['read', 'jpki-auth', '--trust', caFile, '--pin-stdin'], '1234\n', 1)).json.reasons[0].code).toBe('PIN_TRIES_LOW');
    expect(card.log.entries.some((e) => e.ins === 0x20 && e.dataLength > 0)).toBe(false);
    expect(card.authPin.triesLeft).toBe(1);
  });

  it('a malformed PIN on stdin is rejected before any APDU', async () => {
    const card = jpkiCard();
    await present(card);
    const before = card.log.entries.length;
    const r = await runIdkiosk(['read', 'jpki-auth', '--trust', caFile, '--pin-stdin'], '12a4\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PIN_FORMAT');
    expect(card.log.entries.length).toBe(before);
  });

  it('no card: exit 2 with a reader error code', async () => {
    const r = await runIdkiosk(['read', 'jpki-auth', '--trust', caFile, '--pin-stdin'], '1234\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/READER_NO_CARD|READER_NOT_FOUND/);
  });

  it('refuses to run without --pin-stdin (the PIN never goes on the command line)', async () => {
    const r = await runIdkiosk(['read', 'jpki-auth', '--trust', caFile], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('USAGE');
  });
});
