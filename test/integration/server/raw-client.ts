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
