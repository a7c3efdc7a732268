// The integration API follows a demo switch. The demo panel's mode switch turns the configured
// 'mynumber-jpki-auth' into the by-mode document 'mynumber' (daemon/demo/demo-session.ts), read as
// 'mynumber-sign' in 署名用 mode. The API used to
// keep the list it was given at start-up, so after a switch it offered a document no handler read any
// more and refused the one that was. Here a demo daemon with the API on is switched through the screen's
// WebSocket, as the panel does, and GET /v1/kiosk and POST /v1/verifications are asked before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { DemoCardSet } from '../../../drivers/sim/demo/demo-card-set.ts';

let kiosk: Kiosk;
beforeAll(async () => {
  kiosk = await startKiosk({
    config: parseConfig({ server: { port: 0 }, api: { enabled: true, port: 0 } }),
    demo: new DemoCardSet(),
    operations: { healthServer: false, env: {} },
  });
}, 30_000);
afterAll(async () => {
  await kiosk?.stop();
});

const offered = async (): Promise<string[]> => ((await (await fetch(`${kiosk.api?.url}/v1/kiosk`)).json()) as { documents: string[] }).documents;

async function start(document: string): Promise<{ status: number; code?: string }> {
  const r = await fetch(`${kiosk.api?.url}/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ document }),
  });
  const body = (await r.json()) as { error?: { code: string } };
  return { status: r.status, code: body.error?.code };
}

/** Sends the panel's switch on the screen's socket and waits for the hello that confirms it. */
async function switchDemo(mode: string): Promise<void> {
  const ws = new WebSocket(`${kiosk.server.url.replace(/^http/, 'ws').replace(/\/?(\?.*)?$/, '')}/ws?token=${kiosk.server.token}`);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as { type: string; demoSession?: { mode: string } };
        if (m.type === 'hello' && m.demoSession?.mode === 'auth') ws.send(JSON.stringify({ v: 2, type: 'demo-session', mode, policy: null }));
        if (m.type === 'hello' && m.demoSession?.mode === mode) resolve();
      });
      ws.once('error', reject);
    });
  } finally {
    ws.terminate();
  }
}

describe('integration API after a demo switch', () => {
  it('offers and starts the documents of the current session, not those of the start-up', async () => {
    expect(await offered()).toContain('mynumber-jpki-auth');
    await switchDemo('sign');
    const now = await offered();
    // The by-mode document reads under its mode's id (署名用: mynumber-sign).
    expect(now).toContain('mynumber-sign');
    expect(now).not.toContain('mynumber-jpki-auth');
    expect(await start('mynumber-jpki-auth')).toEqual({ status: 422, code: 'DOCUMENT_NOT_ENABLED' });
    expect((await start('mynumber-sign')).status).toBe(201);
  }, 30_000);
});
