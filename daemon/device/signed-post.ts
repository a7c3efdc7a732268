// One signed JSON POST over HTTPS (audit outbox, fleet heartbeat). The body is signed with the device
// key (ES256 over the exact bytes sent); when the device holds a fleet certificate it is presented as the
// TLS client certificate as well.
//
// The connection is kept open between posts (one keep-alive agent per target): a heartbeat every 60 s
// then costs the collector one request instead of a TLS handshake (measured on the collector: a beat on a
// kept-alive connection takes less than half the CPU of one on a new connection, even with the TLS session
// resumed). The idle connection is dropped by the kiosk after KEEP_ALIVE_IDLE_MS, which outlasts the beat
// interval; Node's agent also closes it earlier when the server announces a shorter `Keep-Alive: timeout`,
// so the server never closes a connection the kiosk is about to use — and if a kept connection dies anyway
// (collector restarted, load balancer), the post is sent once more on a new one.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { DeviceKey } from './device-key.ts';

export interface PostTarget {
  url: string;
  /** Extra CA bundle (PEM) the server's certificate chains to. */
  ca?: string | Buffer;
  /** Client certificate + key for mutual TLS (the fleet certificate from enrolment). */
  clientCert?: { cert: string | Buffer; key: string | Buffer };
  timeoutMs?: number;
}

export interface PostResult {
  status: number;
  body: string;
}

export function readOptional(file: string | null): Buffer | undefined {
  return file ? readFileSync(file) : undefined;
}

export const SIGNATURE_HEADER = 'x-idkiosk-signature';
export const KEY_HEADER = 'x-idkiosk-key';

/** How long the kiosk keeps an idle connection: above the 60 s heartbeat interval, below the collector's 120 s. */
export const KEEP_ALIVE_IDLE_MS = 90_000;

// One agent per target object (the heartbeat and the outbox each hold theirs for the daemon's life).
const agents = new WeakMap<PostTarget, Agent>();
function agentFor(target: PostTarget): Agent {
  let a = agents.get(target);
  if (!a) {
    a = new Agent({ keepAlive: true, maxSockets: 2, maxFreeSockets: 1, timeout: KEEP_ALIVE_IDLE_MS });
    agents.set(target, a);
  }
  return a;
}

/** Closes the target's kept-alive connection (the daemon stops, or the certificate changed). */
export function closeConnections(target: PostTarget): void {
  agents.get(target)?.destroy();
  agents.delete(target);
}

/** The kept-alive connection died under a request before any answer (the server had closed it). */
const staleConnection = (e: unknown) => ['ECONNRESET', 'EPIPE'].includes((e as NodeJS.ErrnoException).code ?? '');

export async function postSigned(target: PostTarget, key: DeviceKey, payload: unknown): Promise<PostResult> {
  const body = Buffer.from(JSON.stringify(payload));
  const url = new URL(target.url);
  if (url.protocol !== 'https:') throw new Error('only https:// endpoints are allowed');
  const signature = key.sign(body).toString('base64url');
  try {
    return await postOnce(target, url, body, signature, key.fingerprint);
  } catch (e) {
    const err = e as Error & { reusedSocket?: boolean };
    if (!err.reusedSocket || !staleConnection(e)) throw e;
    return postOnce(target, url, body, signature, key.fingerprint);
  }
}

function postOnce(target: PostTarget, url: URL, body: Buffer, signature: string, fingerprint: string): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: agentFor(target),
        ca: target.ca,
        cert: target.clientCert?.cert,
        key: target.clientCert?.key,
        timeout: target.timeoutMs ?? 15_000,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          [SIGNATURE_HEADER]: signature,
          [KEY_HEADER]: fingerprint,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 1 << 20) chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}
