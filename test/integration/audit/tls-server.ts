// A local HTTPS endpoint on 127.0.0.1 with a throw-away certificate (openssl), standing in for the
// operator's audit endpoint and the fleet heartbeat collector in tests.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedP256 } from '../../harness/openssl.ts';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  certFile: string;
}

export function selfSigned(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  selfSignedP256({ keyout: keyFile, out: certFile, subj: '/CN=127.0.0.1', days: 2, extra: ['-addext', 'subjectAltName=IP:127.0.0.1'] });
  return { cert: readFileSync(certFile), key: readFileSync(keyFile), certFile };
}

export type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

export async function startHttps(
  tls: TlsMaterial,
  handler: Handler,
  port = 0,
): Promise<{ server: Server; url: string; port: number; close: () => Promise<void> }> {
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const p = (server.address() as AddressInfo).port;
  return {
    server,
    url: `https://127.0.0.1:${p}`,
    port: p,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
