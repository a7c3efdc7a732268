// Issue 20: node's header/request-timeout checker is an interval that woke an idle kiosk once a second per
// listener. guardConnections runs it only while a connection is open — and a slow request head that
// arrives after a long idle spell must still be cut off by headersTimeout (issue 17).
import { createHook } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardConnections, listenerLimits, serverOptions } from '../../../daemon/server/listener-limits.ts';

// Live intervals, unref'd ones included (process.getActiveResourcesInfo leaves those out); a socket's
// own idle timeout is a one-shot timer and not counted. Destroy hooks run a little later: polled.
const live = new Set<number>();
createHook({
  init: (id, type, _trigger, resource) => void (type === 'Timeout' && (resource as { _repeat?: number | null })._repeat && live.add(id)),
  destroy: (id) => void live.delete(id),
}).enable();
const intervals = () => live.size;

let server: Server | null = null;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = null;
});

async function listen(headersTimeoutMs: number): Promise<number> {
  const l = listenerLimits({ headersTimeoutMs, requestTimeoutMs: headersTimeoutMs * 2, idleTimeoutMs: 60_000 });
  server = createServer(serverOptions(l), (_req, res) => res.end('ok'));
  guardConnections(server, l);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function until(cond: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('connections checker on demand', () => {
  it('an idle listener holds no interval; a connection starts the checker, its close stops it', async () => {
    const before = intervals();
    const port = await listen(1000);
    await until(() => intervals() === before, 'no interval while idle');
    const s: Socket = connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    await until(() => intervals() === before + 1, 'the checker to start');
    s.destroy();
    await until(() => intervals() === before, 'the checker to stop');
  });

  it('a request head sent too slowly after an idle spell is still cut off by headersTimeout', async () => {
    const port = await listen(500);
    const s: Socket = connect(port, '127.0.0.1');
    const closed = new Promise<string>((r) => {
      let got = '';
      s.on('data', (b) => (got += b.toString()));
      s.on('close', () => r(got));
    });
    await new Promise((r) => s.once('connect', r));
    s.write('GET / HTTP/1.1\r\nHost: x\r\n'); // never finished
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
  });
});
