// Raw TCP/HTTP helpers for the listener tests: bytes exactly as written (no client library that would
// normalise a request-target or refuse a malformed frame).
import { connect, type Socket } from 'node:net';

/** Sends `text` on a fresh connection; resolves with everything the server answered until it closed (or `ms`). */
export function rawExchange(port: number, text: string | Buffer, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => s.write(text));
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, ms);
    s.on('data', (c) => chunks.push(c));
    s.on('end', done);
    s.on('error', done);
    s.on('close', done);
  });
}

/** Status code of the first response line, or 0 when there was none. */
export const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

/** GET `target` with `host` as Host header; the status code. */
export async function rawGet(port: number, target: string, host = `127.0.0.1:${port}`, extra = ''): Promise<number> {
  return statusOf(await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`));
}

/** Opens a TCP connection and resolves once connected (the caller closes it). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

export interface RawFrame {
  fin?: boolean;
  /** RSV1..3 as bits 0x4, 0x2, 0x1. */
  rsv?: number;
  opcode: number;
  payload: Buffer;
  /** Client frames must be masked (RFC 6455 §5.1); false sends an unmasked one. */
  masked?: boolean;
  /** Length written in the header when it should lie about the payload (oversized frames). */
  declaredLength?: number;
}

/** Encodes one WebSocket frame as RFC 6455 §5.2 lays it out, including the malformed variants above. */
export function encodeFrame(f: RawFrame): Buffer {
  const len = f.declaredLength ?? f.payload.length;
  const masked = f.masked ?? true;
  const head: number[] = [(f.fin === false ? 0 : 0x80) | ((f.rsv ?? 0) << 4) | f.opcode];
  if (len < 126) head.push((masked ? 0x80 : 0) | len);
  else if (len < 0x10000) head.push((masked ? 0x80 : 0) | 126, len >> 8, len & 0xff);
  else {
    head.push((masked ? 0x80 : 0) | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(...b);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), f.payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(f.payload.map((x, i) => x ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, body]);
}

export interface RawWs {
  socket: Socket;
  /** Everything received after the 101 response. */
  received(): Buffer;
  closed: Promise<void>;
}

/** Opens the screen's WebSocket by hand (RFC 6455 §4.1 handshake) so the test can write any bytes. */
export function rawWebSocket(port: number, path: string): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let open = false;
    let after = Buffer.alloc(0);
    const closed = new Promise<void>((r) =>
      s.on('close', () => {
        if (!open) reject(new Error('closed before the handshake completed'));
        r();
      }),
    );
    s.on('error', () => {});
    s.on('connect', () =>
      s.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    s.on('data', (c: Buffer) => {
      if (open) {
        after = Buffer.concat([after, c]);
        return;
      }
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!buf.subarray(0, end).toString('latin1').startsWith('HTTP/1.1 101')) {
        s.destroy();
        reject(new Error(`handshake refused: ${buf.subarray(0, end).toString('latin1').split('\r\n')[0]}`));
        return;
      }
      open = true;
      after = buf.subarray(end + 4);
      resolve({ socket: s, received: () => after, closed });
    });
  });
}

/** Decodes the unmasked server frames in `buf` (text payloads as strings; close frames as {close: code}). */
export function decodeServerFrames(buf: Buffer): (string | { close: number })[] {
  const out: (string | { close: number })[] = [];
  let i = 0;
  while (i + 2 <= buf.length) {
    const op = buf[i]! & 0x0f;
    let len = buf[i + 1]! & 0x7f;
    let p = i + 2;
    if (len === 126) {
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    if (p + len > buf.length) break;
    const payload = buf.subarray(p, p + len);
    if (op === 1) out.push(payload.toString('utf8'));
    else if (op === 8) out.push({ close: payload.length >= 2 ? payload.readUInt16BE(0) : 1005 });
    i = p + len;
  }
  return out;
}
