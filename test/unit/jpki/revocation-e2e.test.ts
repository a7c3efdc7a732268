// The JPKI verdict with the real CRL store behind it: a CRL issued by the synthetic CA is imported into a
// store on disk; good, revoked and stale answers reach the verdict, and only "good" verifies.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueCrl } from '../../../drivers/sim/crl-issuer.ts';
import { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { jpkiAuthFlow } from '../../../daemon/documents/mynumber/jpki-auth-flow.ts';
import { KioskRuntime } from '../../../daemon/kiosk/runtime.ts';
import { CrlRevocationChecker } from '../../../daemon/trust/crl/checker.ts';
import { importCrl } from '../../../daemon/trust/crl/importer.ts';
import { jpkiCardAndPki, testCa, testTrust, waitUntil } from '../../harness/jpki.ts';

function storeWith(crl: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-crlstore-'));
  const file = join(dir, 'ca.crl');
  writeFileSync(file, crl);
  importCrl(join(dir, 'store'), file, testCa().x509);
  return join(dir, 'store');
}

async function session(checker: CrlRevocationChecker, card: ReturnType<typeof jpkiCardAndPki>['card']) {
  const reader = new SimulatedReaderDriver();
  const runtime = new KioskRuntime({ reader, flow: jpkiAuthFlow({ trust: testTrust(), revocation: checker }) });
  runtime.start();
  reader.insert(card);
  await waitUntil(() => runtime.getState().phase === 'secret-entry');
  for (const k of '1234') runtime.key(k);
  runtime.key('enter');
  await waitUntil(() => runtime.getState().phase === 'result');
  const result = runtime.getState().result!;
  await runtime.stop();
  return result;
}

describe('JPKI verdict with the CRL store', () => {
  it('good: verified', async () => {
    const { card } = jpkiCardAndPki();
    const checker = new CrlRevocationChecker({ store: storeWith(issueCrl(testCa())) });
    expect(await session(checker, card)).toMatchObject({ outcome: 'verified', revocation: 'good' });
  });

  it('revoked: refused with TRUST_REVOKED', async () => {
    const { card, pki } = jpkiCardAndPki();
    const crl = issueCrl(testCa(), { revoked: [{ serial: pki.authCert.x509.serialNumber, date: new Date(Date.now() - 86400e3), reason: 1 }] });
    const result = await session(new CrlRevocationChecker({ store: storeWith(crl) }), card);
    expect(result).toMatchObject({ outcome: 'refused', revocation: 'revoked', reasons: ['TRUST_REVOKED'] });
  });

  it('stale CRL (past nextUpdate): unknown, and the kiosk refuses', async () => {
    const { card } = jpkiCardAndPki();
    const crl = issueCrl(testCa(), { thisUpdate: new Date(Date.now() - 10 * 86400e3), nextUpdate: new Date(Date.now() - 86400e3) });
    const result = await session(new CrlRevocationChecker({ store: storeWith(crl) }), card);
    expect(result).toMatchObject({ outcome: 'refused', revocation: 'unknown', reasons: ['TRUST_REVOCATION_UNKNOWN'] });
  });
});
