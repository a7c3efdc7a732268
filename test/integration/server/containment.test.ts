// Containment (issue 17): a listener that throws on a runtime event is reported and the daemon keeps
// serving — the screen still gets its state frames and /healthz counts the fault; what reaches the
// process level is handled there: an uncaught exception is an invariant broken (logged, clean stop,
// exit 70 for systemd to restart), a stray unhandled rejection is logged and the process goes on.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { EXIT_INVARIANT } from '../../../daemon/process-guard.ts';
import { onListenerFault, type ListenerFault } from '../../../drivers/typed-events.ts';

let kiosk: Kiosk;
const faults: ListenerFault[] = [];
let offFaults: () => void;
beforeAll(async () => {
  offFaults = onListenerFault((f) => faults.push(f));
  kiosk = await startKiosk({ config: parseConfig({ server: { port: 0 } }), simulated: true, operations: { healthServer: false, env: {} } });
}, 30_000);
afterAll(async () => {
  await kiosk?.stop();
  offFaults?.();
});

describe('a throwing listener', () => {
  it('is reported and the daemon keeps serving (state frames still reach the screen)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${kiosk.server.port}/ws?token=${kiosk.server.token}`);
    const states: any[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'state') states.push(m.state);
    });
    await new Promise((r) => ws.once('open', r));
    // Registered first, so the screen's own listener runs after it.
    kiosk.runtime.events.on(
      'state',
      () => {
        throw new TypeError('faulty listener');
      },
      'faulty-test-listener',
    );
    kiosk.runtime.block('maintenance', true);
    await new Promise((r) => setTimeout(r, 50)); // two ticks: two state frames (one tick would coalesce them)
    kiosk.runtime.block('maintenance', false);
    const end = Date.now() + 3000;
    const blocked = (s: any) => Array.isArray(s.blockedBy) && s.blockedBy.includes('maintenance');
    while (!(states.some(blocked) && !blocked(states.at(-1))) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(faults.filter((f) => f.owner === 'faulty-test-listener').length).toBeGreaterThanOrEqual(2);
    expect(faults[0]).toMatchObject({ event: 'state', errorName: 'TypeError' });
    expect(states.some(blocked)).toBe(true); // the screen's listener ran after the faulty one, both times
    expect(blocked(states.at(-1))).toBe(false);
    const health = await fetch(`http://127.0.0.1:${kiosk.server.port}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { listenerFaults: number }).listenerFaults).toBeGreaterThanOrEqual(2);
    kiosk.runtime.events.offOwner('faulty-test-listener');
    ws.close();
  });
});

describe('process guards', () => {
  const child = fileURLToPath(new URL('./fixtures/guard-child.ts', import.meta.url));
  const run = (mode: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', child, mode], { timeout: 15_000 }, (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, out: stdout }),
      );
    });

  it('an uncaught exception: logged, clean stop, exit 70', async () => {
    const r = await run('throw');
    expect(r.code).toBe(EXIT_INVARIANT);
    expect(r.out).toMatch(/^fatal: uncaughtException: TypeError$/m);
    expect(r.out).toMatch(/^clean stop$/m);
  });

  it('an unhandled rejection: logged, the process keeps going', async () => {
    const r = await run('reject');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^error: unhandled rejection #1: RangeError$/m);
    expect(r.out).toMatch(/^still serving$/m);
  });
});
