// The OCSP client against `openssl ocsp` as the responder (its -port takes no address: run inside scripts/in-testnet.sh, where only loopback exists) (index file: one good, one revoked
// certificate; a third the CA never told the responder about), and against a responder that never
// answers: the strict deadline holds and the CRL store answers instead (FallbackRevocationChecker).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCrl } from '../../../drivers/sim/crl-issuer.ts';
import { createJpkiSignCa, generateRsaKeyPair, issueJpkiSignCert, type TestCertificate } from '../../../drivers/sim/pki.ts';
import { CrlRevocationChecker } from '../../../daemon/trust/crl/checker.ts';
import { importCrl } from '../../../daemon/trust/crl/importer.ts';
import { FallbackRevocationChecker } from '../../../daemon/trust/ocsp/fallback-checker.ts';
import { OcspRevocationChecker } from '../../../daemon/trust/ocsp/ocsp-checker.ts';
import { PlatformRevocationChecker } from '../../../daemon/trust/ocsp/platform-status.ts';

let dir: string;
let ca: TestCertificate;
let good: TestCertificate;
let revoked: TestCertificate;
let unknown: TestCertificate;
let responder: ChildProcess;
let port: number;
let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const opensslTime = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-ocsp-'));
  ca = createJpkiSignCa();
  const keyPair = generateRsaKeyPair();
  good = issueJpkiSignCert(ca, { keyPair });
  revoked = issueJpkiSignCert(ca, { keyPair });
  unknown = issueJpkiSignCert(ca, { keyPair });
  writeFileSync(join(dir, 'ca.pem'), ca.pem);
  writeFileSync(join(dir, 'ca.key'), ca.privateKeyPem);
  const exp = opensslTime(new Date(Date.now() + 365 * 86400_000));
  const revokedAt = opensslTime(new Date(Date.now() - 3600_000));
  writeFileSync(
    join(dir, 'index.txt'),
    [`V\t${exp}\t\t${good.x509.serialNumber}\tunknown\t/CN=good`, `R\t${exp}\t${revokedAt},keyCompromise\t${revoked.x509.serialNumber}\tunknown\t/CN=revoked`, ''].join('\n'),
  );
  port = await freePort();
  responder = spawn('openssl', ['ocsp', '-index', join(dir, 'index.txt'), '-port', String(port), '-rsigner', join(dir, 'ca.pem'), '-rkey', join(dir, 'ca.key'), '-CA', join(dir, 'ca.pem'), '-ignore_err'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Ready when it says so (a probe connection would block the single-threaded responder).
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${text}`)), 10_000);
    responder.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('waiting for OCSP client connections')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  // A responder that accepts the connection and never answers.
  silent = createServer((s) => sockets.push(s)).listen(0, '127.0.0.1');
  await new Promise((r) => silent.once('listening', r));
  silentPort = (silent.address() as { port: number }).port;
}, 30_000);

afterAll(() => {
  responder?.kill();
  for (const s of sockets) s.destroy();
  silent?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ocsp = () => new OcspRevocationChecker({ url: `http://127.0.0.1:${port}/`, timeoutMs: 3000 });

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
    const crlFile = join(dir, 'ca.crl');
    writeFileSync(crlFile, issueCrl(ca, { revoked: [{ serial: revoked.x509.serialNumber, date: new Date(Date.now() - 86400_000), reason: 1 }], crlNumber: 7 }));
    importCrl(join(dir, 'crl'), crlFile, ca.x509);
    const crl = new CrlRevocationChecker({ store: join(dir, 'crl') });
    const hung = new OcspRevocationChecker({ url: `http://127.0.0.1:${silentPort}/`, timeoutMs: 300, retryAfterMs: 10_000 });
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
    const crl = new CrlRevocationChecker({ store: join(dir, 'crl') });
    const r = await new FallbackRevocationChecker([new OcspRevocationChecker({ url: `http://127.0.0.1:${p}/`, timeoutMs: 1000 }), crl]).check(good.x509, ca.x509);
    expect(r).toMatchObject({ status: 'good', source: 'crl', tried: [{ source: 'ocsp', reason: 'OCSP_UNAVAILABLE' }] });
    crl.close();
  });

  it('OCSP answers first when it is up (the CRL is not consulted)', async () => {
    const never = { check: async () => { throw new Error('CRL must not be asked'); } };
    expect(await new FallbackRevocationChecker([ocsp(), never]).check(good.x509, ca.x509)).toMatchObject({ status: 'good', source: 'ocsp' });
  });

  it('platform-operator adapter: an adapter that hangs is cut at its deadline', async () => {
    const hang = new PlatformRevocationChecker({ status: () => new Promise(() => {}) }, 200);
    const t0 = Date.now();
    expect(await hang.check(good.x509, ca.x509)).toMatchObject({ status: 'unknown', source: 'platform', reason: 'OCSP_TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(1000);
    const ok = new PlatformRevocationChecker({ status: async (q) => ({ status: q.serialNumber === revoked.x509.serialNumber.toUpperCase() ? 'revoked' : 'good', checkedAt: '2026-11-24T00:00:00.000Z' }) });
    expect(await ok.check(revoked.x509, ca.x509)).toMatchObject({ status: 'revoked', source: 'platform' });
  });
});
