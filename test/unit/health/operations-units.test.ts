// The operations start (daemon/health/operations.ts) in its pieces: which parts the configuration turns
// on, maintenance as health reports it, a health listener that cannot bind, and the watchdog's checks.
// Expected values follow the module's documented behaviour (docs/operations: a taken health port leaves the
// kiosk serving; the watchdog fails on a loop blocked ≥ 5 s, an unwritable audit DB, a dead screen
// listener) — the startKiosk unwind cases (test/unit/server/start-unwind.test.ts) cover their order.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nullLogger, type Logger } from '../../../core/log.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import type { DeviceKey } from '../../../daemon/device/device-key.ts';
import {
  auditFromConfig,
  deviceClientCert,
  heartbeatFromConfig,
  maintenanceStatus,
  startHealthListener,
  tcpAccepts,
  watchdogChecks,
} from '../../../daemon/health/operations.ts';
import { initialState } from '../../../daemon/kiosk/session-machine.ts';
import type { KioskRuntime } from '../../../daemon/kiosk/runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'idkiosk-ops-units-'));
const listen = (port = 0) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
const portOf = (s: Server) => (s.address() as { port: number }).port;

function recordingLogger(lines: string[]): Logger {
  const at = (level: string) => (l: string) => void lines.push(`${level}: ${l}`);
  return Object.assign(at('info'), { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') });
}

const runtimeBlocked = (blockedBy: ('maintenance' | 'printer')[]) => ({ getState: () => ({ ...initialState(), blockedBy }) });

describe('maintenanceStatus', () => {
  it('on only while the runtime is blocked for maintenance (a printer fault is not maintenance)', () => {
    expect(maintenanceStatus(runtimeBlocked(['maintenance']))).toEqual({ active: true, reason: 'maintenance' });
    expect(maintenanceStatus(runtimeBlocked(['printer', 'maintenance']))).toEqual({ active: true, reason: 'maintenance' });
    expect(maintenanceStatus(runtimeBlocked(['printer']))).toEqual({ active: false, reason: null });
    expect(maintenanceStatus(runtimeBlocked([]))).toEqual({ active: false, reason: null });
  });
});

describe('what the configuration turns on', () => {
  it('no audit.db: no audit trail, and a warning says sessions go unrecorded', () => {
    const lines: string[] = [];
    expect(auditFromConfig({ config: parseConfig({}), deviceKey: {} as DeviceKey, version: 't', log: recordingLogger(lines) })).toBeNull();
    expect(lines).toEqual(['warn: audit.db is not set: sessions are not recorded in an audit trail']);
  });
  it('the device client certificate only with both its files', () => {
    const cert = join(dir, 'device.pem');
    const key = join(dir, 'device.key');
    writeFileSync(cert, 'CERT');
    writeFileSync(key, 'KEY');
    const both = deviceClientCert(parseConfig({ device: { certFile: cert, keyFile: key } }));
    expect([both?.cert.toString(), both?.key.toString()]).toEqual(['CERT', 'KEY']);
    expect(deviceClientCert(parseConfig({ device: { certFile: cert } }))).toBeUndefined();
  });
  it('no fleet.url: no heartbeat; with one: a heartbeat (not yet started) that reports the health snapshot', () => {
    const health = { snapshot: () => ({}) as never };
    const o = { deviceKey: { fingerprint: 'fp' } as DeviceKey, log: nullLogger };
    expect(heartbeatFromConfig({ ...o, config: parseConfig({}) }, health)).toBeNull();
    const hb = heartbeatFromConfig({ ...o, config: parseConfig({ kioskId: 'k-1', fleet: { url: 'https://fleet.example/hb' } }) }, health);
    expect(hb?.payload()).toMatchObject({ kind: 'idkiosk-heartbeat', kioskId: 'k-1', key: 'fp', seq: 1 });
  });
});

describe('startHealthListener', () => {
  const registry = { metrics: async () => '', contentType: 'text/plain' };
  const parts = { snapshot: () => ({}) as never };
  it('a taken port leaves the kiosk without /healthz, logged, instead of failing the start', async () => {
    const squatter = await listen();
    const port = portOf(squatter);
    const lines: string[] = [];
    try {
      const config = parseConfig({ health: { host: '127.0.0.1', port } });
      const server = await startHealthListener({ config, runtime: {} as KioskRuntime, log: recordingLogger(lines) }, parts, { registry } as never);
      expect(server).toBeNull();
      expect(lines).toEqual([`info: health: cannot listen on 127.0.0.1:${port} (EADDRINUSE); /healthz and /metrics are off`]);
    } finally {
      await close(squatter);
    }
  });
  it('a free port: the listener is up at its URL', async () => {
    const config = parseConfig({ health: { host: '127.0.0.1', port: 0 } });
    const server = await startHealthListener({ config, runtime: {} as KioskRuntime, log: nullLogger }, parts, { registry } as never);
    try {
      expect(server?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await server?.close();
    }
  });
});

describe('watchdogChecks', () => {
  let up: Server;
  let downPort: number;
  beforeAll(async () => {
    up = await listen();
    const gone = await listen();
    downPort = portOf(gone);
    await close(gone);
  });
  afterAll(() => close(up));
  const check = async (checks: ReturnType<typeof watchdogChecks>, name: string) => checks.find((c) => c.name === name)?.check(new AbortController().signal);

  it('the event loop fails at a 5 s block, passes below it, and passes with no stall monitor', async () => {
    const ui = { uiHost: '127.0.0.1', uiPort: portOf(up) };
    expect(await check(watchdogChecks(ui, { stall: { takeWorstGapMs: () => 5000 }, audit: null }), 'event-loop')).toBe(false);
    expect(await check(watchdogChecks(ui, { stall: { takeWorstGapMs: () => 4999 }, audit: null }), 'event-loop')).toBe(true);
    expect(await check(watchdogChecks(ui, { stall: null, audit: null }), 'event-loop')).toBe(true);
  });
  it('the audit database: its health when there is one, passing when there is none', async () => {
    const ui = { uiHost: '127.0.0.1', uiPort: portOf(up) };
    expect(await check(watchdogChecks(ui, { stall: null, audit: { healthy: () => false } }), 'audit-db')).toBe(false);
    expect(await check(watchdogChecks(ui, { stall: null, audit: { healthy: () => true } }), 'audit-db')).toBe(true);
    expect(await check(watchdogChecks(ui, { stall: null, audit: null }), 'audit-db')).toBe(true);
  });
  it('the screen listener: a listening port passes (a wildcard bind probed on loopback), a closed one fails', async () => {
    expect(await check(watchdogChecks({ uiHost: '0.0.0.0', uiPort: portOf(up) }, { stall: null, audit: null }), 'ui-listener')).toBe(true);
    expect(await check(watchdogChecks({ uiHost: '127.0.0.1', uiPort: downPort }, { stall: null, audit: null }), 'ui-listener')).toBe(false);
    expect(await tcpAccepts('127.0.0.1', portOf(up), { timeoutMs: 1000 })).toBe(true);
  });
});
