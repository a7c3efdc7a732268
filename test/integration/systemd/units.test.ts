// The unit files: `systemd-analyze verify` must accept them without a single warning, and the settings the
// issue requires (and the ones that would break Node or hide the hardware) are checked by name.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const UNITS = ['idkiosk.service', 'idkiosk-browser.service', 'idkiosk-crl-sync.service', 'idkiosk-crl-sync.timer'];
const read = (u: string) => readFileSync(join(ROOT, 'systemd', u), 'utf8');
const settings = (u: string, key: string) => [...read(u).matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());

// Without a terminal systemd tools may log elsewhere (journal/kmsg): force warnings onto stderr.
const ENV = { ...process.env, SYSTEMD_LOG_TARGET: 'console', SYSTEMD_LOG_LEVEL: 'notice' };

function analyzer(): string | null {
  const r = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0]! : null;
}
const version = analyzer();
if (!version) console.warn('systemd-analyze not runnable here: unit verification skipped (install the Debian package "systemd")');

describe('systemd units', () => {
  it.skipIf(!version)('systemd-analyze verify accepts every unit without warnings', () => {
    // Paths as installed (/usr/lib/idkiosk, /usr/bin/node) are mapped onto this checkout so ExecStart= exists.
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-units-'));
    for (const u of UNITS) writeFileSync(join(dir, u), read(u).replaceAll('/usr/lib/idkiosk', ROOT).replaceAll('/usr/bin/node', process.execPath));
    const r = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => join(dir, u))], { encoding: 'utf8', env: ENV });
    expect((r.stdout + r.stderr).trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!version)('the verifier is not silent: a broken copy is reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-units-bad-'));
    const bad = read('idkiosk.service')
      .replace(/^Type=notify$/m, 'Type=notifyy')
      .replaceAll('/usr/lib/idkiosk', ROOT)
      .replaceAll('/usr/bin/node', process.execPath);
    writeFileSync(join(dir, 'idkiosk.service'), bad);
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'idkiosk.service')], { encoding: 'utf8', env: ENV });
    // systemd 252 (Debian 12) says "Failed to parse service type, ignoring: notifyy"; systemd 257 (Debian 13)
    // "…:14: Failed to parse Type=notifyy, ignoring: Invalid argument". Either names the bad line.
    expect(r.stdout + r.stderr).toMatch(/Failed to parse (service type\b.*notifyy|Type=notifyy)/);
  });

  it('idkiosk.service: notify + watchdog, hardening, and nothing that breaks V8 or hides devices', () => {
    const u = 'idkiosk.service';
    expect(settings(u, 'Type')).toEqual(['notify']);
    expect(settings(u, 'NotifyAccess')).toEqual(['main']);
    expect(settings(u, 'WatchdogSec')).toHaveLength(1);
    // bounded malloc arenas: RSS stays flat over a soak (docs/performance.md)
    expect(settings(u, 'Environment')).toContain('MALLOC_ARENA_MAX=2');
    for (const [k, v] of [
      ['ProtectSystem', 'strict'],
      ['NoNewPrivileges', 'yes'],
      ['StateDirectory', 'idkiosk'],
      ['ConfigurationDirectory', 'idkiosk'],
      ['DevicePolicy', 'closed'],
    ]) {
      expect(settings(u, k!)).toEqual([v]);
    }
    expect(settings(u, 'MemoryDenyWriteExecute')).toEqual(['no']);
    expect(settings(u, 'PrivateDevices')).toEqual([]);
    expect(settings(u, 'SupplementaryGroups')[0]!.split(/\s+/).sort()).toEqual(['dialout', 'gpio', 'input']);
    expect(settings(u, 'DeviceAllow')).toEqual(expect.arrayContaining(['char-ttyUSB rw', 'char-input r', 'char-gpiochip rw']));
    expect(settings(u, 'RestrictAddressFamilies')[0]).toMatch(/AF_UNIX/);
  });

  it('both units that name /var/lib/idkiosk give it the same mode (systemd re-applies it on every start)', () => {
    expect(settings('idkiosk.service', 'StateDirectoryMode')).toEqual(['0750']);
    expect(settings('idkiosk-crl-sync.service', 'StateDirectory')).toEqual(['idkiosk']);
    expect(settings('idkiosk-crl-sync.service', 'StateDirectoryMode')).toEqual(['0750']);
  });

  it('the CRL timer is randomised; the browser gets the token as a credential', () => {
    expect(settings('idkiosk-crl-sync.timer', 'RandomizedDelaySec')).toHaveLength(1);
    expect(settings('idkiosk-browser.service', 'LoadCredential')).toEqual(['ui-token:/run/idkiosk/ui-token']);
    expect(read('idkiosk-browser.sh')).toMatch(/exec cage -d -s --/);
  });

  it.skipIf(!existsSync('/bin/sh'))('idkiosk-browser.sh: the token only in a 0600 launcher page, never in argv; a malformed one refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-browser-'));
    const runtime = join(dir, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    // stand-ins for cage and chromium that print their argv
    writeFileSync(join(dir, 'cage'), '#!/bin/sh\necho "cage $*"\n', { mode: 0o755 });
    writeFileSync(join(dir, 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
    const env = { PATH: `${dir}:/usr/bin:/bin`, CREDENTIALS_DIRECTORY: dir, RUNTIME_DIRECTORY: runtime, IDKIOSK_UI_URL: 'http://127.0.0.1:8080/' };
    const token = 'AbC_-123456789012345678901234567890';
    writeFileSync(join(dir, 'ui-token'), `${token}\n`);
    const out = execFileSync(join(ROOT, 'systemd/idkiosk-browser.sh'), { env, encoding: 'utf8' });
    expect(out).toMatch(new RegExp(`^cage -d -s -- .*chromium --kiosk .* file://${runtime}/launch\\.html$`, 'm'));
    expect(out).not.toContain(token);
    const page = join(runtime, 'launch.html');
    expect(statSync(page).mode & 0o777).toBe(0o600);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain(`const base = "http://127.0.0.1:8080/";`);
    expect(html).toContain(`location.replace(base + "?token=${token}")`);
    // the probe (fetch of the bare screen URL) carries no token
    expect(html).toMatch(/fetch\(base, /);
    writeFileSync(join(dir, 'ui-token'), 'bad token;rm -rf\n');
    const r = spawnSync(join(ROOT, 'systemd/idkiosk-browser.sh'), { env, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/malformed ui-token/);
    // the screen URL must be the local daemon: a token is never sent elsewhere
    writeFileSync(join(dir, 'ui-token'), `${token}\n`);
    const far = spawnSync(join(ROOT, 'systemd/idkiosk-browser.sh'), { env: { ...env, IDKIOSK_UI_URL: 'http://example.org/' }, encoding: 'utf8' });
    expect(far.status).toBe(1);
    expect(far.stderr).toMatch(/loopback/);
  });
});
