// Demo mode only: virtual My Number cards placed on the in-process simulated reader from the screen's
// demo panel. One synthetic CA per daemon run; every card gets its own key pair and certificate.
import type { X509Certificate } from 'node:crypto';
import { createJpkiAuthCa, type TestCertificate } from '../../drivers/sim/pki.ts';
import { createVirtualMyNumberCard } from '../../drivers/sim/mynumber/index.ts';
import type { SimulatedReaderDriver } from '../../drivers/reader/simulated-binding.ts';
import type { DemoCard } from '../server/protocol.ts';

export const DEMO_PIN = '1234';

export class DemoCards {
  readonly ca: TestCertificate = createJpkiAuthCa();

  constructor(private readonly reader: SimulatedReaderDriver) {}

  /** Synthetic trust anchors the demo adds for a trust purpose. */
  anchors(purpose: string): X509Certificate[] {
    return purpose === 'jpkiAuth' ? [this.ca.x509] : [];
  }

  insert(kind: DemoCard): void {
    const { card } = createVirtualMyNumberCard({
      authCa: this.ca,
      pin: DEMO_PIN,
      triesLeft: kind === 'mynumber-one-try' ? 1 : 3,
      expired: kind === 'mynumber-expired',
      unknownCa: kind === 'mynumber-unknown-ca',
      faults: kind === 'mynumber-bad-signature' ? { badSignature: true } : undefined,
    });
    this.reader.insert(card);
  }

  remove(): void {
    this.reader.remove();
  }
}
