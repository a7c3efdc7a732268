// sd_notify for a Node daemon. Node core has no AF_UNIX datagram sockets, so the datagrams go through
// unix-dgram (a small node-gyp addon kept by a Node.js core maintainer; no external library, so
// scripts/package.sh cross-compiles it for arm64 like better-sqlite3 — the napi-rs module used before
// had no arm64 binary on the registry, and a Pi package could never reach READY). Everything soft-fails:
// without $NOTIFY_SOCKET (not under systemd, tests, CLI) or without the native module, the notifier is a
// no-op that says why. Abstract socket names (@…) are refused with a reason: unix-dgram copies the path
// as a C string, and systemd itself hands services a path (/run/systemd/notify).
import { createRequire } from 'node:module';

interface DgramLike {
  send(buf: Buffer, offset: number, length: number, destPath: string, cb?: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', l: (e: Error) => void): unknown;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram'): DgramLike;
}

export interface Notifier {
  /** null when active; otherwise why notifications are off. */
  readonly disabledReason: string | null;
  send(state: string): Promise<void>;
  ready(status?: string): Promise<void>;
  status(text: string): Promise<void>;
  watchdog(): Promise<void>;
  stopping(): Promise<void>;
  /** Watchdog interval systemd expects (µs → ms), when WatchdogSec= is set for this process. */
  watchdogMs(): number | null;
  close(): void;
}

type Env = Record<string, string | undefined>;

function loadDgram(): UnixDgram | string {
  try {
    return createRequire(import.meta.url)('unix-dgram') as UnixDgram;
  } catch (e) {
    return `unix-dgram not loadable (${(e as Error).message.split('\n')[0]})`;
  }
}

/** null when the native datagram module loads on this machine; otherwise why not (selftest reports it). */
export function sdNotifyUnavailable(): string | null {
  const d = loadDgram();
  return typeof d === 'string' ? d : null;
}

/** Why NOTIFY_SOCKET cannot be used, or null: only absolute filesystem paths (what systemd hands out). */
export function unusableSocket(raw: string): string | null {
  if (raw.startsWith('@')) return `NOTIFY_SOCKET ${raw} is an abstract socket name, which unix-dgram cannot address`;
  if (!raw.startsWith('/')) return `NOTIFY_SOCKET ${raw} is not an absolute path`;
  if (Buffer.byteLength(raw) > 107) return 'NOTIFY_SOCKET is longer than a unix socket path may be (107 bytes)';
  return null;
}

export function watchdogIntervalMs(env: Env, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null; // meant for another process
  return Math.floor(usec / 1000);
}

export function createNotifier(env: Env = process.env, log: (line: string) => void = () => {}): Notifier {
  const path = env.NOTIFY_SOCKET ?? '';
  const dgram = !path ? 'NOTIFY_SOCKET is not set (not running under systemd Type=notify)' : (unusableSocket(path) ?? loadDgram());
  const disabledReason = typeof dgram === 'string' ? dgram : null;
  let sock: DgramLike | null = null;
  if (typeof dgram !== 'string') {
    sock = dgram.createSocket('unix_dgram');
    sock.on('error', (e) => log(`sd_notify socket error: ${e.message}`));
  }
  const send = (state: string): Promise<void> =>
    new Promise((resolve) => {
      if (!sock) return resolve();
      const buf = Buffer.from(state);
      try {
        sock.send(buf, 0, buf.length, path, (err) => {
          if (err) log(`sd_notify ${state.split('=')[0]} failed: ${err.message}`);
          resolve();
        });
      } catch (e) {
        log(`sd_notify ${state.split('=')[0]} failed: ${(e as Error).message}`);
        resolve();
      }
    });
  return {
    disabledReason,
    send,
    ready: (status) => send(status ? `READY=1\nSTATUS=${status}` : 'READY=1'),
    status: (text) => send(`STATUS=${text.replace(/\n/g, ' ')}`),
    watchdog: () => send('WATCHDOG=1'),
    stopping: () => send('STOPPING=1'),
    watchdogMs: () => watchdogIntervalMs(env),
    close: () => {
      sock?.close();
      sock = null;
    },
  };
}
