// The OCSP client against `openssl ocsp` as the responder (its -port takes no address: run inside scripts/in-testnet.sh, where only loopback exists) (index file: one good, one revoked
// certificate; a third the CA never told the responder about), and against a responder that never
// answers: the strict deadline holds and the CRL store answers instead (FallbackRevocationChecker).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCrl } from '../../../drivers/sim/crl-issuer.ts';
import { createJpkiSignCa, generateRsaKeyPair, issueJpkiSignCert, type TestCertificate } from '../../../drivers/sim/pki.ts';
import { CrlRevocationChecker } from '../../../daemon/trust/crl/checker.ts';
import { importCrl } from '../../../daemon/trust/crl/importer.ts';
import { FallbackRevocationChecker } from '../../../daemon/trust/ocsp/fallback-checker.ts';
import { OcspRevocationChecker } from '../../../daemon/trust/ocsp/ocsp-checker.ts';
import { PlatformRevocationChecker } from '../../../daemon/trust/ocsp/platform-status.ts';
import { certIdFor, encodeRequest } from '../../../daemon/trust/ocsp/ocsp-message.ts';
import { postOcsp } from '../../../daemon/trust/ocsp/ocsp-checker.ts';
import { createServer as createHttpServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../harness/net.ts';
import { indexLine, opensslTime, useOcspResponders, writeOcspDatabase } from '../../harness/openssl.ts';

let ca: TestCertificate;
let good: TestCertificate;
let revoked: TestCertificate;
let unknown: TestCertificate;

const env = useOcspResponders('idkiosk-ocsp-', (dir) => {
  ca = createJpkiSignCa();
  const keyPair = generateRsaKeyPair();
  good = issueJpkiSignCert(ca, { keyPair });
  revoked = issueJpkiSignCert(ca, { keyPair });
  unknown = issueJpkiSignCert(ca, { keyPair });
  const exp = opensslTime(new Date(Date.now() + 365 * 86400_000));
  const revokedAt = opensslTime(new Date(Date.now() - 3600_000));
  return writeOcspDatabase(dir, ca, [
    indexLine(good, 'good', { expires: exp }),
    indexLine(revoked, 'revoked', { expires: exp, revoked: `${revokedAt},keyCompromise` }),
  ]);
});

const ocsp = () => new OcspRevocationChecker({ url: `${env.responder.url}/`, timeoutMs: 3000 });

describe('OCSP against openssl ocsp', () => {
  it('good', async () => {
    const r = await ocsp().check(good.x509, ca.x509);
    expect(r).toMatchObject({ status: 'good', source: 'ocsp' });
    expect(Date.parse(r.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('revoked, with time and reason', async () => {
    const r = await ocsp().check(revoked.x509, ca.x509);
    expect(r).toMatchObject({ status: 'revoked', source: 'ocsp', reason: 'keyCompromise' });
    if (r.status === 'revoked') expect(Math.abs(Date.parse(r.revokedAt) - (Date.now() - 3600_000))).toBeLessThan(120_000);
  });

  it('unknown (the responder has no record of it) is never good', async () => {
    expect(await ocsp().check(unknown.x509, ca.x509)).toMatchObject({ status: 'unknown', source: 'ocsp', reason: 'TRUST_REVOCATION_UNKNOWN' });
  });

  it('a response for another CA does not verify: unknown (bad response)', async () => {
    const other = createJpkiSignCa();
    const stranger = issueJpkiSignCert(other, { keyPair: generateRsaKeyPair() });
    const r = await ocsp().check(stranger.x509, other.x509);
    expect(r.status).toBe('unknown');
    // openssl signs with its own CA key: the signature does not verify under the certificate's issuer.
    if (r.status === 'unknown') expect(r.reason).toBe('OCSP_BAD_RESPONSE');
  }, 20_000);
});

describe('timeout → CRL fallback', () => {
  it('a responder that never answers costs at most the deadline; the CRL store answers and is named', async () => {
    const crlFile = join(env.dir, 'ca.crl');
    writeFileSync(crlFile, issueCrl(ca, { revoked: [{ serial: revoked.x509.serialNumber, date: new Date(Date.now() - 86400_000), reason: 1 }], crlNumber: 7 }));
    importCrl(join(env.dir, 'crl'), crlFile, ca.x509);
    const crl = new CrlRevocationChecker({ store: join(env.dir, 'crl') });
    const hung = new OcspRevocationChecker({ url: `http://127.0.0.1:${env.silent.port}/`, timeoutMs: 300, retryAfterMs: 10_000 });
    const chain = new FallbackRevocationChecker([hung, crl]);

    const t0 = Date.now();
    const r1 = await chain.check(revoked.x509, ca.x509);
    const elapsed = Date.now() - t0;
    expect(r1).toMatchObject({ status: 'revoked', source: 'crl', crlNumber: '7', tried: [{ source: 'ocsp', reason: 'OCSP_TIMEOUT' }] });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);

    // Offline now: the next session does not wait for the responder again.
    const t1 = Date.now();
    const r2 = await chain.check(good.x509, ca.x509);
    expect(r2).toMatchObject({ status: 'good', source: 'crl', tried: [{ source: 'ocsp', reason: 'OCSP_UNAVAILABLE' }] });
    expect(Date.now() - t1).toBeLessThan(200);
    crl.close();
  });

  it('nothing listening: unreachable, then the CRL', async () => {
    const p = await freePort();
    const crl = new CrlRevocationChecker({ store: join(env.dir, 'crl') });
    const r = await new FallbackRevocationChecker([new OcspRevocationChecker({ url: `http://127.0.0.1:${p}/`, timeoutMs: 1000 }), crl]).check(
      good.x509,
      ca.x509,
    );
    expect(r).toMatchObject({ status: 'good', source: 'crl', tried: [{ source: 'ocsp', reason: 'OCSP_UNAVAILABLE' }] });
    crl.close();
  });

  it('OCSP up and the CRL store agree: good, and the freshest answer is the one named', async () => {
    const crl = new CrlRevocationChecker({ store: join(env.dir, 'crl') });
    const r = await new FallbackRevocationChecker([ocsp(), crl]).check(good.x509, ca.x509);
    expect(r.status).toBe('good');
    crl.close();
  });

  it('platform-operator adapter: an adapter that hangs is cut at its deadline', async () => {
    const hang = new PlatformRevocationChecker({ status: () => new Promise(() => {}) }, 200);
    const t0 = Date.now();
    expect(await hang.check(good.x509, ca.x509)).toMatchObject({ status: 'unknown', source: 'platform', reason: 'OCSP_TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(1000);
    const ok = new PlatformRevocationChecker({
      status: async (q) => ({ status: q.serialNumber === revoked.x509.serialNumber.toUpperCase() ? 'revoked' : 'good', checkedAt: '2026-11-24T00:00:00.000Z' }),
    });
    expect(await ok.check(revoked.x509, ca.x509)).toMatchObject({ status: 'revoked', source: 'platform' });
  });
});

// Replay: an attacker between the kiosk and the responder (or a caching proxy) answers with a `good`
// response captured before the certificate was revoked. It is validly signed and within its validity, so
// only the nonce (or, where the responder never echoes nonces, the producedAt window) and the CRL store can
// tell. The captured bytes come from openssl itself.
describe('replayed OCSP answers never beat a revocation', () => {
  let replay: ReturnType<typeof createHttpServer>;
  let replayPort: number;
  let captured: Buffer = Buffer.alloc(0);
  let store: string;

  beforeAll(async () => {
    replay = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(captured));
    }).listen(0, '127.0.0.1');
    await new Promise((r) => replay.once('listening', r));
    replayPort = (replay.address() as { port: number }).port;
    // The CRL published after the revocation lists `good` (openssl's index still says V: the capture predates it).
    store = join(env.dir, 'crl-replay');
    const crlFile = join(env.dir, 'after-revocation.crl');
    writeFileSync(crlFile, issueCrl(ca, { revoked: [{ serial: good.x509.serialNumber, date: new Date(Date.now() - 600_000), reason: 1 }], crlNumber: 9 }));
    importCrl(store, crlFile, ca.x509);
  });
  afterAll(() => replay?.close());

  const capture = async (nonce: Buffer | null) => {
    captured = await postOcsp(`${env.responder.url}/`, encodeRequest(certIdFor(good.x509, ca.x509), nonce), 3000);
  };
  const replayed = (o: { nonce?: 'required' | 'freshness'; freshnessSeconds?: number } = {}) =>
    new OcspRevocationChecker({ url: `http://127.0.0.1:${replayPort}/`, timeoutMs: 3000, retryAfterMs: 0, ...o });

  it('a response captured with another nonce: unknown on its own, revoked with the CRL store', async () => {
    await capture(randomBytes(16));
    expect(await replayed().check(good.x509, ca.x509)).toMatchObject({ status: 'unknown', source: 'ocsp', reason: 'OCSP_BAD_RESPONSE' });
    const crl = new CrlRevocationChecker({ store });
    const r = await new FallbackRevocationChecker([replayed(), crl]).check(good.x509, ca.x509);
    expect(r).toMatchObject({ status: 'revoked', source: 'crl', crlNumber: '9', tried: [{ source: 'ocsp', reason: 'OCSP_BAD_RESPONSE' }] });
    crl.close();
  });

  it('a response without a nonce echo is refused by default', async () => {
    await capture(null);
    expect(await replayed().check(good.x509, ca.x509)).toMatchObject({ status: 'unknown', reason: 'OCSP_BAD_RESPONSE' });
  });

  it('freshness mode accepts a fresh echo-less answer, yet the CRL revocation still wins', async () => {
    await capture(null);
    expect(await replayed({ nonce: 'freshness' }).check(good.x509, ca.x509)).toMatchObject({ status: 'good', source: 'ocsp' });
    const crl = new CrlRevocationChecker({ store });
    expect(await new FallbackRevocationChecker([replayed({ nonce: 'freshness' }), crl]).check(good.x509, ca.x509)).toMatchObject({
      status: 'revoked',
      source: 'crl',
    });
    crl.close();
  });

  it('freshness mode refuses an echo-less answer produced before the window', async () => {
    await capture(null);
    const later = new OcspRevocationChecker({
      url: `http://127.0.0.1:${replayPort}/`,
      timeoutMs: 3000,
      retryAfterMs: 0,
      nonce: 'freshness',
      freshnessSeconds: 60,
      now: () => new Date(Date.now() + 10 * 60_000),
    });
    expect(await later.check(good.x509, ca.x509)).toMatchObject({ status: 'unknown', reason: 'OCSP_BAD_RESPONSE' });
  });
});
