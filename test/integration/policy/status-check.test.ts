// 現況確認 end to end: a jpki-sign session through the whole daemon records the signing certificate's
// issuer and serial; `idkiosk status-check` (and POST /v1/status-checks) reports it unchanged while the
// CRL store does not list it, and "revoked (details changed or card lost)" after a new CRL lists it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { issueCrl } from '../../../drivers/sim/crl-issuer.ts';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import statusCheck from '../../../daemon/cli/commands/status-check.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { importCrl } from '../../../daemon/trust/crl/importer.ts';
import { CrlRevocationChecker } from '../../../daemon/trust/crl/checker.ts';
import { runStatusCheck } from '../../../daemon/policy/status-check.ts';
import { waitUntil } from '../../harness/jpki.ts';
import { cas, fullCard } from '../../unit/mynumber/helpers.ts';

let dir: string;
let kiosk: Kiosk;
let configFile: string;
const card = fullCard();
const signCert = card.pki.signCert!;

function publishCrl(n: number, revokedSerials: string[]) {
  const f = join(dir, `sign-${n}.crl`);
  writeFileSync(
    f,
    issueCrl(cas().signCa, { crlNumber: n, revoked: revokedSerials.map((serial) => ({ serial, date: new Date(Date.now() - 60_000), reason: 3 })) }),
  );
  importCrl(join(dir, 'crl'), f, cas().signCa.x509);
}

async function cli(...args: string[]) {
  let out = '';
  const code = await statusCheck.run(['--config', configFile, ...args], { stdout: (t) => (out += t), stderr: (t) => (out += t), readStdin: async () => '' });
  return { code, out };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-status-check-'));
  writeFileSync(join(dir, 'sign-ca.pem'), cas().signCa.pem);
  publishCrl(1, []);
  const raw = {
    kioskId: 'kiosk-sc',
    server: { port: 0 },
    reader: { backend: 'simulated' },
    documents: ['mynumber-sign'],
    trust: { jpkiSign: [join(dir, 'sign-ca.pem')] },
    revocation: { crlDb: join(dir, 'crl') },
    audit: { db: join(dir, 'audit.db') },
    health: { port: 0, diskPath: dir },
    api: { enabled: true, port: 0 },
    printer: { transport: 'memory' },
    walkUpPolicy: 'jpki-sign',
  };
  configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(raw));
  kiosk = await startKiosk({ config: parseConfig(raw), simulated: true });
  let prev: KioskState['phase'] = 'idle';
  kiosk.runtime.events.on('state', (s) => {
    if (s.phase === 'secret-entry' && prev !== 'secret-entry') setImmediate(() => [...'ABC123XYZ', 'enter'].forEach((k) => kiosk.runtime.key(k)));
    prev = s.phase;
  });
  let ended = false;
  kiosk.runtime.events.on('session-ended', () => (ended = true));
  (kiosk.reader as SimulatedReaderDriver).insert(card.card);
  await waitUntil(() => ended, 20_000, 'session');
  (kiosk.reader as SimulatedReaderDriver).remove();
}, 60_000);

afterAll(async () => {
  await kiosk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('status-check (現況確認)', () => {
  it('the session was verified under jpki-sign and its audit record names issuer + serial', () => {
    const result = kiosk.runtime.getState().result!;
    expect(result).toMatchObject({ outcome: 'verified', document: 'mynumber-sign', policy: { name: 'jpki-sign', age: null } });
    const body = JSON.parse((kiosk.operations.audit!.store.db.prepare('SELECT body FROM records').get() as { body: string }).body);
    expect(body.certificate).toMatchObject({
      serial: signCert.x509.serialNumber.toLowerCase(),
      issuerFingerprintSha256: cas().signCa.x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
    expect(body.policy.legal.entries).toContain('mynumber-sign/aml-current');
  });

  it('unchanged while no CRL lists it; revoked after a new CRL does (CLI and API)', async () => {
    const before = await cli();
    expect(before.code).toBe(0);
    expect(before.out).toContain(`${signCert.x509.serialNumber}  unchanged  [crl`);

    publishCrl(2, [signCert.x509.serialNumber]);
    const after = await cli('--json');
    expect(after.code).toBe(1);
    const report = JSON.parse(after.out);
    expect(report.counts).toEqual({ unchanged: 0, revoked: 1, unknown: 0 });
    expect(report.certificates[0]).toMatchObject({
      serialNumber: signCert.x509.serialNumber,
      state: 'revoked',
      summary: 'revoked (details changed or card lost)',
      source: 'crl',
      reason: 'affiliationChanged',
      records: [1],
    });

    const res = await fetch(`${kiosk.api!.url}/v1/status-checks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ counts: { revoked: 1 }, certificates: [{ state: 'revoked' }] });
  });

  it("follows a platform operator's old→new linkage to the successor certificate", async () => {
    const crl = new CrlRevocationChecker({ store: join(dir, 'crl') });
    const asked: string[] = [];
    const report = await runStatusCheck({
      auditDb: join(dir, 'audit.db'),
      issuers: [cas().signCa.x509],
      sources: [crl],
      platform: {
        status: async (q) => (
          asked.push(`${q.issuerFingerprintSha256}/${q.serialNumber}`), { status: 'revoked', checkedAt: '2026-11-24T00:00:00.000Z', successorSerial: '7e57' }
        ),
      },
    });
    crl.close();
    expect(asked).toEqual([`${cas().signCa.x509.fingerprint256.replace(/:/g, '')}/${signCert.x509.serialNumber}`]);
    // The CRL (definite answer) decides this certificate; the successor is checked against the same sources.
    expect(report.certificates[0]).toMatchObject({ state: 'revoked', source: 'crl', successor: { serialNumber: '7E57', state: 'unchanged' } });
  });

  it('--since after the session: nothing to check', async () => {
    const r = await cli('--since', new Date(Date.now() + 60_000).toISOString());
    expect(r.out).toContain('0 certificates');
    expect(r.code).toBe(0);
  });
});
