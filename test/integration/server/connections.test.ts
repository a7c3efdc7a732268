// Held connections (issue 17: 300 idle TCP connections, no token needed, made the screen, /healthz and
// the API fail). On every listener: 300 connections that send nothing, or half a request head, are
// closed by the idle/header timeouts, and meanwhile the listener keeps answering real requests (at the
// cap the oldest idle connection makes room; only busy slots refuse).
import type { Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseApi } from '../../../daemon/api/api-config.ts';
import { startApiServer, type ApiServer } from '../../../daemon/api/api-server.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { startHealthServer, type HealthServer } from '../../../daemon/health/health-server.ts';
import type { HealthSnapshot } from '../../../daemon/health/health-state.ts';
import { startUiServer, type UiServer } from '../../../daemon/server/ui-server.ts';
import type { ListenerLimits } from '../../../daemon/server/listener-limits.ts';
import { openSocket, rawGet, rawWebSocket } from './raw-client.ts';

// Short timeouts so the test takes seconds; the defaults (listener-limits.ts) are 10/30/5/30 s.
const LIMITS: Partial<ListenerLimits> = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 500, idleTimeoutMs: 1500 };

let kiosk: Kiosk;
let screen: UiServer;
let api: ApiServer;
let health: HealthServer;
beforeAll(async () => {
  kiosk = await startKiosk({ config: parseConfig({ server: { port: 0 } }), simulated: true, operations: { healthServer: false, env: {} } });
  screen = await startUiServer({ runtime: kiosk.runtime, host: '127.0.0.1', port: 0, kioskId: 'k', version: '0', listener: LIMITS });
  api = await startApiServer({
    config: parseApi({ enabled: true, port: 0 }),
    runtime: kiosk.runtime,
    deviceKey: DeviceKey.ephemeral(),
    kioskId: 'k',
    version: '0',
    offer: () => ({ documents: [] }),
    listener: LIMITS,
  });
  health = await startHealthServer({
    host: '127.0.0.1',
    port: 0,
    allowRemote: false,
    snapshot: () => ({ status: 'ok' }) as HealthSnapshot,
    registry: new Registry(),
    listener: LIMITS,
  });
}, 30_000);
afterAll(async () => {
  await Promise.all([screen?.close(), api?.close(), health?.close()]);
  await kiosk?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('300 held connections', () => {
  for (const [name, port, path] of [
    ['screen', () => screen.port, '/'],
    ['api', () => api.port, '/v1/kiosk'],
    ['health', () => health.port, '/healthz'],
  ] as const) {
    it(`${name}: closed by timeout, and the listener serves meanwhile`, async () => {
      const held: { socket: Socket; closedAt: number | null }[] = [];
      const t0 = Date.now();
      for (let i = 0; i < 300; i++) {
        const socket = await openSocket(port());
        const h = { socket, closedAt: null as number | null };
        socket.on('error', () => {});
        socket.on('close', () => (h.closedAt = Date.now()));
        socket.resume();
        // A third send half a request head (slowloris), the rest nothing at all.
        if (i % 3 === 0) socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nX-Slow: `);
        held.push(h);
      }
      // While they are held: real requests are answered.
      for (let i = 0; i < 3; i++) {
        expect(await rawGet(port(), path)).toBe(200);
        await sleep(200);
      }
      // All 300 closed by the server (idle/header timeouts or to make room), within the idle timeout + margin.
      const deadline = Date.now() + 6000;
      while (held.some((h) => h.closedAt === null) && Date.now() < deadline) await sleep(50);
      expect(held.filter((h) => h.closedAt === null).length).toBe(0);
      expect(Math.max(...held.map((h) => h.closedAt! - t0))).toBeLessThan(6000);
      expect(await rawGet(port(), path)).toBe(200);
      for (const h of held) h.socket.destroy();
    }, 30_000);
  }

  it('the screen WebSocket is never evicted as idle, nor closed by the idle timeout', async () => {
    const ws = await rawWebSocket(screen.port, `/ws?token=${screen.token}`);
    let closed = false;
    void ws.closed.then(() => (closed = true));
    const held: Socket[] = [];
    for (let i = 0; i < 300; i++) {
      const s = await openSocket(screen.port);
      s.on('error', () => {});
      held.push(s);
    }
    await sleep(2500); // past the 1.5 s idle timeout
    expect(closed).toBe(false);
    expect(screen.stats().clients).toBe(1);
    for (const s of held) s.destroy();
    ws.socket.destroy();
  }, 30_000);

  it('the health listener answers only Host headers a rebinding page cannot send', async () => {
    expect(await rawGet(health.port, '/healthz')).toBe(200);
    expect(await rawGet(health.port, '/healthz', `localhost:${health.port}`)).toBe(200);
    expect(await rawGet(health.port, '/healthz', `rebind.example:${health.port}`)).toBe(421);
    expect(await rawGet(health.port, '/metrics', `rebind.example:${health.port}`)).toBe(421);
    expect(await rawGet(health.port, '/metrics', `127.0.0.1:${health.port + 1}`)).toBe(421);
  });

  it('the screen counts what it evicted to make room', () => {
    const c = screen.connections();
    expect(c.evictedIdle).toBeGreaterThan(0); // 300 > 64 per address: the oldest idle ones made room
    expect(c.refused).toBe(0);
  });
});
