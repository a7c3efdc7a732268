// The service manager's side of sd_notify for tests and benchmarks: an AF_UNIX datagram socket bound at a
// path, as systemd binds /run/systemd/notify, receiving what the daemon sends to $NOTIFY_SOCKET. Uses the
// same unix-dgram addon as the daemon only for the socket itself; the messages are checked as text.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Listening {
  bind(path: string): void;
  close(): void;
  on(event: 'error', l: (e: Error) => void): unknown;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram', onMessage: (buf: Buffer) => void): Listening;
}

export interface NotifyListener {
  readonly path: string;
  close(): void;
}

/** Bind a datagram socket at `path` (replacing a stale one) and hand every datagram to `onMessage`. */
export function listenNotify(path: string, onMessage: (msg: string, at: number) => void): NotifyListener {
  const unix = createRequire(import.meta.url)('unix-dgram') as UnixDgram;
  rmSync(path, { force: true });
  const sock = unix.createSocket('unix_dgram', (buf) => onMessage(buf.toString(), performance.now()));
  sock.on('error', (e) => {
    throw e;
  });
  sock.bind(path);
  return { path, close: () => sock.close() };
}
