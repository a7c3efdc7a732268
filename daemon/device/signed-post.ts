// One signed JSON POST over HTTPS (audit outbox, fleet heartbeat). The body is signed with the device
// key (ES256 over the exact bytes sent); when the device holds a fleet certificate it is presented as the
// TLS client certificate as well.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
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

export function postSigned(target: PostTarget, key: DeviceKey, payload: unknown): Promise<PostResult> {
  const body = Buffer.from(JSON.stringify(payload));
  const url = new URL(target.url);
  if (url.protocol !== 'https:') return Promise.reject(new Error('only https:// endpoints are allowed'));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: target.ca,
        cert: target.clientCert?.cert,
        key: target.clientCert?.key,
        timeout: target.timeoutMs ?? 15_000,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          [SIGNATURE_HEADER]: key.sign(body).toString('base64url'),
          [KEY_HEADER]: key.fingerprint,
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
    req.on('error', reject);
    req.end(body);
  });
}
