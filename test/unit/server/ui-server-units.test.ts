// The screen server's pieces on their own (daemon/server/ui-server.ts): which Host/Origin values it
// accepts, why a WebSocket upgrade is refused, what each screen message does, the hello message and the
// HTTP side. Expected values follow docs/ and the threat notes in the module header (loopback names
// only for a loopback bind; refusal order path → host → origin → token; demo actions only in demo mode).
import { request, createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, listenOrUnwind, stopServer } from '../../../core/http-listen.ts';
import { allowedPeers, dispatchClientMessage, helloMessage, httpHandler, upgradeRefusal } from '../../../daemon/server/ui-server.ts';
import type { ClientMessage } from '../../../daemon/server/protocol.ts';
import type { KioskRuntime } from '../../../daemon/kiosk/runtime.ts';

describe('allowedPeers', () => {
  it('a loopback bind answers to all three loopback names, and only on its port', () => {
    const p = allowedPeers('127.0.0.1', 8080);
    expect([...p.hosts].sort()).toEqual(['127.0.0.1:8080', '[::1]:8080', 'localhost:8080']);
    expect([...p.origins].sort()).toEqual(['http://127.0.0.1:8080', 'http://[::1]:8080', 'http://localhost:8080']);
    expect(p.hostPart).toBe('127.0.0.1');
  });
  it('an IPv6 address is bracketed; extra origins are added as given', () => {
    const p = allowedPeers('::1', 9000, ['http://kiosk.example']);
    expect(p.hostPart).toBe('[::1]');
    expect(p.origins.has('http://kiosk.example')).toBe(true);
  });
  it('any other address answers to itself only', () => {
    expect([...allowedPeers('192.0.2.7', 80).hosts]).toEqual(['192.0.2.7:80']);
  });
});

describe('upgradeRefusal', () => {
  const allowed = { ...allowedPeers('127.0.0.1', 8080), token: 'tok-123' };
  const req = (url: string, headers: Record<string, string>) => ({ url, headers });
  it('accepts the right path, Host, Origin and token (and no Origin at all)', () => {
    expect(upgradeRefusal(req('/ws?token=tok-123', { host: 'localhost:8080', origin: 'http://localhost:8080' }), allowed)).toBeNull();
    expect(upgradeRefusal(req('/ws?token=tok-123', { host: '127.0.0.1:8080' }), allowed)).toBeNull();
  });
  it('names the first check that fails: path, host, origin, token', () => {
    expect(upgradeRefusal(req('/other?token=tok-123', { host: 'evil:8080' }), allowed)).toBe('path');
    expect(upgradeRefusal(req('/ws?token=tok-123', { host: 'evil.example:8080', origin: 'http://evil.example' }), allowed)).toBe('host');
    expect(upgradeRefusal(req('/ws?token=tok-123', { host: 'localhost:8080', origin: 'http://evil.example' }), allowed)).toBe('origin');
    expect(upgradeRefusal(req('/ws?token=tok-12', { host: 'localhost:8080' }), allowed)).toBe('token');
    expect(upgradeRefusal(req('/ws', { host: 'localhost:8080' }), allowed)).toBe('token');
  });
});

describe('dispatchClientMessage', () => {
  const calls: string[] = [];
  const runtime = {
    key: (k: string) => calls.push(`key ${k}`),
    pad: (id: string) => calls.push(`pad ${id}`),
    cancel: () => calls.push('cancel'),
    editField: (n: number) => calls.push(`edit ${n}`),
  } as unknown as Pick<KioskRuntime, 'key' | 'pad' | 'cancel' | 'editField'>;
  it('keys, pads, cancel and edit go to the runtime and need no reply', () => {
    calls.length = 0;
    expect(dispatchClientMessage({ v: 2, type: 'key', key: 'enter' } as ClientMessage, { runtime })).toBeNull();
    expect(dispatchClientMessage({ v: 2, type: 'pad', id: 'p1' } as ClientMessage, { runtime })).toBeNull();
    expect(dispatchClientMessage({ v: 2, type: 'cancel' } as ClientMessage, { runtime })).toBeNull();
    expect(dispatchClientMessage({ v: 2, type: 'edit', field: 1 } as ClientMessage, { runtime })).toBeNull();
    expect(calls).toEqual(['key enter', 'pad p1', 'cancel', 'edit 1']);
  });
  it('demo actions outside demo mode are refused as SERVER_UNAUTHORIZED; in demo mode they reach the demo', () => {
    const m = { v: 2, type: 'demo-remove' } as ClientMessage;
    expect(dispatchClientMessage(m, { runtime })).toMatchObject({ type: 'error', code: 'SERVER_UNAUTHORIZED' });
    const seen: ClientMessage[] = [];
    expect(dispatchClientMessage(m, { runtime, demo: { onAction: (a) => void seen.push(a) } })).toBeNull();
    expect(seen).toEqual([m]);
  });
  it('the demo session switch exists only in demo mode, and a refused switch answers with its code', () => {
    const m = { v: 2, type: 'demo-session', mode: 'sign', policy: 'age-20' } as ClientMessage;
    expect(dispatchClientMessage(m, { runtime })).toMatchObject({ type: 'error', code: 'SERVER_UNAUTHORIZED' });
    const seen: ClientMessage[] = [];
    expect(dispatchClientMessage(m, { runtime, demo: { onAction: (a) => void seen.push(a) } })).toBeNull();
    expect(seen).toEqual([m]);
    const busy = { onAction: () => ({ code: 'SESSION_BUSY', message: 'demo: switch refused while secret-entry' }) };
    expect(dispatchClientMessage(m, { runtime, demo: busy })).toEqual({
      v: 2,
      type: 'error',
      code: 'SESSION_BUSY',
      message: 'demo: switch refused while secret-entry',
    });
  });
});

