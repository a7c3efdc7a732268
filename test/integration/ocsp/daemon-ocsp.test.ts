// OCSP in the running daemon (revocation.ocsp + revocation.crlDb): a jpki-sign session's verdict, audit
// record and signed API result name the source that answered and when; with a responder that never
// answers, the session still ends promptly on the CRL store's answer. `openssl ocsp` is the responder
// (run inside scripts/in-testnet.sh: its -port binds every address).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { issueCrl } from '../../../drivers/sim/crl-issuer.ts';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { verifyResultToken } from '../../../daemon/api/result-token.ts';
import { importCrl } from '../../../daemon/trust/crl/importer.ts';
import type { PlatformStatusApi } from '../../../daemon/trust/ocsp/platform-status.ts';
import { waitUntil } from '../../harness/jpki.ts';
import { indexLine, useOcspResponders, writeOcspDatabase } from '../../harness/openssl.ts';
import { cas, fullCard } from '../../unit/mynumber/helpers.ts';

const card = fullCard();
const env = useOcspResponders('idkiosk-daemon-ocsp-', (dir) => {
  const ca = cas().signCa;
  writeFileSync(join(dir, 'ca.crl'), issueCrl(ca, { crlNumber: 5 }));
  importCrl(join(dir, 'crl'), join(dir, 'ca.crl'), ca.x509);
  return writeOcspDatabase(dir, ca, [indexLine(card.pki.signCert!, 'card')]);
});

async function kioskWith(ocspUrl: string, timeoutMs: number, platformStatus?: PlatformStatusApi): Promise<Kiosk> {
  const k = await startKiosk({
    config: parseConfig({
      server: { port: 0 },
      reader: { backend: 'simulated' },
      documents: ['mynumber-sign'],
      trust: { jpkiSign: [join(env.dir, 'ca.pem')] },
      revocation: { crlDb: join(env.dir, 'crl'), ocsp: { url: ocspUrl, timeoutMs } },
      audit: { db: join(env.dir, `audit-${Date.now()}.db`) },
      health: { port: 0, diskPath: env.dir },
      api: { enabled: true, port: 0 },
      printer: { transport: 'memory' },
    }),
    simulated: true,
    platformStatus,
  });
  let prev: KioskState['phase'] = 'idle';
  k.runtime.events.on('state', (s) => {
    if (s.phase === 'secret-entry' && prev !== 'secret-entry') setImmediate(() => [...'ABC123XYZ', 'enter'].forEach((c) => k.runtime.key(c)));
    prev = s.phase;
  });
  return k;
}

async function sessionByApi(k: Kiosk): Promise<{ result: ResultView; token: string; ms: number }> {
  const res = await fetch(`${k.api!.url}/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ policy: 'jpki-sign', nonce: 'n' }),
  });
  const { id } = (await res.json()) as { id: string };
  let result: ResultView | null = null;
  k.runtime.events.on('session-ended', (e) => (result = e.result));
  const t0 = Date.now();
  (k.reader as SimulatedReaderDriver).insert(card.card);
  await waitUntil(() => result !== null, 20_000, 'session end');
  const ms = Date.now() - t0;
  (k.reader as SimulatedReaderDriver).remove();
  let token = '';
  for (let i = 0; i < 50 && !token; i++) {
    const v = (await (await fetch(`${k.api!.url}/v1/verifications/${id}`)).json()) as { result: { token: string } | null };
    token = v.result?.token ?? '';
    if (!token) await new Promise((r) => setTimeout(r, 20));
  }
  return { result: result!, token, ms };
}

describe('OCSP in the daemon', () => {
  it('network up: OCSP answers; the verdict, the audit record and the JWS name it and its time', async () => {
    const k = await kioskWith(`${env.responder.url}/`, 3000);
    try {
      const { result, token } = await sessionByApi(k);
      expect(result).toMatchObject({ outcome: 'verified', revocation: 'good', revocationDetail: { source: 'ocsp' } });
      const checkedAt = result.revocationDetail!.checkedAt;
      expect(Math.abs(Date.parse(checkedAt) - Date.now())).toBeLessThan(60_000);
      const audit = JSON.parse((k.operations.audit!.store.db.prepare('SELECT body FROM records').get() as { body: string }).body);
      expect(audit.revocation).toMatchObject({ status: 'good', source: 'ocsp', checkedAt });
      const claims = verifyResultToken(token, k.deviceKey.publicKey);
      expect(claims).toMatchObject({ valid: true, claims: { revocation: 'good', revocationSource: { source: 'ocsp', checkedAt } } });
    } finally {
      await k.stop();
    }
  }, 30_000);

  it("a platform operator's status API, when given, answers first (revoked: the holder's details changed)", async () => {
    const k = await kioskWith(`${env.responder.url}/`, 3000, {
      status: async () => ({ status: 'revoked', checkedAt: '2026-11-24T00:00:00.000Z', revokedAt: '2026-11-23T00:00:00.000Z', reason: 'affiliationChanged' }),
    });
    try {
      const { result } = await sessionByApi(k);
      expect(result).toMatchObject({
        outcome: 'refused',
        revocation: 'revoked',
        reasons: expect.arrayContaining(['TRUST_REVOKED']),
        revocationDetail: { source: 'platform', checkedAt: '2026-11-24T00:00:00.000Z' },
      });
    } finally {
      await k.stop();
    }
  }, 30_000);

  it('responder hangs: the session ends within the deadline on the CRL store, named as the source', async () => {
    const k = await kioskWith(`http://127.0.0.1:${env.silent.port}/`, 400);
    try {
      const { result, ms } = await sessionByApi(k);
      expect(result).toMatchObject({ outcome: 'verified', revocation: 'good', revocationDetail: { source: 'crl', crlNumber: '5' } });
      expect(ms).toBeLessThan(5000);
    } finally {
      await k.stop();
    }
  }, 30_000);
});
