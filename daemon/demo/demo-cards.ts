// Demo mode only: virtual My Number cards placed on the in-process simulated reader from the screen's
// demo panel. One synthetic CA per daemon run, with a CRL store of its own (one pre-made card is listed
// as revoked), so the demo goes through the same trust and revocation path as production.
import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCrl } from '../../drivers/sim/crl-issuer.ts';
import { createJpkiAuthCa, type TestCertificate } from '../../drivers/sim/pki.ts';
import { createVirtualMyNumberCard, type MyNumberCard } from '../../drivers/sim/mynumber/index.ts';
import type { SimulatedReaderDriver } from '../../drivers/reader/simulated-binding.ts';
import type { VirtualCard } from '../../drivers/sim/virtual-card.ts';
import type { DemoCard } from '../server/protocol.ts';
import { CrlRevocationChecker } from '../trust/crl/checker.ts';
import { importCrl } from '../trust/crl/importer.ts';
import type { RevocationChecker } from '../trust/revocation.ts';

/** The synthetic PIN of every demo card (shown on the demo panel). */
export const DEMO_PIN = '1234';

export class DemoCards {
  readonly ca: TestCertificate = createJpkiAuthCa();
  readonly revocation: RevocationChecker;
  private readonly dir = mkdtempSync(join(tmpdir(), 'idkiosk-demo-'));
  private readonly revokedCard: MyNumberCard;

  constructor(private readonly reader: SimulatedReaderDriver) {
    const revoked = createVirtualMyNumberCard({ authCa: this.ca, pin: DEMO_PIN });
    this.revokedCard = revoked.card;
    const crlFile = join(this.dir, 'demo-ca.crl');
    writeFileSync(
      crlFile,
      issueCrl(this.ca, { revoked: [{ serial: revoked.pki.authCert.x509.serialNumber, date: new Date(Date.now() - 86400_000), reason: 1 }] }),
    );
    importCrl(join(this.dir, 'crl'), crlFile, this.ca.x509, { source: 'demo' });
    this.revocation = new CrlRevocationChecker({ store: join(this.dir, 'crl') });
  }

  /** Synthetic trust anchors the demo adds for a trust purpose. */
  anchors(purpose: string): X509Certificate[] {
    return purpose === 'jpkiAuth' ? [this.ca.x509] : [];
  }

  insert(kind: DemoCard): void {
    if (kind === 'unsupported-card') {
      this.reader.insert(UNSUPPORTED_CARD);
      return;
    }
    if (kind === 'mynumber-revoked') {
      this.revokedCard.authPin.setTriesLeft(3);
      this.reader.insert(this.revokedCard);
      return;
    }
    const { card } = createVirtualMyNumberCard({
      authCa: this.ca,
      pin: DEMO_PIN,
      triesLeft: kind === 'mynumber-one-try' ? 1 : kind === 'mynumber-locked' ? 0 : 3,
      expired: kind === 'mynumber-expired',
      unknownCa: kind === 'mynumber-unknown-ca',
      faults: kind === 'mynumber-bad-signature' ? { badSignature: true } : undefined,
    });
    this.reader.insert(card);
  }

  remove(): void {
    this.reader.remove();
  }

  /** pcscd lost and back (the reader-unavailable screen). */
  setReaderAvailable(available: boolean): void {
    this.reader.setServiceAvailable(available);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A contactless card the kiosk does not know (a transit card, say): every SELECT answers 6A82. */
const UNSUPPORTED_CARD: VirtualCard = {
  atr: Buffer.from('3b8880010000000000718100f9', 'hex'),
  reset() {},
  process: () => Buffer.from([0x6a, 0x82]),
};