describe('helloMessage', () => {
  it('offers the demo cards and faults only in demo mode', () => {
    const off = helloMessage({ kioskId: 'k1', version: '1.0.0', documents: ['mynumber'] }, ['verified']);
    expect(off).toMatchObject({
      type: 'hello',
      kioskId: 'k1',
      version: '1.0.0',
      demo: false,
      demoCards: [],
      demoFaults: [],
      demoSession: null,
      documents: ['mynumber'],
      sounds: ['verified'],
    });
    const session = { modes: ['auth', 'info'], policies: ['age-20'], mode: 'auth', policy: null };
    const on = helloMessage({ kioskId: 'k1', version: '1.0.0', demo: { onAction: () => undefined, session: () => session } }, []) as unknown as {
      demoCards: unknown[];
      demoFaults: unknown[];
      demoSession: unknown;
    };
    expect(on.demoCards.length).toBeGreaterThan(0);
    expect(on.demoFaults).toContain('maintenance-on');
    expect(on.demoSession).toEqual(session);
  });
});

describe('httpHandler', () => {
  let server: Server;
  let port: number;
  const runtime = { getState: () => ({ readerAvailable: true, phase: 'idle' }) } as unknown as KioskRuntime;
  beforeAll(async () => {
    let hosts = new Set<string>();
    server = createServer((req, res) => void httpHandler({ runtime, version: '9.9.9', health: () => ({ extra: 1 }) }, 'tok', () => hosts)(req, res));
    port = await listen(server, 0, '127.0.0.1');
    hosts = allowedPeers('127.0.0.1', port).hosts;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const get = (path: string, host = `127.0.0.1:${port}`) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      r.on('error', reject);
      r.end();
    });

  it('a foreign Host header is a 421 (no DNS rebinding), before anything else', async () => {
    expect((await get('/healthz', 'evil.example')).status).toBe(421);
  });
  it('/healthz reports the runtime and the extra health fields', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, phase: 'idle', readerAvailable: true, version: '9.9.9', extra: 1 });
  });
  it('the screen is served with its content-security policy; unknown types and paths are 404', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(String(r.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/index.exe')).status).toBe(404);
  });
});

describe('listen, listenOrUnwind, stopServer (core/http-listen.ts)', () => {
  it('rejects with the listen error when the port is taken, and unwinds what the caller set up first', async () => {
    const a = createServer();
    const port = await listen(a, 0, '127.0.0.1');
    const b = createServer();
    await expect(listen(b, port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const unwound: string[] = [];
    await expect(listenOrUnwind(createServer(), port, '127.0.0.1', async () => void unwound.push('taken'))).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const c = createServer();
    expect(await listenOrUnwind(c, 0, '127.0.0.1', async () => void unwound.push('free'))).toBeGreaterThan(0);
    expect(unwound).toEqual(['taken']);
    await stopServer(a);
    await stopServer(c);
    expect([a.listening, c.listening]).toEqual([false, false]);
  });

  it('stopServer resolves while a request is still open (an event stream, a stuck client), and on a server that never listened', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    const s = createServer(() => arrived()); // never answers: server.close() alone would wait for ever
    s.unref(); // should stopServer regress, the test fails on its timeout without holding the worker open
    const port = await listen(s, 0, '127.0.0.1');
    const client = new Promise<unknown>((resolve) =>
      request({ port, host: '127.0.0.1' }, resolve)
        .on('socket', (sock) => sock.unref())
        .on('error', resolve)
        .end(),
    );
    await inFlight;
    await stopServer(s);
    expect(s.listening).toBe(false);
    expect(await client).toMatchObject({ code: 'ECONNRESET' });
    await stopServer(createServer());
  });
});
