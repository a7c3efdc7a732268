// Shared fixtures for JPKI tests: one synthetic CA per test file, cards issued on demand, and revocation
// stubs (the CRL store has its own tests; these tests are about the card and reader path).
import { createJpkiAuthCa, type TestCertificate } from '../../drivers/sim/pki.ts';
import { createVirtualMyNumberCard, type VirtualMyNumberOptions } from '../../drivers/sim/mynumber/index.ts';
import type { RevocationChecker } from '../../daemon/trust/revocation.ts';
import { TrustStore } from '../../daemon/trust/trust-store.ts';

let ca: TestCertificate | null = null;

export function testCa(): TestCertificate {
  return (ca ??= createJpkiAuthCa());
}

export function testTrust(): TrustStore {
  return new TrustStore([testCa().x509]);
}

export function jpkiCardAndPki(o: VirtualMyNumberOptions = {}) {
  return createVirtualMyNumberCard({ authCa: testCa(), pin: '1234', ...o });
}

export function jpkiCard(o: VirtualMyNumberOptions = {}) {
  return jpkiCardAndPki(o).card;
}

export const revocationGood: RevocationChecker = {
  async check() {
    return { status: 'good', source: 'crl', checkedAt: new Date().toISOString() };
  },
};

export const revocationRevoked: RevocationChecker = {
  async check() {
    return { status: 'revoked', source: 'crl', checkedAt: new Date().toISOString(), revokedAt: '2026-01-01T00:00:00.000Z', reason: 'keyCompromise' };
  },
};

export async function waitUntil(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
