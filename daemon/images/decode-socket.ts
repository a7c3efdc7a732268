// Image decoding through the systemd-activated decoder (systemd/idkiosk-decode.socket → one
// idkiosk-decode@.service instance per connection, running systemd/idkiosk-decode.sh). Why a separate unit:
// idkiosk.service forbids namespaces (RestrictNamespaces=yes) and mount calls, so bubblewrap cannot run
// inside it, and allowing them would weaken the daemon itself (its exposure score would pass the bar of
// issue 18). The decoder unit gets its sandbox from systemd instead: a throw-away user, no network, no
// /etc/idkiosk, memory and time limits. The daemon only needs AF_UNIX, which it already has.
//
// Protocol: "<format>\n" then the image bytes, then our write side is shut; the answer is the PNM until
// the decoder closes the connection (nothing at all when it could not decode).
import { createConnection } from 'node:net';

/** Where idkiosk-decode.socket listens (only the daemon's user may connect: SocketMode=0600). */
export const DECODE_SOCKET = '/run/idkiosk-decode.sock';

export type SocketFormat = 'tiff' | 'jp2' | 'j2k';

export type SocketDecodeResult = { ok: true; pnm: Buffer } | { ok: false; reason: 'sandbox-unavailable' | 'decode-failed' | 'timeout' };

export function decodeViaSocket(path: string, format: SocketFormat, data: Buffer, timeoutMs: number, maxOut: number): Promise<SocketDecodeResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (r: SocketDecodeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const sock = createConnection({ path });
    const timer = setTimeout(() => done({ ok: false, reason: 'timeout' }), timeoutMs);
    sock.on('connect', () => {
      sock.write(`${format}\n`);
      sock.end(data);
    });
    sock.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxOut) return done({ ok: false, reason: 'decode-failed' });
      chunks.push(c);
    });
    sock.on('end', () => done({ ok: true, pnm: Buffer.concat(chunks) }));
    // No listener (the socket unit is not installed or not running): nothing is decoded, nothing runs bare.
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const unreachable = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES';
      done({ ok: false, reason: unreachable && size === 0 ? 'sandbox-unavailable' : 'decode-failed' });
    });
  });
}
