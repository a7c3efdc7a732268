// The card-image decoder's units (systemd/idkiosk-decode.socket, idkiosk-decode@.service): systemd accepts
// them without a warning, the sandbox settings issue 17 asks for are there by name (no network, none of
// the kiosk's files, a user that is not idkiosk, memory and time limits), only the daemon's user may
// connect, and the daemon connects where the socket listens. `systemd-analyze security` scores the
// service; it must stay far below the daemon's own bar (2.0).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECODE_SOCKET } from '../../../daemon/images/decode-socket.ts';

const ROOT = join(import.meta.dirname, '../../..');
const SOCKET = 'idkiosk-decode.socket';
const SERVICE = 'idkiosk-decode@.service';
const read = (u: string) => readFileSync(join(ROOT, 'systemd', u), 'utf8');
const settings = (u: string, key: string) => [...read(u).matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
const ENV = { ...process.env, SYSTEMD_LOG_TARGET: 'console', SYSTEMD_LOG_LEVEL: 'notice', SYSTEMD_COLORS: '0' };
const analyze = spawnSync('systemd-analyze', ['security', '--help'], { encoding: 'utf8' });
const available = analyze.status === 0 && analyze.stdout.includes('--offline');

/** The units with installed paths mapped onto this checkout, in a fresh directory. */
function copies(): string {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-decode-units-'));
  for (const u of [SOCKET, SERVICE]) writeFileSync(join(dir, u), read(u).replaceAll('/usr/lib/idkiosk', ROOT));
  return dir;
}

describe('decoder units', () => {
  it.skipIf(!available)('systemd-analyze verify accepts both without warnings', () => {
    const dir = copies();
    const r = spawnSync('systemd-analyze', ['verify', join(dir, SOCKET), join(dir, SERVICE)], { encoding: 'utf8', env: ENV });
    expect((r.stdout + r.stderr).trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!available)('the service scores ≤ 1.0 in systemd-analyze security', () => {
    const dir = copies();
    // An instance name, as systemd would start it per connection.
    const f = join(dir, 'idkiosk-decode@1.service');
    writeFileSync(f, readFileSync(join(dir, SERVICE)));
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', f], { encoding: 'utf8', env: ENV });
    const m = /Overall exposure level for \S+: (\d+\.\d)/.exec(r.stdout + r.stderr);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    console.log(`exposure ${SERVICE}: ${m![1]}`);
    expect(Number(m![1])).toBeLessThanOrEqual(1.0);
  });

  it('the sandbox by name: no network, no kiosk files, a throw-away user, limits', () => {
    for (const [k, v] of [
      ['DynamicUser', 'yes'],
      ['PrivateNetwork', 'yes'],
      ['IPAddressDeny', 'any'],
      ['RestrictAddressFamilies', 'none'],
      ['PrivateUsers', 'yes'],
      ['PrivateDevices', 'yes'],
      ['ProtectSystem', 'strict'],
      ['NoNewPrivileges', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['MemoryMax', '512M'],
      ['LimitCORE', '0'],
      ['RuntimeMaxSec', '10s'],
      ['StandardInput', 'socket'],
      ['StandardOutput', 'socket'],
    ]) {
      expect(settings(SERVICE, k!), k).toEqual([v]);
    }
    expect(settings(SERVICE, 'InaccessiblePaths')[0]!.split(/\s+/)).toEqual(expect.arrayContaining(['-/etc/idkiosk', '-/var/lib/idkiosk', '-/run/idkiosk']));
    expect(settings(SERVICE, 'SupplementaryGroups')).toEqual([]);
    expect(settings(SERVICE, 'User')).toEqual([]);
  });

  it('only the daemon may connect, where the daemon looks for it, and the script it runs is shipped executable', () => {
    expect(settings(SOCKET, 'ListenStream')).toEqual([DECODE_SOCKET]);
    expect(settings(SOCKET, 'Accept')).toEqual(['yes']);
    expect(settings(SOCKET, 'SocketUser')).toEqual(['idkiosk']);
    expect(settings(SOCKET, 'SocketMode')).toEqual(['0600']);
    const exec = settings(SERVICE, 'ExecStart')[0]!;
    expect(exec).toBe('/usr/lib/idkiosk/systemd/idkiosk-decode.sh');
    const script = join(ROOT, exec.replace('/usr/lib/idkiosk/', ''));
    expect(existsSync(script)).toBe(true);
    expect(statSync(script).mode & 0o111).not.toBe(0);
  });
});
