// One request with a request-target such as `//%25` used to stop the daemon: `new URL('//%25', base)`
// throws (the target is read as a scheme-relative URL with an invalid authority), outside any try block,
// on every listener and before the Host and token checks (issue 17). Every listener now answers 400 and
// keeps serving — from a raw TCP client, and from a web page in Chromium (`<img src=…//%25>`), which is
// how any page the kiosk browser shows could have done it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { parseRequestTarget } from '../../../daemon/server/request-target.ts';
import { launchBrowser } from '../../harness/browser.ts';
import { rawGet } from './raw-client.ts';

const GARBAGE = ['//', '///', '//%25', '//:1/', '//[', '/\\\\x', '*'];

let kiosk: Kiosk;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-target-'));
  kiosk = await startKiosk({
    config: parseConfig({ server: { port: 0 }, api: { enabled: true, port: 0 }, health: { port: 0, diskPath: dir } }),
    simulated: true,
    operations: { env: {} },
  });
}, 30_000);
afterAll(async () => {
  await kiosk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const listeners = () => ({
  screen: { port: kiosk.server.port, alive: '/healthz', ok: 200 },
  api: { port: kiosk.api!.port, alive: '/v1/kiosk', ok: 200 },
  health: { port: kiosk.operations.healthServer!.port, alive: '/healthz', ok: 200 },
});

describe('request-target parser', () => {
  it('accepts origin-form only and never throws', () => {
    for (const t of [...GARBAGE, '', 'http://127.0.0.1/', '/a b', '/\u0000', '/é', undefined, `/${'a'.repeat(5000)}`]) expect(parseRequestTarget(t)).toBeNull();
    expect(parseRequestTarget('/ws?token=abc')?.pathname).toBe('/ws');
    expect(parseRequestTarget('/ws?token=abc')?.searchParams.get('token')).toBe('abc');
    expect(parseRequestTarget('/')?.pathname).toBe('/');
  });
});

describe('every listener answers a garbage request-target with 400 and keeps serving', () => {
  it('raw TCP client', async () => {
    for (const [name, l] of Object.entries(listeners())) {
      for (const t of GARBAGE) expect([name, t, await rawGet(l.port, t)]).toEqual([name, t, 400]);
      // Also on the WebSocket upgrade path of the screen (answered before the token check).
      expect(
        await rawGet(
          l.port,
          '//%25',
          undefined,
          'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
        ),
      ).toBeGreaterThanOrEqual(400);
      expect([name, await rawGet(l.port, l.alive)]).toEqual([name, l.ok]);
    }
  });

  describe('from a web page in headless Chromium', () => {
    let browser: Browser;
    let page: Server;
    beforeAll(async () => {
      browser = await launchBrowser();
      // A page on another loopback port, as any page the kiosk browser might show.
      const ports = Object.values(listeners()).map((l) => l.port);
      const imgs = ports.flatMap((p) => ['//', '///', '//%25', '//:1/'].map((t) => `<img src="http://127.0.0.1:${p}${t}">`)).join('\n');
      const html = `<!doctype html><body>${imgs}<script>
        let settled = 0;
        for (const i of document.images) { const f = () => { settled++; document.title = String(settled); }; i.onerror = f; i.onload = f; }
      </script></body>`;
      page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
      await new Promise<void>((r) => page.listen(0, '127.0.0.1', () => r()));
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await new Promise((r) => page?.close(r));
    });

    it('<img src="http://127.0.0.1:PORT//%25"> on every listener: the daemon keeps serving', async () => {
      const p = await browser.newPage();
      await p.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/`);
      // Every image settled (loaded or failed): all 12 requests were answered.
      await p.waitForFunction('document.title === String(document.images.length)', undefined, { timeout: 10_000 });
      await p.close();
      for (const [name, l] of Object.entries(listeners())) expect([name, await rawGet(l.port, l.alive)]).toEqual([name, l.ok]);
      const screen = await browser.newPage();
      const res = await screen.goto(kiosk.server.url);
      expect(res?.status()).toBe(200);
      await screen.close();
    });
  });
});
