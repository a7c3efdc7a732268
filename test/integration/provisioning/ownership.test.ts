// Provisioning as root hands its files to the service account (issue 18): the daemon's user reads the
// config, trust anchors and device key; no other local user reads any of them; only root rewrites the
// config and anchors. Checked with real processes running as the service uid and as another uid, not by
// comparing the code's own idea of the modes. The uids are unassigned numbers (no /etc/passwd entry needed).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../daemon/cli/run.ts';
import { createJpkiAuthCa } from '../../../drivers/sim/pki.ts';
import { issueCrl } from '../../../drivers/sim/crl-issuer.ts';

const SERVICE = 4242; // the daemon's account (uid = gid)
const STRANGER = 4343;
const isRoot = process.getuid?.() === 0;

async function cli(...args: string[]) {
  const o = { stdout: '', stderr: '' };
  const code = await runCli(['provision', ...args], { stdout: (t) => void (o.stdout += t), stderr: (t) => void (o.stderr += t), readStdin: async () => '' });
  return { code, ...o };
}
/** Can `uid` read `file`? Asked of the kernel by a process running as that uid. */
const canRead = (uid: number, file: string) => spawnSync('cat', [file], { uid, gid: uid, stdio: 'ignore' }).status === 0;
const canWrite = (uid: number, file: string) => spawnSync('sh', ['-c', `: >> "$1"`, 'sh', file], { uid, gid: uid, stdio: 'ignore' }).status === 0;

describe.skipIf(!isRoot)('provisioning as root: files for the service account only', () => {
  const base = mkdtempSync(join(tmpdir(), 'idkiosk-own-'));
  chmodSync(base, 0o755); // a world-traversable parent, like /etc
  const etc = join(base, 'etc', 'idkiosk');
  const config = join(etc, 'config.json');
  const owner = ['--config', config, '--owner', `${SERVICE}:${SERVICE}`];

  it('without a service account on the machine, init stops before writing anything', async () => {
    const r = await cli('init', '--config', config, '--owner', 'idkiosk-no-such-user', '--kiosk-id', 'k-1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no user 'idkiosk-no-such-user'.*sysusers/);
    expect(() => statSync(etc)).toThrow();
  });

  it('init, trust, crl and enroll leave config, anchors and key readable by the service uid and nobody else', async () => {
    const common = [...owner, '--state-dir', join(base, 'var'), '--run-dir', join(base, 'run')];
    expect((await cli('init', ...common, '--kiosk-id', 'own-01')).code).toBe(0);
    const ca = createJpkiAuthCa();
    const caFile = join(base, 'ca.pem');
    writeFileSync(caFile, ca.x509.toString());
    expect((await cli('trust', 'add', 'jpkiAuth', caFile, ...owner, '--yes')).code).toBe(0);
    const crlFile = join(base, 'jpki.crl');
    writeFileSync(crlFile, issueCrl(ca, { revoked: [] }));
    expect((await cli('crl', ...owner, '--source', crlFile, '--issuer', caFile)).code).toBe(0);
    expect((await cli('enroll', '--csr-out', ...owner)).code).toBe(0);

    const key = join(etc, 'device.key');
    const anchorDir = join(etc, 'trust', 'jpkiAuth');
    const anchor = join(anchorDir, readdirSync(anchorDir)[0]!);
    const readable = [config, key, anchor, join(etc, 'crl-sync.json'), join(etc, 'device.csr'), join(etc, 'provision-state.json')];
    for (const f of readable) {
      expect(`${f}: ${canRead(SERVICE, f)}`).toBe(`${f}: true`);
      expect(`${f}: ${canRead(STRANGER, f)}`).toBe(`${f}: false`);
    }
    // the daemon cannot rewrite its own configuration or trust anchors; only its key is its own
    for (const f of [config, anchor, join(etc, 'crl-sync.json')]) expect(`${f}: ${canWrite(SERVICE, f)}`).toBe(`${f}: false`);
    expect(statSync(key)).toMatchObject({ uid: SERVICE, gid: SERVICE });
    expect(statSync(key).mode & 0o777).toBe(0o600);
    // the CRL sync service (running as the service account) can update the store the first sync made as root
    const store = join(base, 'var', 'crl');
    expect(statSync(store).uid).toBe(SERVICE);
    expect(canWrite(SERVICE, join(store, 'probe'))).toBe(true);
  });

  it('selftest reports the owners and modes: PASS as provisioned, FAIL after a chmod 0644', async () => {
    const run = async () => {
      const r = await cli('selftest', '--simulated', '--no-test-page', ...owner, '--json');
      return (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.find((c) => c.id === 'file-ownership')!;
    };
    expect(await run()).toMatchObject({ status: 'PASS' });
    chmodSync(config, 0o644);
    const bad = await run();
    expect(bad.status).toBe('FAIL');
    expect(bad.detail).toContain(`${config}: mode 0644, want 0640`);
    // re-running a step as root repairs it
    expect((await cli('init', ...owner, '--kiosk-id', 'own-01')).code).toBe(0);
    expect(await run()).toMatchObject({ status: 'PASS' });
  }, 30_000);
});
