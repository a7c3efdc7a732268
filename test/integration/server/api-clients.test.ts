// Integration API isolation (issue 17: clients could read and cancel each other's verifications, and
// 500 event streams on one verification were accepted). A verification belongs to the client that
// started it (here: the connecting address; with mutual TLS the certificate fingerprint): another client
// gets 404 for it on read, cancel and events. Event streams are capped per verification.
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { MAX_STREAMS_PER_VERIFICATION } from '../../../daemon/api/api-server.ts';
import { parseConfig } from '../../../daemon/config/config.ts';

let kiosk: Kiosk;
beforeAll(async () => {
  kiosk = await startKiosk({
    config: parseConfig({ server: { port: 0 }, api: { enabled: true, port: 0, allow: ['127.0.0.1', '127.0.0.2'] } }),
    simulated: true,
    operations: { healthServer: false, env: {} },
  });
}, 30_000);
afterAll(async () => {
  await kiosk?.stop();
});

/** One API call from `from` (a loopback address of this namespace); resolves with status + body. */
function call(from: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { host: '127.0.0.1', port: kiosk.api!.port, localAddress: from, method, path, headers: { ...(data ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        if (String(res.headers['content-type']).startsWith('text/event-stream')) return resolve({ status: res.statusCode!, body: null, res });
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null, res }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('integration API: one client cannot see or touch another client’s verification', () => {
  let id: string;
  it('client A starts a verification', async () => {
    const r = await call('127.0.0.1', 'POST', '/v1/verifications', { document: 'mynumber-jpki-auth', nonce: 'n-1' });
    expect(r.status).toBe(201);
    id = r.body.id;
    expect((await call('127.0.0.1', 'GET', `/v1/verifications/${id}`)).status).toBe(200);
  });

  it('client B gets 404 on read, events and cancel; A’s verification is untouched', async () => {
    expect((await call('127.0.0.2', 'GET', `/v1/verifications/${id}`)).status).toBe(404);
    expect((await call('127.0.0.2', 'GET', `/v1/verifications/${id}/events`)).status).toBe(404);
    expect((await call('127.0.0.2', 'DELETE', `/v1/verifications/${id}`)).status).toBe(404);
    const a = await call('127.0.0.1', 'GET', `/v1/verifications/${id}`);
    expect(a.status).toBe(200);
    expect(a.body.status).not.toBe('ended');
  });

  it(`event streams on one verification are capped at ${MAX_STREAMS_PER_VERIFICATION}`, async () => {
    const open: IncomingMessage[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_VERIFICATION; i++) {
      const r = await call('127.0.0.1', 'GET', `/v1/verifications/${id}/events`);
      expect(r.status).toBe(200);
      open.push(r.res);
    }
    const over = await call('127.0.0.1', 'GET', `/v1/verifications/${id}/events`);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('TOO_MANY_STREAMS');
    open.pop()!.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await call('127.0.0.1', 'GET', `/v1/verifications/${id}/events`);
    expect(again.status).toBe(200);
    for (const r of [...open, again.res]) r.destroy();
  });

  it('A can cancel its own', async () => {
    expect((await call('127.0.0.1', 'DELETE', `/v1/verifications/${id}`)).status).toBe(200);
  });
});
