// The screen's client set (daemon/server/screen-clients.ts) with fake sockets whose send buffer the test
// controls: the client cap, per-connection and per-address message limits, closing a connection that
// keeps flooding, coalescing state frames (encoded once, the same bytes to every client), and dropping
// a client whose send buffer passes the bound.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { ScreenClients } from '../../../daemon/server/screen-clients.ts';
import { TokenBucket } from '../../../daemon/server/rate-limit.ts';
import type { ServerMessage } from '../../../daemon/server/protocol.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';

class FakeWs extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: Buffer[] = [];
  terminated = false;
  closedWith: number | null = null;
  send(b: Buffer) {
    this.sent.push(b);
    this.bufferedAmount += b.length;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = 2;
  }
}
const fake = () => new FakeWs() as FakeWs & WebSocket;
const state = (n: number): ServerMessage => ({ v: 2, type: 'state', state: { phase: 'idle', session: n } as unknown as KioskState });
const tick = () => new Promise((r) => setImmediate(r));

describe('TokenBucket', () => {
  it('allows the burst at once, then the sustained rate', () => {
    let t = 0;
    const b = new TokenBucket(10, 5, () => t);
    expect(Array.from({ length: 7 }, () => b.take())).toEqual([true, true, true, true, true, false, false]);
    t += 100; // 0.1 s at 10/s: one more token
    expect([b.take(), b.take()]).toEqual([true, false]);
  });
});

describe('ScreenClients', () => {
  it('admits up to maxClients', () => {
    const c = new ScreenClients({ maxClients: 2 });
    for (let i = 0; i < 2; i++) {
      expect(c.admit()).toBe(true);
      c.add(fake(), '127.0.0.1');
    }
    expect(c.admit()).toBe(false);
    expect(c.stats()).toMatchObject({ clients: 2, refused: 1 });
  });

  it('rate-limits one connection, then closes it (1008) when it keeps going', () => {
    const c = new ScreenClients({ messagesPerSecond: 1, messageBurst: 3, addressBurst: 1000, maxRejectedMessages: 5 });
    const ws = fake();
    c.add(ws, '127.0.0.1');
    const accepted = Array.from({ length: 10 }, () => c.accept(ws)).filter(Boolean).length;
    expect(accepted).toBe(3);
    expect(ws.closedWith).toBe(1008);
    expect(c.accept(ws)).toBe(false); // nothing more is processed from a closing connection
    expect(c.stats()).toMatchObject({ droppedRateLimited: 1 });
  });

  it('the per-address limit holds across many connections from one address', () => {
    const c = new ScreenClients({ messageBurst: 10, addressMessagesPerSecond: 1, addressBurst: 12 });
    const socks = Array.from({ length: 5 }, () => fake());
    for (const s of socks) c.add(s, '127.0.0.1');
    let accepted = 0;
    for (let i = 0; i < 10; i++) for (const s of socks) if (c.accept(s)) accepted++;
    expect(accepted).toBe(12);
    const other = fake();
    c.add(other, '127.0.0.2');
    expect(c.accept(other)).toBe(true);
  });

  it('coalesces consecutive state messages into one frame per tick, encoded once for all clients', async () => {
    const c = new ScreenClients();
    const a = fake();
    const b = fake();
    c.add(a, 'x');
    c.add(b, 'x');
    const stringify = vi.spyOn(JSON, 'stringify');
    for (let i = 0; i < 1000; i++) c.broadcast(state(i));
    c.broadcast({ v: 2, type: 'alert', kind: 'verified' });
    c.broadcast(state(1000));
    await tick();
    const calls = stringify.mock.calls.length;
    stringify.mockRestore();
    expect(calls).toBe(3); // state 999, the alert, state 1000
    expect(a.sent.map((f) => JSON.parse(f.toString()).state?.session ?? 'alert')).toEqual([999, 'alert', 1000]);
    expect(b.sent.map((f, i) => f === a.sent[i])).toEqual([true, true, true]); // the same bytes
  });

  it('drops a client whose send buffer passes the bound; the others keep receiving', async () => {
    const c = new ScreenClients({ maxBufferedBytes: 4096 });
    const slow = fake();
    const ok = fake();
    c.add(slow, 'x');
    c.add(ok, 'x');
    for (let i = 0; i < 100; i++) {
      c.broadcast(state(i));
      await tick();
      ok.bufferedAmount = 0; // this one reads
    }
    expect(slow.terminated).toBe(true);
    expect(slow.sent.reduce((n, f) => n + f.length, 0)).toBeLessThanOrEqual(4096);
    expect(ok.sent.length).toBe(100);
    expect(c.stats()).toMatchObject({ clients: 1, droppedSlow: 1 });
  });
});
