// The sd_notify protocol as systemd would see it: the real `idkiosk daemon` (as idkiosk.service starts it)
// against a fake NOTIFY_SOCKET — an AF_UNIX datagram socket bound by this test at a path, as systemd binds
// /run/systemd/notify; an abstract name (@…) leaves notifications off with a reason in the log. READY=1 comes once, after start-up; WATCHDOG=1 at ≤ half of WATCHDOG_USEC;
// STOPPING=1 on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenNotify } from '../../harness/notify-socket.ts';

const ROOT = join(import.meta.dirname, '../../..');

/** `idkiosk daemon --simulated` as idkiosk.service starts it, with `env` added; its output collected. */
function spawnDaemon(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-notify-'));
  const cfg = join(dir, 'config.json');
  writeFileSync(
    cfg,
    JSON.stringify({ kioskId: 'kiosk-notify', server: { port: 0 }, audit: { db: join(dir, 'audit.db') }, health: { port: 0, diskPath: dir } }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'daemon/cli/main.ts'), 'daemon', '--simulated', '--config', cfg], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

async function runDaemon(notifySocket: string) {
  const got: { t: number; msg: string }[] = [];
  const sock = listenNotify(notifySocket, (msg) => got.push({ t: Date.now(), msg }));
  const t0 = Date.now();
  const { child, output } = spawnDaemon({ NOTIFY_SOCKET: notifySocket, WATCHDOG_USEC: '400000' });
  const waitFor = async (pred: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return pred();
  };
  try {
    expect(await waitFor(() => got.some((g) => g.msg.startsWith('READY=1')), 15_000)).toBe(true);
    const readyAt = got.find((g) => g.msg.startsWith('READY=1'))!.t;
    // READY comes after the listeners and drivers started (their log lines) and before the CLI's banner
    expect(output()).toMatch(/reader service available[\s\S]*health: http/);
    expect(await waitFor(() => /running/.test(output()), 3000)).toBe(true);
    expect(await waitFor(() => got.filter((g) => g.msg === 'WATCHDOG=1').length >= 4, 5000)).toBe(true);
    const pings = got.filter((g) => g.msg === 'WATCHDOG=1').map((g) => g.t);
    const gaps = pings.slice(1).map((t, i) => t - pings[i]!);
    expect(Math.max(...gaps)).toBeLessThan(400); // inside WATCHDOG_USEC
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(got.at(-1)?.msg).toBe('STOPPING=1');
    expect(got.filter((g) => g.msg.startsWith('READY=1'))).toHaveLength(1);
    return { startupMs: readyAt - t0 };
  } finally {
    child.kill('SIGKILL');
    sock.close();
  }
}

describe('sd_notify against a fake NOTIFY_SOCKET', () => {
  it('path socket: READY once up, watchdog pings, STOPPING on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-sock-'));
    const path = join(dir, 'notify');
    const r = await runDaemon(path);
    console.log(`daemon start to READY=1: ${r.startupMs} ms`);
  }, 40_000);

  it('abstract socket (@name): the daemon runs and says why it cannot notify', async () => {
    const { child, output } = spawnDaemon({ NOTIFY_SOCKET: '@idkiosk-test-abstract' });
    try {
      const end = Date.now() + 15_000;
      while (!/running/.test(output()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(output()).toMatch(/abstract socket name/);
      expect(output()).toMatch(/running/);
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);
});
