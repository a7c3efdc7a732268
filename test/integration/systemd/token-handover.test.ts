// The screen token is a secret (issue 18): it must never be in a log line (the daemon's stdout is the
// journal under systemd) nor on any process's command line (every local user reads those through ps and
// /proc/PID/cmdline). Checked on the real daemon with server.tokenFile, and on the real kiosk launcher
// (systemd/idkiosk-browser.sh) starting the real Chromium, headless, against a local HTTP server that
// records what the browser asks for.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
});

/** Every process's command line, as any local user could read it. */
function allCommandLines(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
const waitFor = async (pred: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return pred();
};

const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const c of children.splice(0))
    if (c.pid && c.exitCode === null)
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('the screen token stays out of logs and command lines', () => {
  it('the daemon with server.tokenFile: the token file is written, the token is in no output line and no argv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-token-'));
    const tokenFile = join(dir, 'run', 'ui-token');
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    const cfg = join(dir, 'config.json');
    writeFileSync(
      cfg,
      JSON.stringify({ kioskId: 'kiosk-token', server: { port: 0, tokenFile }, audit: { db: join(dir, 'audit.db') }, health: { port: 0, diskPath: dir } }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'daemon/cli/main.ts'), 'daemon', '--simulated', '--config', cfg], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    expect(await waitFor(() => /kiosk screen: /.test(out) && /^idkiosk \S+ running/m.test(out), 30_000)).toBe(true);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    // the log says where the screen is and where its token is, not the token
    expect(out).toMatch(new RegExp(`kiosk screen: http://127\\.0\\.0\\.1:\\d+/ \\(token in ${tokenFile.replaceAll('/', '\\/')}\\)`));
    expect(out).not.toContain(token);
    expect(allCommandLines().filter((l) => l.includes(token))).toEqual([]);
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, 10_000);
    expect(out).not.toContain(token);
  }, 60_000);

  // refused: the screen server's first connections are dropped, as while the daemon restarts; the launcher
  // page must keep probing instead of leaving Chromium on its "refused to connect" page
  for (const refused of [0, 3])
    it.skipIf(!chromium)(
      `idkiosk-browser.sh: Chromium reaches the tokenised screen URL (${refused} connections dropped first), the token in no argv, the launcher page 0600`,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'idkiosk-browser-'));
        const bin = join(dir, 'bin');
        const cred = join(dir, 'cred');
        const runtime = join(dir, 'runtime');
        for (const d of [bin, cred, runtime]) mkdirSync(d, { mode: 0o700 });
        const token = 'Tk_' + 'x9-Q'.repeat(10);
        writeFileSync(join(cred, 'ui-token'), `${token}\n`, { mode: 0o400 });
        // cage stand-in: runs its client (Chromium) headless instead of on a Wayland output
        writeFileSync(
          join(bin, 'cage'),
          '#!/bin/sh\nwhile [ "$1" != -- ]; do shift; done; shift\nexec "$@" --headless=new --no-sandbox --disable-gpu --ozone-platform=headless\n',
          { mode: 0o755 },
        );
        writeFileSync(join(bin, 'chromium'), `#!/bin/sh\nexec ${chromium} "$@"\n`, { mode: 0o755 });

        const seen: string[] = [];
        const server = createServer((req, res) => {
          seen.push(req.url ?? '');
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>screen</title>');
        });
        let dropped = 0;
        server.prependListener('connection', (sock) => {
          if (dropped < refused) {
            dropped++;
            sock.destroy();
          }
        });
        servers.push(server);
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
        const port = (server.address() as AddressInfo).port;

        const child = spawn(join(ROOT, 'systemd/idkiosk-browser.sh'), [], {
          env: {
            PATH: `${bin}:/usr/bin:/bin`,
            HOME: dir,
            CREDENTIALS_DIRECTORY: cred,
            RUNTIME_DIRECTORY: runtime,
            IDKIOSK_UI_URL: `http://127.0.0.1:${port}/`,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        children.push(child);
        let log = '';
        child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
        child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
        const lines: string[] = [];
        const ok = await waitFor(() => {
          lines.push(...allCommandLines().filter((l) => l.includes('idkiosk-browser') || l.includes(runtime)));
          return seen.some((u) => u === `/?token=${token}`);
        }, 40_000);
        expect(ok, `requests: ${JSON.stringify(seen)}\n${log.slice(-2000)}`).toBe(true);
        expect(dropped).toBe(refused);
        // the probe carries no token; the token goes only to the navigation
        expect(seen.filter((u) => u.includes('token')).every((u) => u === `/?token=${token}`)).toBe(true);
        lines.push(...allCommandLines());
        // Chromium ran (its command line names the launcher page), and no command line carried the token
        expect(lines.some((l) => l.includes(`file://${runtime}/launch.html`))).toBe(true);
        expect(lines.filter((l) => l.includes(token))).toEqual([]);
        expect(log).not.toContain(token);
        expect(statSync(join(runtime, 'launch.html')).mode & 0o777).toBe(0o600);
      },
      60_000,
    );
});
