// sd_notify for a Node daemon. Node core has no AF_UNIX datagram sockets, so the datagrams go through
// node-unix-socket (napi-rs, prebuilt for arm64/armhf/x64: nothing to compile on the Pi). Everything
// soft-fails: without $NOTIFY_SOCKET (not under systemd, tests, CLI) or without the native module, the
// notifier is a no-op that says why.
import { createRequire } from 'node:module';

interface DgramLike {
  sendTo(buf: Buffer, offset: number, length: number, destPath: string, cb?: (err: Error | undefined) => void): void;
  close(): void;
  on(event: 'error', l: (e: Error) => void): unknown;
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

function loadDgram(): (new () => DgramLike) | string {
  try {
    const req = createRequire(import.meta.url);
    return (req('node-unix-socket') as { DgramSocket: new () => DgramLike }).DgramSocket;
  } catch (e) {
    return `node-unix-socket not loadable (${(e as Error).message.split('\n')[0]})`;
  }
}

/** null when the native datagram module loads on this machine; otherwise why not (selftest reports it). */
export function sdNotifyUnavailable(): string | null {
  const d = loadDgram();
  return typeof d === 'string' ? d : null;
}

/** `@name` is an abstract socket: the kernel name starts with a NUL byte. */
export function socketPath(raw: string): string {
  return raw.startsWith('@') ? `\0${raw.slice(1)}` : raw;
}

export function watchdogIntervalMs(env: Env, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null; // meant for another process
  return Math.floor(usec / 1000);
}

export function createNotifier(env: Env = process.env, log: (line: string) => void = () => {}): Notifier {
  const raw = env.NOTIFY_SOCKET;
  const Dgram = raw ? loadDgram() : 'NOTIFY_SOCKET is not set (not running under systemd Type=notify)';
  const disabledReason = typeof Dgram === 'string' ? Dgram : null;
  let sock: DgramLike | null = null;
  if (typeof Dgram !== 'string') {
    sock = new Dgram();
    sock.on('error', (e) => log(`sd_notify socket error: ${e.message}`));
  }
  const path = raw ? socketPath(raw) : '';
  const send = (state: string): Promise<void> =>
    new Promise((resolve) => {
      if (!sock) return resolve();
      const buf = Buffer.from(state);
      try {
        sock.sendTo(buf, 0, buf.length, path, (err) => {
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
