// `idkiosk read license` and `idkiosk sim license` as separate processes against the real pcscd.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import { createVirtualLicense, type LicenseCard } from '../../../drivers/sim/license/index.ts';
import { startPcscd, type PcscdInstance } from '../../harness/pcscd.ts';
import { waitUntil } from '../../harness/jpki.ts';
import { IDKIOSK_BIN, runIdkiosk } from '../../harness/cli.ts';

const BIN = IDKIOSK_BIN;
let pcscd: PcscdInstance;
let client: VpcdClient | null = null;
let sim: ChildProcess | null = null;

beforeAll(async () => {
  pcscd = await startPcscd();
});
afterAll(async () => pcscd?.stop());
afterEach(async () => {
  await client?.close();
  client = null;
  if (sim) {
    const done = new Promise((r) => sim!.once('close', r));
    sim.kill('SIGTERM');
    await done;
    sim = null;
  }
  await new Promise((r) => setTimeout(r, 600));
});

const idkiosk = runIdkiosk;

async function present(card: LicenseCard) {
  client = new VpcdClient(card, { port: pcscd.port });
  await client.insert();
  await new Promise((r) => setTimeout(r, 300));
}

describe('idkiosk read license', () => {
  it('PIN1 + PIN2 from stdin lines: verified, current address, 外字 PNG, 本籍, photo decoded', async () => {
    const card = createVirtualLicense({ pins: { pin1: '2468', pin2: '1357' } });
    await present(card);
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-lic-'));
    const r = await idkiosk(['read', 'license', '--pin-stdin', '--with-pin2', '--json', '--photo-out', join(dir, 'p.png')], '2468\n1357\n');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ document: 'license', verdict: 'verified', pinSetting: 'holder-set', pin1TriesBefore: 3, pin2TriesBefore: 3 });
    expect(out.current.address).toMatchObject({ changed: true, value: { plain: '神奈川県横浜市中区試験町四丁目５番６号' } });
    expect(out.matters.name.runs[0]).toEqual({ kind: 'gaiji', index: 1 });
    expect(out.glyphs[0].png).toMatch(/^data:image\/png;base64,/);
    expect(out.honseki.current.value.plain).toBe('東京都千代田区見本町一丁目');
    expect(out.photo).toMatchObject({ format: 'jpeg2000-codestream', display: 'decoded' });
    expect(readFileSync(join(dir, 'p.png')).subarray(1, 4).toString()).toBe('PNG');
    // No key configured: the EF07 status says so and is never "valid".
    expect(out.signature.status).toBe('no-key');
    expect(r.stdout + r.stderr).not.toMatch(/2468|1357/);
  });

  it('wrong PIN1: exit 1, one VERIFY, the tries left reported', async () => {
    const card = createVirtualLicense();
    await present(card);
    const r = await idkiosk(['read', 'license', '--pin-stdin'], '9999\n');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.reasons[0]).toMatchObject({ code: 'PIN_WRONG', triesLeft: 2, pin: 'pin1' });
    expect(card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0)).toHaveLength(1);
  });

  it("'idkiosk sim license --default-pin --expired' in its own process: read refuses LICENSE_EXPIRED without reading stdin", async () => {
    sim = spawn(process.execPath, [BIN, 'sim', 'license', '--default-pin', '--expired', '--vpcd', `127.0.0.1:${pcscd.port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    sim.stderr!.on('data', (d) => (err += d));
    await waitUntil(() => err.includes('card inserted'), 8000, 'sim card inserted');
    await new Promise((r) => setTimeout(r, 300));
    const r = await idkiosk(['read', 'license', '--pin-stdin'], '');
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ verdict: 'refused', pinSetting: 'default', expiry: { expired: true } });
    expect(out.reasons.map((x: { code: string }) => x.code)).toEqual(['LICENSE_EXPIRED']);
  });
});
