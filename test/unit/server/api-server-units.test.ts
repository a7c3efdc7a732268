// The integration API's pieces on their own (daemon/api/api-server.ts): the event-stream quota and the
// GET /v1/kiosk body. Limits and fields as docs/integration-api.md states them (4 streams per
// verification, 16 per client; busy unless idle or showing a result with no request pending).
import { describe, expect, it } from 'vitest';
import { kioskInfo, MAX_STREAMS_PER_CLIENT, MAX_STREAMS_PER_VERIFICATION, StreamQuota } from '../../../daemon/api/api-server.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import type { KioskRuntime } from '../../../daemon/kiosk/runtime.ts';

describe('StreamQuota', () => {
  it('allows 4 streams per verification and 16 per client, and forgets closed ones', () => {
    expect([MAX_STREAMS_PER_VERIFICATION, MAX_STREAMS_PER_CLIENT]).toEqual([4, 16]);
    const q = new StreamQuota();
    for (let i = 0; i < 4; i++) expect(q.take('v1', 'alice')).toBe(true);
    expect(q.take('v1', 'alice')).toBe(false);
    expect(q.take('v1', 'bob')).toBe(false); // the verification's limit, whoever asks
    for (let i = 2; i <= 13; i++) expect(q.take(`v${i}`, 'alice')).toBe(true); // 16 for alice now
    expect(q.take('v99', 'alice')).toBe(false);
    expect(q.take('v99', 'bob')).toBe(true);
    q.release('v1', 'alice');
    expect(q.take('v99', 'alice')).toBe(true);
    for (let i = 0; i < 3; i++) q.release('v1', 'alice');
    for (let i = 2; i <= 13; i++) q.release(`v${i}`, 'alice');
    q.release('v99', 'alice');
    q.release('v99', 'bob');
    expect(q.size()).toBe(0);
  });
});

describe('kioskInfo', () => {
  const key = DeviceKey.ephemeral();
  const runtime = (phase: string, request: unknown = null) => ({ getState: () => ({ phase, blockedBy: [], request }) }) as unknown as KioskRuntime;
  it('is busy unless idle or showing a result with no request pending', () => {
    const base = { kioskId: 'k1', version: '1.0.0', offer: () => ({ documents: ['mynumber'] }), deviceKey: key };
    expect(kioskInfo({ ...base, runtime: runtime('idle') })).toMatchObject({
      apiVersion: 1,
      kioskId: 'k1',
      documents: ['mynumber'],
      state: { phase: 'idle', busy: false },
    });
    expect(kioskInfo({ ...base, runtime: runtime('result') })).toMatchObject({ state: { busy: false } });
    expect(kioskInfo({ ...base, runtime: runtime('idle', { id: 'x' }) })).toMatchObject({ state: { busy: true } });
    expect(kioskInfo({ ...base, runtime: runtime('secret-entry') })).toMatchObject({ state: { busy: true } });
    expect(kioskInfo({ ...base, runtime: runtime('idle') }).deviceKey).toMatchObject({ kty: 'EC', crv: 'P-256' });
  });
});
