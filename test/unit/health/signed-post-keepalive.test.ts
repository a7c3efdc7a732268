// The kiosk's signed posts (heartbeat, audit outbox) keep their TLS connection open between posts, and a
// kept connection the server dropped is replaced without the caller seeing an error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { closeConnections, postSigned, type PostTarget } from '../../../daemon/device/signed-post.ts';
import { makeCaCertificate, makeServerCertificate } from '../../../fleet/ca/authority.ts';
import { FileCaSigner } from '../../../fleet/ca/signer.ts';

let dir = '';
let server: Server;
let caPem = '';
let connections = 0;
const doomed = new Set<TLSSocket>();
const seen: { socket: TLSSocket; seq: number }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signed-post-'));
  const now = new Date();
  const keyFile = join(dir, 'ca.key');
  caPem = await makeCaCertificate(FileCaSigner.generate(keyFile), 'test CA', now, 1);
  writeFileSync(join(dir, 'ca.pem'), caPem);
  const tls = await makeServerCertificate(FileCaSigner.load(keyFile, join(dir, 'ca.pem')), ['127.0.0.1'], now, 1);
  server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAliveTimeout: 120_000 }, (req, res) => {
    const socket = req.socket as TLSSocket;
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen.push({ socket, seq: (JSON.parse(body) as { seq: number }).seq });
      // A connection the server has given up on: the request dies without an answer.
      if (doomed.has(socket)) return socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('postSigned over a kept-alive connection', () => {
  it('sends consecutive posts over one TLS connection, and replaces a dropped one transparently', async () => {
    const target: PostTarget = { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/heartbeat`, ca: caPem };
    const key = DeviceKey.ephemeral();
    for (let seq = 1; seq <= 3; seq++) expect((await postSigned(target, key, { seq })).status).toBe(200);
    expect(connections).toBe(1);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);

    // The server drops the kept connection under the next request: the kiosk sends it again on a new one.
    doomed.add(seen[0]!.socket);
    const r = await postSigned(target, key, { seq: 4 });
    expect(r.status).toBe(200);
    expect(connections).toBe(2);
    expect(seen.filter((s) => s.seq === 4).map((s) => doomed.has(s.socket))).toEqual([true, false]);

    closeConnections(target);
    expect((await postSigned(target, key, { seq: 5 })).status).toBe(200);
    expect(connections).toBe(3);
    closeConnections(target);
  });
});
