// Heartbeat retries with backoff while the collector fails, then settles to the interval; every beat is
// signed over the exact body and refused by TLS when the collector's certificate is not trusted.
import { describe, expect, it } from 'vitest';
import { DeviceKey, verifyEs256 } from '../../../daemon/device/device-key.ts';
import type { HealthSnapshot } from '../../../daemon/health/health-state.ts';
import { Heartbeat } from '../../../daemon/health/heartbeat.ts';
import { selfSigned, startHttps } from '../audit/tls-server.ts';

const snapshot = () =>
  ({ status: 'ok', faults: [], kioskId: 'k', lastSession: { time: 't', document: 'license', outcome: 'verified', reasons: [] } }) as unknown as HealthSnapshot;

describe('heartbeat', () => {
  it('backs off on failure, recovers, and signs each beat', async () => {
    const tls = selfSigned();
    const key = DeviceKey.ephemeral();
    const times: number[] = [];
    let sigOk = 0;
    const seqs: number[] = [];
    const srv = await startHttps(tls, (req, body, res) => {
      times.push(Date.now());
      if (verifyEs256(key.publicKey, body, Buffer.from(String(req.headers['x-idkiosk-signature']), 'base64url'))) sigOk++;
      seqs.push(JSON.parse(body.toString()).seq);
      res.writeHead(times.length <= 3 ? 503 : 204).end();
    });
    const hb = new Heartbeat({
      target: { url: `${srv.url}/hb`, ca: tls.cert },
      key,
      intervalMs: 60_000,
      snapshot,
      identity: { kioskId: 'k', site: null, operator: null },
      backoff: { baseMs: 40, maxMs: 1000 },
    });
    try {
      hb.start();
      const end = Date.now() + 5000;
      while (times.length < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(times.length).toBe(4); // three failures retried quickly, then success
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(gaps[2]!).toBeGreaterThanOrEqual(gaps[0]! * 0.9); // backoff grows (with jitter ≥ half)
      const settle = Date.now() + 2000;
      while (hb.lastError !== null && Date.now() < settle) await new Promise((r) => setTimeout(r, 10));
      expect(hb.lastError).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
      expect(times.length).toBe(4); // now waits the full interval
      expect(sigOk).toBe(4);
      expect(seqs).toEqual([1, 2, 3, 4]);
    } finally {
      hb.stop();
      await srv.close();
    }
  });

  it('an untrusted collector certificate is a failure, not a silent success', async () => {
    const tls = selfSigned();
    let hits = 0;
    const srv = await startHttps(tls, (_q, _b, res) => {
      hits++;
      res.writeHead(204).end();
    });
    const hb = new Heartbeat({
      target: { url: `${srv.url}/hb` },
      key: DeviceKey.ephemeral(),
      intervalMs: 60_000,
      snapshot,
      identity: { kioskId: 'k', site: null, operator: null },
    });
    try {
      expect(await hb.beat()).toBe(false);
      expect(hb.lastError).toMatch(/self[- ]signed|certificate/i);
      expect(hits).toBe(0);
    } finally {
      await srv.close();
    }
  });
});
