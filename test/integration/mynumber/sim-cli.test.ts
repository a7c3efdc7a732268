// `idkiosk sim mynumber` as a technician runs it (issue 16: "offers every AP the demo has"): one virtual
// card process on vpcd, and every My Number `idkiosk read` command against it through the real pcscd —
// 4-info (PIN), 券面AP (照合番号B, era form), JPKI signing (password) and authentication (PIN).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIdkiosk, startSimProcess } from '../../harness/cli.ts';
import { startPcscd, type PcscdInstance } from '../../harness/pcscd.ts';

let pcscd: PcscdInstance;
let sim: ChildProcess | null = null;
let dir: string;
let simStderr = () => '';

async function startSim(extra: string[] = []) {
  const started = await startSimProcess(
    [
      'mynumber',
      '--vpcd',
      `127.0.0.1:${pcscd.port}`,
      '--ca-out',
      join(dir, 'auth-ca.pem'),
      '--sign-ca-out',
      join(dir, 'sign-ca.pem'),
      '--cv-ca-out',
      join(dir, 'cv-ca.json'),
      ...extra,
    ],
    { timeoutMs: 30_000, ready: () => existsSync(join(dir, 'cv-ca.json')) },
  );
  sim = started.process;
  simStderr = started.stderr;
}

async function stopSim() {
  const p = sim;
  sim = null;
  if (!p) return;
  await new Promise<void>((res) => {
    p.once('exit', () => res());
    p.kill('SIGTERM');
  });
  await new Promise((r) => setTimeout(r, 600));
}

beforeAll(async () => {
  pcscd = await startPcscd();
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-mn-sim-'));
  writeFileSync(join(dir, 'tx.json'), '{"amount":1}');
});
afterAll(async () => {
  await stopSim();
  await pcscd?.stop();
});

describe('idkiosk sim mynumber + idkiosk read', () => {
  it('every AP of the demo card answers its read command', async () => {
    await startSim();
    expect(simStderr()).toContain('照合番号B 02010120354321');
    const cv = ['--test-cards', '--cv-ca', join(dir, 'cv-ca.json')];

    const info = await runIdkiosk(['read', 'mynumber-info', '--pin-stdin', ...cv], '1234\n');
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      verdict: 'verified',
      authenticity: 'proven',
      holderBinding: 'pin',
      checks: { 'cv-certificate': 'valid', 'issuer-signature': 'valid' },
    });

    const face = await runIdkiosk(['read', 'mynumber-face', ...cv], '02010120354321\n');
    expect(face.code, face.stderr).toBe(0);
    expect(JSON.parse(face.stdout)).toMatchObject({ verdict: 'verified', authenticity: 'proven', holderBinding: 'printed-number-only' });

    // JPKI: signature and chain hold; without a revocation source both fail closed (exit 1), as documented.
    const sign = await runIdkiosk(['read', 'jpki-sign', '--data', join(dir, 'tx.json'), '--trust', join(dir, 'sign-ca.pem'), '--password-stdin'], 'TEST1234\n');
    expect(JSON.parse(sign.stdout)).toMatchObject({
      dataSignature: 'valid',
      chain: 'valid',
      revocation: 'unknown',
      verdict: 'refused',
      holderBinding: 'password',
    });
    const auth = await runIdkiosk(['read', 'jpki-auth', '--trust', join(dir, 'auth-ca.pem'), '--pin-stdin', '--json'], '1234\n');
    expect(JSON.parse(auth.stdout)).toMatchObject({ challengeSignature: 'valid', chain: 'valid', revocation: 'unknown', verdict: 'refused' });
    await stopSim();
  }, 120_000);

  it('--forgery edited-rehashed: the 4-info read is refused, authenticity failed (exit 1)', async () => {
    await startSim(['--forgery', 'edited-rehashed']);
    const r = await runIdkiosk(['read', 'mynumber-info', '--pin-stdin', '--test-cards', '--cv-ca', join(dir, 'cv-ca.json')], '1234\n');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'refused', authenticity: 'failed', holder: null, checks: { 'issuer-signature': 'invalid' } });
    await stopSim();
  }, 90_000);
});
