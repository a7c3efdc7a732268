// Starts a private pcscd with one vsmartcard-vpcd reader for a test file.
//
// pcscd 1.9.9 has its socket path compiled in (/run/pcscd/pcscd.comm) and ignores PCSCLITE_CSOCK_NAME,
// so each instance runs in its own mount namespace with a private directory bound on /run/pcscd; the
// client library *does* honour PCSCLITE_CSOCK_NAME, so the test process points at that directory.
// The vpcd port (CHANNELID) is unique per instance so test files can run in parallel.
//
// pcscd 2.x (Debian 13) asks polkit about every client; a test machine runs no polkitd (and no system bus),
// so there every client — root included — would find "no readers". This private instance serves only
// the test process, so it runs with polkit off where the option exists; the kiosk's own pcscd keeps it on
// (the package's polkit rule lets the idkiosk user in).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PcscdInstance {
  /** The pcscd socket path; already exported as PCSCLITE_CSOCK_NAME in this process. */
  socket: string;
  /** vpcd port for slot 0 (slot 1 is port + 1). */
  port: number;
  /** PC/SC name of slot 0's reader. */
  readerName: string;
  /** SIGKILL pcscd (as a crash would). */
  kill(): Promise<void>;
  /** Start pcscd again on the same socket and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function pickPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 40000 + 2 * Math.floor(Math.random() * 10000);
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error('no free port pair for vpcd');
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startPcscd(): Promise<PcscdInstance> {
  if (process.getuid?.() !== 0) {
    throw new Error('integration tests start their own pcscd and need root: run `npm run test:all` (uses sudo)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-pcscd-'));
  const conf = join(dir, 'reader.conf.d');
  const run = join(dir, 'run');
  mkdirSync(conf);
  mkdirSync(run);
  mkdirSync('/run/pcscd', { recursive: true });
  const port = await pickPort();
  writeFileSync(
    join(conf, 'vpcd'),
    `FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:${port}\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID ${port}\n`,
  );
  const socket = join(run, 'pcscd.comm');
  process.env.PCSCLITE_CSOCK_NAME = socket;

  const help = spawnSync('pcscd', ['--help'], { encoding: 'utf8' });
  const polkitOff = `${help.stdout}${help.stderr}`.includes('--disable-polkit') ? ' --disable-polkit' : '';

  let child: ChildProcess | null = null;
  const launch = async () => {
    rmSync(socket, { force: true });
    child = spawn(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind "${run}" /run/pcscd && exec pcscd -f${polkitOff} -c "${conf}"`],
      {
        stdio: ['ignore', 'ignore', process.env.IDKIOSK_PCSCD_LOG ? 'inherit' : 'ignore'],
      },
    );
    await waitFor(() => existsSync(socket), 5000, 'pcscd socket');
    // vpcd opens its listening socket while pcscd loads the reader; give it a moment.
    await waitFor(async () => !(await portFree(port)), 5000, 'vpcd listening');
  };
  const kill = async () => {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    socket,
    port,
    readerName: 'Virtual PCD 00 00',
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `opensc-tool -r SLOT -a` until the reader shows the card with `atr` (present) or shows no card.
 * pcscd polls vpcd, so a card a client has just inserted or pulled appears there only a poll later.
 * Asynchronous on purpose: a card served from this process's event loop must keep answering meanwhile.
 */
export async function waitForCard(slot: number, o: { present: true; atr: string } | { present: false }, ms = 8000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile('opensc-tool', ['-r', String(slot), '-a'], { encoding: 'utf8', timeout: 5000, env: process.env }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
      ),
    );
    last = r.out;
    if (o.present ? r.code === 0 && last.toLowerCase().includes(o.atr.toLowerCase()) : r.code !== 0 && /not present|no card/i.test(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`card ${o.present ? 'never appeared' : 'never went away'} in slot ${slot}: ${last}`);
}
