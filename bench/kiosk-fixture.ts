// What the start-up and idle benchmarks run: the production bundle, a production-like kiosk configuration
// (a trust anchor, a CRL store with a CRL in force, an audit trail, the health listener), and helpers to
// start a process and wait — by polling with a deadline — until an HTTP endpoint answers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { buildProduct, BUNDLE as BUILT_BUNDLE } from '../scripts/build.ts';
import { makeCa, writeCaAndCrl } from '../test/harness/crl-fixtures.ts';
import { freePort } from '../test/harness/net.ts';
import { listenNotify } from '../test/harness/notify-socket.ts';

// one free-port helper for the tests and the benches (test/harness)
export { freePort };

/**
 * The bundle the commands run: this checkout's dist/idkiosk.mjs, or IDKIOSK_BENCH_BUNDLE — an installed
 * package's (scripts/bench-arm64.sh runs the benchmarks against the arm64 package in an emulated root).
 */
export const BUNDLE: string = process.env.IDKIOSK_BENCH_BUNDLE || BUILT_BUNDLE;

/**
 * BENCH_SLOWDOWN=N multiplies every deadline and settling wait (scripts/bench-arm64.sh: under qemu-user a
 * daemon start takes minutes on a loaded machine). Nothing measured depends on it; default 1.
 */
export const SLOWDOWN: number = Math.max(1, Number(process.env.BENCH_SLOWDOWN) || 1);

/** Build the bundle once per benchmark run (so the figures are for the sources as they are now); an installed one is taken as it is. */
let built: Promise<unknown> | null = null;
export function ensureBundle(): Promise<unknown> {
  built ??= process.env.IDKIOSK_BENCH_BUNDLE ? Promise.resolve() : buildProduct();
  return built;
}

/** One GET; resolves with the status code, or null when nothing answered. */
function get(port: number, path: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? null));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(null));
    req.end();
  });
}

/**
 * Poll GET http://127.0.0.1:port/path every `everyMs` until it answers (any status: /healthz says 503 when
 * a check fails, and it has answered all the same); throws at the deadline or if the process exits.
 */
export async function waitHttp(port: number, path: string, child: ChildProcess, deadlineMs = 60_000 * SLOWDOWN, everyMs = 2): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${path} answered`);
    if ((await get(port, path)) !== null) return;
    if (Date.now() > end) throw new Error(`${path} on port ${port} did not answer within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** user + system CPU of a live process so far, in ms (from /proc/PID/stat; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  return (ticks * 1000) / clockTicks();
}

let hz = 0;
function clockTicks(): number {
  if (!hz) hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return hz;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000 * SLOWDOWN);
  await exited;
  clearTimeout(t);
}

export interface KioskFixture {
  dir: string;
  config: string;
  caPem: string;
  crlDb: string;
  /** a serial listed in the CRL in force (hex) */
  revokedSerial: string;
  healthPort: number;
}

/**
 * A production-like configuration in `dir`: jpkiAuth anchor, CRL store (imported by the bundle's own
 * `crl import`), audit trail, health listener on a free port, screen on any port, simulated hardware
 * (the daemon is started with --simulated).
 */
export async function kioskFixture(dir: string): Promise<KioskFixture> {
  await ensureBundle();
  const ca = makeCa({ cn: 'Bench JPKI-TEST CA' });
  const entries = Array.from({ length: 1000 }, (_, i) => ({ serial: 0x10000n + BigInt(i) }));
  const { caPem, crl } = writeCaAndCrl(dir, ca, { crlNumber: 1, entries, validForMs: 7 * 86400_000 });
  const crlDb = join(dir, 'crl');
  const imp = spawnSync(process.execPath, [BUNDLE, 'crl', 'import', crl, '--issuer', caPem, '--db', crlDb, '--json'], { encoding: 'utf8' });
  if (imp.status !== 0) throw new Error(`crl import failed: ${imp.stderr}`);
  const healthPort = await freePort();
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      kioskId: 'bench-kiosk',
      server: { host: '127.0.0.1', port: 0 },
      trust: { jpkiAuth: [caPem] },
      revocation: { crlDb },
      audit: { db: join(dir, 'audit.db') },
      health: { host: '127.0.0.1', port: healthPort, diskPath: dir },
    }),
  );
  return { dir, config, caPem, crlDb, revokedSerial: '010000', healthPort };
}

/**
 * A systemd-style notification socket (test/harness/notify-socket.ts): the daemon started with
 * NOTIFY_SOCKET pointing here sends READY=1, WATCHDOG=1 … as under systemd Type=notify.
 */
export function notifySocket(
  path: string,
  pid?: () => number | undefined,
): { path: string; firstReadyAt(): number | null; cpuAtReadyMs(): number | null; close(): void } {
  let readyAt: number | null = null;
  let cpuAtReady: number | null = null;
  const sock = listenNotify(path, (msg, at) => {
    if (readyAt === null && /^READY=1$/m.test(msg)) {
      readyAt = at;
      // read as the datagram arrives: the daemon goes on loading what READY does not need right after it
      const p = pid?.();
      if (p) cpuAtReady = schedNs(p) / 1e6;
    }
  });
  return { path, firstReadyAt: () => readyAt, cpuAtReadyMs: () => cpuAtReady, close: () => sock.close() };
}

export interface StartedDaemon {
  child: ChildProcess;
  /** spawn → first answer on /healthz */
  healthzMs: number;
  /** spawn → READY=1 on the notification socket */
  readyMs: number;
  /** CPU of all its threads when READY=1 arrived (schedstat, ns resolution) */
  cpuAtReadyMs: number;
}

/**
 * Start the daemon from the bundle (this checkout's, or `bundle`: another build, for side-by-side runs) as the unit does (simulated hardware, NOTIFY_SOCKET, WatchdogSec=30);
 * resolves once /healthz answers and READY=1 arrived.
 */
export async function startDaemon(fx: KioskFixture, extra: string[] = [], bundle: string = BUNDLE): Promise<StartedDaemon> {
  let pid: number | undefined;
  const notify = notifySocket(join(fx.dir, 'notify.sock'), () => pid);
  const t0 = performance.now();
  const child = spawn(process.execPath, [bundle, 'daemon', '--simulated', '--config', fx.config, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '30000000' },
  });
  pid = child.pid;
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  try {
    await waitHttp(fx.healthPort, '/healthz', child);
    const healthzMs = performance.now() - t0;
    const end = Date.now() + 30_000 * SLOWDOWN;
    while (notify.firstReadyAt() === null) {
      if (Date.now() > end) throw new Error(`no READY=1 within ${30 * SLOWDOWN} s of /healthz answering`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return { child, healthzMs, readyMs: notify.firstReadyAt()! - t0, cpuAtReadyMs: notify.cpuAtReadyMs() ?? cpuMs(child.pid!) };
  } catch (e) {
    await stopChild(child);
    throw new Error(`${(e as Error).message}\n${err}`);
  } finally {
    notify.close();
  }
}

/** CPU the process's threads have run, in ns, from /proc/PID/task/TID/schedstat (exact, unlike clock ticks). */
export function schedNs(pid: number): number {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between readdir and read
    }
  }
  return ns;
}

/** Context switches of all threads (voluntary + involuntary): how often the process was scheduled. */
export function wakeups(pid: number): number {
  let n = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const st = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
      n += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(st)?.[1] ?? 0) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(st)?.[1] ?? 0);
    } catch {
      // thread gone
    }
  }
  return n;
}
