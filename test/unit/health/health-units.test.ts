import { describe, expect, it } from 'vitest';
import { createNotifier, unusableSocket, watchdogIntervalMs } from '../../../daemon/health/sd-notify.ts';
import { startWatchdog } from '../../../daemon/health/watchdog.ts';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClockMonitor, probeClock } from '../../../daemon/health/clock.ts';
import { parseConfig } from '../../../daemon/config/config.ts';

describe('sd_notify', () => {
  it('is a no-op with a reason when NOTIFY_SOCKET is unset', async () => {
    const n = createNotifier({});
    expect(n.disabledReason).toMatch(/NOTIFY_SOCKET is not set/);
    await expect(n.ready()).resolves.toBeUndefined();
    expect(n.watchdogMs()).toBeNull();
  });

  it('a send to a socket nobody listens on is logged, not thrown', async () => {
    const lines: string[] = [];
    const n = createNotifier({ NOTIFY_SOCKET: '/nonexistent/notify.sock' }, (l) => lines.push(l));
    expect(n.disabledReason).toBeNull();
    await n.ready();
    expect(lines.join('\n')).toMatch(/sd_notify READY failed/);
    n.close();
  });

  it('only an absolute socket path is used; anything else is off with a reason', () => {
    expect(unusableSocket('/run/systemd/notify')).toBeNull();
    expect(unusableSocket('@/org/freedesktop/systemd1/notify')).toMatch(/abstract/);
    expect(unusableSocket('run/notify')).toMatch(/not an absolute path/);
    expect(unusableSocket(`/${'x'.repeat(107)}`)).toMatch(/longer/);
    const n = createNotifier({ NOTIFY_SOCKET: '@notify' });
    expect(n.disabledReason).toMatch(/abstract/);
    n.close();
  });

  it('watchdog interval from WATCHDOG_USEC / WATCHDOG_PID', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBe(30_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }, 2)).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 7)).toBe(30_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'x' })).toBeNull();
  });

  it('watchdog: no ping when a probe fails, throws, or hangs', async () => {
    const sent: string[] = [];
    const n = {
      ...createNotifier({}),
      watchdog: async () => void sent.push('WATCHDOG=1'),
      status: async (t: string) => void sent.push(`STATUS=${t}`),
      watchdogMs: () => 1000,
    };
    let ok = true;
    const wd = startWatchdog(n, [
      { name: 'flag', check: () => ok },
      {
        name: 'throws',
        check: () =>
          ok
            ? true
            : (() => {
                throw new Error('x');
              })(),
      },
      { name: 'hangs', check: () => (ok ? true : new Promise<boolean>(() => {})) },
    ])!;
    expect(await wd.tick()).toEqual([]);
    ok = false;
    expect(await wd.tick()).toEqual(['flag', 'throws', 'hangs']);
    wd.stop();
    expect(sent).toEqual(['WATCHDOG=1', 'STATUS=unhealthy: flag,throws,hangs']);
    expect(startWatchdog({ ...n, watchdogMs: () => null }, [])).toBeNull();
  });
});

describe('clock', () => {
  it('unknown when neither timesyncd nor timedatectl answers; never assumed good', async () => {
    const c = await probeClock({ flagFile: '/nonexistent', timedatectl: '/bin/false' });
    expect(c).toMatchObject({ synchronized: null, source: 'none' });
    const yes = await probeClock({ flagFile: '/nonexistent', timedatectl: '/bin/echo' });
    expect(yes.synchronized).toBeNull(); // "show -p … --value" echoed is not yes/no
  });
  it('timesyncd flag file means synchronised', async () => {
    expect(await probeClock({ flagFile: '/etc/hostname' })).toMatchObject({ synchronized: true, source: 'timesyncd' });
  });
  it('the monitor spawns timedatectl at most every spawnEveryMs, and at once when the flag file goes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-clock-'));
    try {
      const calls = join(dir, 'calls');
      const tool = join(dir, 'timedatectl');
      writeFileSync(tool, `#!/bin/sh\necho x >> '${calls}'\necho no\n`);
      chmodSync(tool, 0o755);
      const spawned = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean).length;
      const flagFile = join(dir, 'synchronized');
      const m = new ClockMonitor({ flagFile, timedatectl: tool }, 300_000);
      expect(await m.refresh()).toMatchObject({ synchronized: false, source: 'timedatectl' });
      expect(await m.refresh()).toMatchObject({ synchronized: false, source: 'timedatectl' }); // cached
      expect(spawned()).toBe(1);
      writeFileSync(flagFile, '');
      expect(await m.refresh()).toMatchObject({ synchronized: true, source: 'timesyncd' });
      rmSync(flagFile);
      expect(await m.refresh()).toMatchObject({ synchronized: false, source: 'timedatectl' }); // not the cached "yes"
      expect(spawned()).toBe(2);
      const every = new ClockMonitor({ flagFile, timedatectl: tool }, 0);
      await every.refresh();
      await every.refresh();
      expect(spawned()).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('operations config', () => {
  it('validates with clear errors', () => {
    expect(() => parseConfig({ site: 'bad id!' })).toThrow(/config site: must be 1–64 characters/);
    expect(() => parseConfig({ fleet: { url: 'http://fleet.example/hb' } })).toThrow(/fleet.url: must be an https:\/\/ URL/);
    expect(() => parseConfig({ audit: { personalData: true } })).toThrow(/audit.personalData: needs audit.operatorKey/);
    expect(() => parseConfig({ health: { host: '0.0.0.0' } })).toThrow(/health.host: must be a loopback address/);
    expect(() => parseConfig({ audit: { retentionDays: 0 } })).toThrow(/audit.retentionDays: must be an integer from 1 to 3650/);
    expect(() => parseConfig({ device: { keyfile: 'x' } })).toThrow(/device.keyfile: unknown setting/);
    expect(parseConfig({ health: { host: '0.0.0.0', allowRemote: true } }).health.host).toBe('0.0.0.0');
    const c = parseConfig({ site: 'tokyo-01', operator: 'acme', audit: { db: '/var/lib/idkiosk/audit.db' } });
    expect(c).toMatchObject({ site: 'tokyo-01', operator: 'acme', audit: { db: '/var/lib/idkiosk/audit.db', personalData: false, retentionDays: 400 } });
  });
});
