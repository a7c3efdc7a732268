// startKiosk unwinds what it started when a later step fails (issue 22): a failure is injected after each
// start step in turn, and real ones (the screen's port already taken; the fleet CA file missing, which
// fails inside the operations step after its own listener started); every time the error is a
// DAEMON_START_FAILED naming the step, the log names every resource started before it as closed, the
// configured ports can be bound again, and the process holds no more timers, sockets or handles than
// before the start.
import { createHook } from 'node:async_hooks';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { START_STEPS, startKiosk, type StartStep } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { KioskError } from '../../../core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'idkiosk-unwind-'));
let ports: { ui: number; api: number; health: number };

/** What each step leaves running, by the name startKiosk's stop and unwind use (the design in daemon/app.ts). */
const RESOURCE: Partial<Record<StartStep, string>> = {
  reader: 'reader',
  runtime: 'runtime',
  peripherals: 'peripherals',
  'ui-server': 'ui-server',
  'api-server': 'api-server',
  operations: 'operations',
};

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => listen(0)));
  const out = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map(close));
  return out;
}

/** Timers armed by anything but the test runner (which keeps its own), with where they were armed. */
const timers = new Map<number, string>();
createHook({
  init(id, type) {
    if (type !== 'Timeout') return;
    const stack = new Error().stack ?? '';
    if (!/node_modules\/(@vitest|vitest)\//.test(stack)) timers.set(id, stack.split('\n').slice(5, 8).join(' <'));
  },
  destroy: (id) => void timers.delete(id),
}).enable();

/** What the process holds: listeners, sockets, pipes, child processes (getActiveResourcesInfo), and timers. */
function handles(): string[] {
  const io = process
    .getActiveResourcesInfo()
    .filter((r) => !['FSReqCallback', 'FSReqPromise', 'GetAddrInfoReqWrap', 'TTYWrap', 'Immediate', 'Timeout'].includes(r));
  return [...io, ...[...timers.values()].map((where) => `Timeout ${where}`)].sort();
}

/** Deadline poll: a closed listener's handle goes on a later turn of the event loop than its close callback. */
async function settlesTo(expected: string[], ms = 5000): Promise<string[]> {
  const end = Date.now() + ms;
  let now = handles();
  while (JSON.stringify(now) !== JSON.stringify(expected) && Date.now() < end) {
    await new Promise((r) => setImmediate(r));
    now = handles();
  }
  return now;
}

const config = () =>
  parseConfig({
    kioskId: 'unwind-1',
    server: { port: ports.ui },
    api: { enabled: true, port: ports.api },
    audit: { db: join(dir, 'audit.db') },
    health: { port: ports.health, diskPath: dir },
  });

let baseline: string[];
beforeAll(async () => {
  const [ui = 0, api = 0, health = 0] = await freePorts(3);
  ports = { ui, api, health };
});
/** Each test is compared with the handles it started with (the runner's own pipes and timers), taken once
 * the probe listeners and the previous test's are gone. */
async function takeBaseline(): Promise<void> {
  const end = Date.now() + 5000;
  while (handles().includes('TCPServerWrap') && Date.now() < end) await new Promise((r) => setImmediate(r));
  baseline = handles();
  expect(baseline).not.toContain('TCPServerWrap');
}

describe('startKiosk unwinds what it started', () => {
  it.each(START_STEPS.map((s) => [s]))('a failure after %s', async (step) => {
    await takeBaseline();
    const lines: string[] = [];
    const err = await startKiosk({
      config: config(),
      simulated: true,
      log: (l) => lines.push(l),
      operations: { env: {} },
      afterStep: (s) => {
        if (s === step) throw new Error('injected');
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KioskError);
    expect((err as KioskError).code).toBe('DAEMON_START_FAILED');
    expect((err as KioskError).detail).toMatchObject({ step, cause: 'Error' });

    const upTo = START_STEPS.slice(0, START_STEPS.indexOf(step) + 1);
    const expectedClosed = upTo.flatMap((s) => (RESOURCE[s] ? [RESOURCE[s]] : [])).reverse();
    const summary = lines.find((l) => l.startsWith('error: start failed at '));
    expect(summary).toBe(`error: start failed at ${step} (Error); closed ${expectedClosed.join(', ')}`);

    for (const p of [ports.ui, ports.api, ports.health]) await close(await listen(p)); // free again
    expect(await settlesTo(baseline)).toEqual(baseline);
  });

  it('a real failure: the screen port is taken', async () => {
    await takeBaseline();
    const squatter = await listen(ports.ui);
    try {
      const err = await startKiosk({ config: config(), simulated: true, operations: { env: {} } }).then(
        () => null,
        (e: unknown) => e,
      );
      expect((err as KioskError).code).toBe('DAEMON_START_FAILED');
      expect((err as KioskError).detail).toMatchObject({ step: 'ui-server', cause: 'EADDRINUSE' });
    } finally {
      await close(squatter);
    }
    for (const p of [ports.ui, ports.api, ports.health]) await close(await listen(p));
    expect(await settlesTo(baseline)).toEqual(baseline);
  });

  it('a failure inside the operations step: its audit trail, clock and health listener are closed too', async () => {
    await takeBaseline();
    const cfg = config();
    cfg.fleet = { ...cfg.fleet, url: 'https://127.0.0.1:9/hb', caFile: join(dir, 'no-such-ca.pem') }; // read after the health listener is up
    const err = await startKiosk({ config: cfg, simulated: true, operations: { env: {} } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as KioskError).code).toBe('DAEMON_START_FAILED');
    expect((err as KioskError).detail).toMatchObject({ step: 'operations', cause: 'ENOENT' });
    for (const p of [ports.ui, ports.api, ports.health]) await close(await listen(p));
    expect(await settlesTo(baseline)).toEqual(baseline);
  });

  it('a normal stop leaves what a failed start leaves', async () => {
    await takeBaseline();
    const k = await startKiosk({ config: config(), simulated: true, operations: { env: {} } });
    expect(handles().length).toBeGreaterThan(baseline.length); // listening, timers armed
    await k.stop();
    await k.stop(); // idempotent
    expect(await settlesTo(baseline)).toEqual(baseline);
  });
});
