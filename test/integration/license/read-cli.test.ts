// `idkiosk read license` and `idkiosk sim license` as separate processes against the real pcscd.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVirtualLicense, SYNTHETIC_NEW_ADDRESS, SYNTHETIC_NEW_NAME, type LicenseCard } from '../../../drivers/sim/license/index.ts';
import { usePcscCard } from '../../harness/pcsc-card.ts';
import { runIdkioskJson, useSimProcess } from '../../harness/cli.ts';

const slot = usePcscCard();
const startSim = useSimProcess();

const present = (card: LicenseCard) => slot.present(card);

/** The CLI exit contract: 0 verified, 3 chip-read, 1 refused, 2 error. */
const EXIT = { verified: 0, 'chip-read': 3, refused: 1 } as const;

function trustFile(card: LicenseCard): string {
  const f = join(mkdtempSync(join(tmpdir(), 'idkiosk-lic-key-')), 'license-key.pem');
  writeFileSync(f, card.signingKey.pem);
  return f;
}

describe('idkiosk read license', () => {
  it('PIN1 + PIN2, no key configured: chip-read (exit 3), current address, 外字 PNG, 本籍; the unproven photo is not decoded', async () => {
    const card = createVirtualLicense({ pins: { pin1: '2468', pin2: '1357' } });
    await present(card);
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-lic-'));
    const {
      json: out,
      stderr,
      stdout,
    } = await runIdkioskJson(['read', 'license', '--pin-stdin', '--with-pin2', '--json', '--photo-out', join(dir, 'p.png')], '2468\n1357\n', EXIT['chip-read']);
    expect(out).toMatchObject({
      document: 'license',
      verdict: 'chip-read',
      authenticity: 'chip-read',
      holderBinding: 'pin',
      pinSetting: 'holder-set',
      pin1TriesBefore: 3,
      pin2TriesBefore: 3,
    });
    expect(out.current.address).toMatchObject({ changed: true, value: { plain: '神奈川県横浜市中区試験町四丁目５番６号' } });
    expect(out.matters.name.runs[0]).toEqual({ kind: 'gaiji', index: 1 });
    expect(out.glyphs[0].png).toMatch(/^data:image\/png;base64,/);
    expect(out.honseki.current.value.plain).toBe('東京都千代田区見本町一丁目');
    // Issue 17: an unproven photo never reaches the JPEG 2000 decoder, so nothing is written.
    expect(out.photo).toMatchObject({ format: 'jpeg2000-codestream', display: 'not-decoded' });
    expect(out.checks['photo-decode']).toBe('skipped-not-proven');
    expect(existsSync(join(dir, 'p.png'))).toBe(false);
    // No key configured: the EF07 status says so and is never "valid".
    expect(out.signature.status).toBe('no-key');
    expect(stdout + stderr).not.toMatch(/2468|1357/);
  });

  it('the right key (--trust): proven, verified (exit 0); EF04 new name and new address are the current ones, a malformed record is listed', async () => {
    const card = createVirtualLicense({ pins: { pin1: '2468', pin2: '1357' }, nameChange: true, malformedChange: true });
    await present(card);
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-lic-'));
    const { json: out } = await runIdkioskJson(
      ['read', 'license', '--pin-stdin', '--with-pin2', '--trust', trustFile(card), '--photo-out', join(dir, 'p.png')],
      '2468\n1357\n',
      EXIT.verified,
    );
    expect(out).toMatchObject({
      verdict: 'verified',
      authenticity: 'proven',
      holderBinding: 'pin',
      signature: { status: 'valid', signedData: 'DF1/EF01‖DF1/EF02‖DF2/EF01' },
    });
    expect(out.current.name).toMatchObject({ changed: true, status: 'changed' });
    expect(out.current.name.value.plain).toBe(SYNTHETIC_NEW_NAME.replace('髙', '〓'));
    expect(out.current.address).toMatchObject({ changed: true, value: { plain: SYNTHETIC_NEW_ADDRESS } });
    expect(out.changes.map((c: { kind: string }) => c.kind)).toEqual(['newName', 'newAddress']);
    expect(out.changeProblems).toHaveLength(1);
    expect(out.checks['change-records']).toBe('2 applied, 1 malformed');
    // Proven: the photo is decoded (opj_decompress) and written.
    expect(out.photo).toMatchObject({ format: 'jpeg2000-codestream', display: 'decoded' });
    expect(readFileSync(join(dir, 'p.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it("'idkiosk sim license --default-pin --foreign-key' in its own process, read with the published key: refused (exit 1), authenticity failed", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-lic-'));
    const key = join(dir, 'key.pem');
    await startSim(['license', '--default-pin', '--foreign-key', '--key-out', key, '--vpcd', `127.0.0.1:${slot.pcscd.port}`]);
    const { json: out } = await runIdkioskJson(['read', 'license', '--pin-stdin', '--with-pin2', '--trust', key], '', EXIT.refused);
    expect(out).toMatchObject({ verdict: 'refused', authenticity: 'failed', holderBinding: 'none', signature: { status: 'unmatched' } });
    expect(out.reasons.map((x: { code: string }) => x.code)).toEqual(['LICENSE_SIGNATURE_UNVERIFIED']);
  });

  it('wrong PIN1: exit 1, one VERIFY, the tries left reported', async () => {
    const card = createVirtualLicense();
    await present(card);
    const { json: out } = await runIdkioskJson(['read', 'license', '--pin-stdin'], '9999\n', 1);
    expect(out).toMatchObject({ verdict: 'refused', reasons: [{ code: 'PIN_WRONG' }], triesLeft: 2, pin: 'pin1' });
    expect(card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0)).toHaveLength(1);
  });

  it("'idkiosk sim license --default-pin --expired' in its own process: read refuses LICENSE_EXPIRED without reading stdin", async () => {
    await startSim(['license', '--default-pin', '--expired', '--vpcd', `127.0.0.1:${slot.pcscd.port}`], { timeoutMs: 8000 });
    const { json: out } = await runIdkioskJson(['read', 'license', '--pin-stdin'], '', 1);
    expect(out).toMatchObject({ verdict: 'refused', pinSetting: 'default', expiry: { expired: true } });
    expect(out.reasons.map((x: { code: string }) => x.code)).toEqual(['LICENSE_EXPIRED']);
  });
});
