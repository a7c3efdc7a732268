// The virtual My Number card in the real pcscd through vsmartcard-vpcd, checked with independent PC/SC
// clients: opensc-tool (raw APDUs) and OpenSC's own JPKI driver (pkcs15-tool).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualMyNumberCard, type MyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import type { MyNumberPki } from '../../../drivers/sim/pki.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import { startPcscd, waitForCard, type PcscdInstance } from '../../harness/pcscd.ts';

const ATR = '3b:e0:00:ff:81:31:fe:45:14';

// Asynchronous on purpose: the card answers from this process's event loop, so a synchronous exec would
// deadlock the first APDU.
function run(cmd: string, args: string[], timeout = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout, env: process.env }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let pcscd: PcscdInstance;
let card: MyNumberCard;
let pki: MyNumberPki;
let client: VpcdClient;

beforeAll(async () => {
  pcscd = await startPcscd();
  ({ card, pki } = createVirtualMyNumberCard({ pin: '1357' }));
  client = new VpcdClient(card, { port: pcscd.port });
  await client.insert();
});

afterAll(async () => {
  await client?.close();
  await pcscd?.stop();
});

describe('virtual My Number card in pcscd (vpcd slot 0)', () => {
  it('appears with the published ATR', async () => {
    const t = Date.now();
    const out = await waitForCard(0, { present: true, atr: ATR });
    expect(out).toContain(ATR);
    console.log(`card visible to opensc-tool after ${Date.now() - t} ms`);
  });

  it('answers raw APDUs sent by opensc-tool', async () => {
    card.log.clear();
    const r = await run('opensc-tool', [
      '-r',
      '0',
      '-s',
      '00:A4:04:0C:0A:D3:92:F0:00:26:01:00:00:00:01',
      '-s',
      '00:A4:02:0C:02:00:06',
      '-s',
      '00:B0:00:00:20',
      '-s',
      '00:A4:02:0C:02:00:18',
      '-s',
      '00:20:00:80',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SW1=0x90, SW2=0x00/);
    expect(r.stdout).toMatch(/4A 50 4B 49 41 50 49 43 43 54 4F 4B 45 4E 32 20/); // "JPKIAPICCTOKEN2 "
    expect(r.stdout).toMatch(/SW1=0x63, SW2=0xC3/);
    const ours = card.log.entries.slice(-5).map((e) => e.command?.toString('hex').toUpperCase());
    expect(ours).toEqual(['00A4040C0AD392F000260100000001', '00A4020C020006', '00B0000020', '00A4020C020018', '00200080']);
  });

  it("OpenSC's JPKI driver lists the card's certificates", async () => {
    const r = await run('pkcs15-tool', ['-r', '0', '--list-certificates']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('User Authentication Certificate');
    expect(r.stdout).toMatch(/Path\s*:\s*000a/i);
    expect(r.stdout).toMatch(/Path\s*:\s*000b/i);
  });

  it('pkcs15-tool --read-certificate returns exactly the DER the card holds', async () => {
    const auth = await run('pkcs15-tool', ['-r', '0', '--read-certificate', '01']);
    expect(auth.code, auth.stderr).toBe(0);
    expect(new X509Certificate(auth.stdout).raw.equals(pki.authCert.der)).toBe(true);
    const ca = await run('pkcs15-tool', ['-r', '0', '--read-certificate', '03']);
    expect(ca.code, ca.stderr).toBe(0);
    expect(new X509Certificate(ca.stdout).raw.equals(pki.authCa.der)).toBe(true);
    // OpenSC never presented the PIN to read public certificates.
    expect(card.log.verifiesWithData()).toHaveLength(0);
  });

  it('a removed card shows as absent, and comes back on insert', async () => {
    await client.remove();
    await waitForCard(0, { present: false });
    await client.insert();
    await waitForCard(0, { present: true, atr: ATR });
  });

  it('a card pulled mid-exchange fails the transmit and disappears', async () => {
    await waitForCard(0, { present: true, atr: ATR });
    const base = card.log.entries.length;
    client.dropAfter(2);
    const r = await run('opensc-tool', ['-r', '0', '-s', '00:A4:04:0C:0A:D3:92:F0:00:26:01:00:00:00:01', '-s', '00:A4:02:0C:02:00:0A', '-s', '00:B0:00:00:04']);
    expect(r.code).not.toBe(0);
    expect(card.log.entries.length - base).toBeLessThanOrEqual(2);
    await waitForCard(0, { present: false });
    await client.insert();
    await waitForCard(0, { present: true, atr: ATR });
  });
});

describe('idkiosk sim CLI against pcscd (vpcd slot 1)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'idkiosk-sim-cli-'));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('sim pki writes a profile that sim mynumber serves; stdin and signals remove/insert the card', async () => {
    const pkiRun = await run(process.execPath, ['bin/idkiosk.js', 'sim', 'pki', '--out', dir, '--pin', '8642'], 30_000);
    expect(pkiRun.code, pkiRun.stderr).toBe(0);
    const profile = JSON.parse(readFileSync(join(dir, 'mynumber-profile.json'), 'utf8'));
    const certDer = new X509Certificate(profile.auth.certPem).raw;
    const caPem = readFileSync(join(dir, 'jpki-auth-ca.pem'), 'utf8');
    expect(new X509Certificate(profile.auth.certPem).verify(new X509Certificate(caPem).publicKey)).toBe(true);

    const proc = spawn(
      process.execPath,
      ['bin/idkiosk.js', 'sim', 'mynumber', '--vpcd', `127.0.0.1:${pcscd.port + 1}`, '--profile', join(dir, 'mynumber-profile.json')],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: process.env,
      },
    );
    child = proc;
    let stderr = '';
    proc.stderr!.on('data', (c) => (stderr += c));
    const waitLog = async (re: RegExp, ms = 10_000) => {
      const end = Date.now() + ms;
      while (!re.test(stderr)) {
        if (Date.now() > end) throw new Error(`no ${re} in: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitLog(/card inserted/);
    await waitForCard(1, { present: true, atr: ATR });
    const cert = await run('pkcs15-tool', ['-r', '1', '--read-certificate', '01']);
    expect(cert.code, cert.stderr).toBe(0);
    expect(new X509Certificate(cert.stdout).raw.equals(certDer)).toBe(true);

    proc.stdin!.write('remove\n');
    await waitLog(/card removed/);
    await waitForCard(1, { present: false });
    proc.kill('SIGUSR2');
    await waitForCard(1, { present: true, atr: ATR });
    proc.kill('SIGUSR1');
    await waitForCard(1, { present: false });
    proc.stdin!.write('insert\n');
    await waitForCard(1, { present: true, atr: ATR });

    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/stopped \(SIGTERM\)/);
    expect(stderr).not.toContain('8642');
  });
});
