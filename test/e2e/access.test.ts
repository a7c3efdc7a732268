// Who may talk to the kiosk: the screen's WebSocket refuses a wrong or missing token, a foreign Origin
// and a foreign Host (DNS rebinding); the integration API refuses browser requests (Origin), foreign
// Hosts, addresses off the allow-list, and — with mutual TLS — clients without a certificate from the
// configured CA. Also: the per-boot token file is written 0600 and reused across daemon restarts.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKiosk, type Kiosk } from '../../daemon/app.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import { csrP256, selfSignedP256, signCsr } from '../harness/openssl.ts';

let kiosk: Kiosk;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-access-'));
  kiosk = await startKiosk({
    config: parseConfig({ server: { port: 0, tokenFile: join(dir, 'run', 'ui-token') }, api: { enabled: true, port: 0 } }),
    simulated: true,
  });
}, 30_000);
afterAll(async () => {
  await kiosk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the screen's WebSocket; resolves with the HTTP status of a refusal, or 101 when it opened. */
function wsStatus(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${kiosk.server.port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

describe('kiosk screen WebSocket', () => {
  it('needs the per-boot token, an allowed Origin and this server as Host', async () => {
    const good = `/ws?token=${kiosk.server.token}`;
    const origin = `http://127.0.0.1:${kiosk.server.port}`;
    expect(await wsStatus(good, { origin })).toBe(101);
    expect(await wsStatus('/ws', { origin })).toBe(403);
    expect(await wsStatus(`/ws?token=${kiosk.server.token.slice(0, -1)}x`, { origin })).toBe(403);
    expect(await wsStatus(good, { origin: 'http://evil.example' })).toBe(403);
    expect(await wsStatus(good, { origin: `http://127.0.0.1:${kiosk.server.port + 1}` })).toBe(403);
    expect(await wsStatus(good, { origin: 'null' })).toBe(403);
    expect(await wsStatus(good, { origin, host: `evil.example:${kiosk.server.port}` })).toBe(403);
  });

  it('an invalid frame is answered with an error and changes nothing; characters by value are refused', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${kiosk.server.port}/ws?token=${kiosk.server.token}`);
    const msgs: any[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ v: 2, type: 'key', key: '1' }));
    ws.send(JSON.stringify({ v: 1, type: 'cancel' }));
    ws.send('not json');
    await expect.poll(() => msgs.filter((m) => m.type === 'error').length).toBe(3);
    expect(msgs.filter((m) => m.type === 'error').map((m) => m.message)).toEqual(['bad key message', 'unsupported protocol version 1', 'not JSON']);
    expect(msgs[0]).toMatchObject({ v: 2, type: 'hello' });
    ws.close();
  });

  it('a daemon without --demo offers no demo controls: no session settings in hello, a switch is refused', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${kiosk.server.port}/ws?token=${kiosk.server.token}`);
    const msgs: any[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ v: 2, type: 'demo-session', mode: 'sign', policy: 'age-20' }));
    await expect.poll(() => msgs.filter((m) => m.type === 'error').length).toBe(1);
    expect(msgs.find((m) => m.type === 'error')).toMatchObject({ code: 'SERVER_UNAUTHORIZED' });
    expect(msgs[0]).toMatchObject({ type: 'hello', demo: false, demoCards: [], demoFaults: [], demoSession: null });
    // nothing changed: still the configured documents, and no second hello
    expect(msgs.filter((m) => m.type === 'hello')).toHaveLength(1);
    expect(msgs[0].documents).toEqual(['mynumber-jpki-auth', 'license', 'residence', 'passport']);
    ws.close();
  });

  it('the token file is mode 0600 and survives a daemon restart within the boot', async () => {
    const file = join(dir, 'run', 'ui-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(kiosk.server.token);
    const again = await startKiosk({ config: parseConfig({ server: { port: 0, tokenFile: file }, api: { enabled: false } }), simulated: true });
    try {
      expect(again.server.token).toBe(kiosk.server.token);
    } finally {
      await again.stop();
    }
  });
});

describe('integration API access', () => {
  it('refuses browser requests, foreign Hosts and wrong content types', async () => {
    const url = kiosk.api!.url;
    expect((await fetch(`${url}/v1/kiosk`)).status).toBe(200);
    expect((await fetch(`${url}/v1/kiosk`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    const post = (headers: Record<string, string>, body = '{"document":"mynumber-jpki-auth"}') =>
      fetch(`${url}/v1/verifications`, { method: 'POST', headers, body });
    expect((await post({ 'content-type': 'text/plain' })).status).toBe(415);
    const json = { 'content-type': 'application/json' };
    const rebinding = await new Promise<number>((resolve) => {
      const req = httpRequest(`${url}/v1/kiosk`, { headers: { host: 'evil.example' } }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(rebinding).toBe(421);
    // The API's own checks, through the same command path as the screen.
    const unknown = await post(json, '{"document":"library-card"}');
    expect([unknown.status, ((await unknown.json()) as any).error.code]).toEqual([422, 'DOCUMENT_NOT_ENABLED']);
    expect((await post(json, '{"document":"mynumber-jpki-auth","pin":"1234"}')).status).toBe(400);
    const first = await post(json);
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as any;
    expect(kiosk.runtime.getState().request).toEqual({ id, documents: ['mynumber-jpki-auth'] });
    const second = await post(json);
    expect([second.status, ((await second.json()) as any).error.code]).toEqual([409, 'SESSION_BUSY']);
    const del = await fetch(`${url}/v1/verifications/${id}`, { method: 'DELETE' });
    expect(await del.json()).toMatchObject({ id, status: 'ended', code: 'SESSION_CANCELLED' });
    expect(kiosk.runtime.getState().request).toBeNull();
  });

  it('refuses addresses off the allow-list', async () => {
    const k = await startKiosk({ config: parseConfig({ server: { port: 0 }, api: { enabled: true, port: 0, allow: ['10.1.2.0/24'] } }), simulated: true });
    try {
      const r = await fetch(`${k.api!.url}/v1/kiosk`);
      expect(r.status).toBe(403);
      expect(((await r.json()) as any).error.code).toBe('SERVER_UNAUTHORIZED');
    } finally {
      await k.stop();
    }
  });

  it('mutual TLS: no client certificate, or one from another CA, is refused; the right one is served', async () => {
    const ca = (name: string) => selfSignedP256({ keyout: `${name}.key`, out: `${name}.pem`, subj: `/CN=${name}`, days: 2, cwd: dir });
    const leaf = (name: string, caName: string) => {
      csrP256({ keyout: `${name}.key`, out: `${name}.csr`, subj: `/CN=${name}`, cwd: dir });
      signCsr({ csr: `${name}.csr`, ca: `${caName}.pem`, caKey: `${caName}.key`, out: `${name}.pem`, days: 2, extfile: `${name}.ext`, cwd: dir });
    };
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    writeFileSync(join(dir, 'rogue.ext'), 'extendedKeyUsage=clientAuth\n');
    ca('server-ca');
    ca('client-ca');
    ca('other-ca');
    leaf('server', 'server-ca');
    leaf('client', 'client-ca');
    leaf('rogue', 'other-ca');
    const f = (n: string) => join(dir, n);
    const k = await startKiosk({
      config: parseConfig({
        server: { port: 0 },
        api: { enabled: true, host: '127.0.0.1', port: 0, tls: { certFile: f('server.pem'), keyFile: f('server.key'), clientCaFile: f('client-ca.pem') } },
      }),
      simulated: true,
    });
    const get = (client: string | null) =>
      new Promise<number | string>((resolve) => {
        const req = httpsRequest(
          `${k.api!.url}/v1/kiosk`,
          { ca: readFileSync(f('server-ca.pem')), ...(client ? { cert: readFileSync(f(`${client}.pem`)), key: readFileSync(f(`${client}.key`)) } : {}) },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
        req.end();
      });
    try {
      expect(k.api!.url).toMatch(/^https:/);
      expect(await get('client')).toBe(200);
      expect(await get(null)).not.toBe(200);
      expect(await get('rogue')).not.toBe(200);
    } finally {
      await k.stop();
    }
  });
});
