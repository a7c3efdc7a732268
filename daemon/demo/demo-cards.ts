// Demo mode only: the virtual cards of the screen's demo panel (every document the kiosk reads), placed on
// the in-process simulated reader. One synthetic anchor set per daemon run (demo-pki.ts) with a CRL store
// of its own (the "revoked" My Number card is listed), so the demo goes through the same trust and
// revocation path as production.
import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCrl } from '../../drivers/sim/crl-issuer.ts';
import type { SimulatedReaderDriver } from '../../drivers/reader/simulated-binding.ts';
import type { VirtualCard } from '../../drivers/sim/virtual-card.ts';
import type { DemoCard } from '../server/protocol.ts';
import { CrlRevocationChecker } from '../trust/crl/checker.ts';
import { importCrl } from '../trust/crl/importer.ts';
import type { RevocationChecker } from '../trust/revocation.ts';
import { DEMO_SECRETS, DemoCardFactory } from './demo-card-factory.ts';
import { DemoPki } from './demo-pki.ts';
import type { MyNumberConfig } from '../documents/mynumber/mynumber-config.ts';
import { virtualCardTrustConfig } from '../../drivers/sim/mynumber/index.ts';

/** The synthetic PIN of every demo My Number card (shown on the demo panel). */
export const DEMO_PIN = DEMO_SECRETS.myNumberPin;

/** Synthetic anchors, cards and a CRL store for one run; used by the demo and by the e2e tests. */
export class DemoDocuments {
  readonly pki = new DemoPki();
  readonly cards = new DemoCardFactory(this.pki);
  readonly revocation: RevocationChecker;
  private readonly dir = mkdtempSync(join(tmpdir(), 'idkiosk-demo-'));
  /** The revoked card keeps its certificates (the CRL names their serials); its PINs are reset per insert. */
  private readonly revokedPki = this.pki.issueMyNumber('good');

  constructor() {
    const yesterday = new Date(Date.now() - 86400_000);
    const store = join(this.dir, 'crl');
    const crls: Array<[typeof this.pki.jpkiAuthCa, string | undefined]> = [
      [this.pki.jpkiAuthCa, this.revokedPki.authCert.x509.serialNumber],
      [this.pki.jpkiSignCa, this.revokedPki.signCert?.x509.serialNumber],
    ];
    crls.forEach(([ca, serial], i) => {
      const file = join(this.dir, `demo-${i}.crl`);
      writeFileSync(file, issueCrl(ca, { revoked: serial ? [{ serial, date: yesterday, reason: 1 }] : [] }));
      importCrl(store, file, ca.x509, { source: 'demo' });
    });
    this.revocation = new CrlRevocationChecker({ store });
  }

  anchors(purpose: string): X509Certificate[] {
    return this.pki.anchors(purpose);
  }

  /**
   * The deployment's My Number settings plus what the demo cards need: their 券面 data is signed under
   * synthetic CA keys in the JPKI test hierarchy's layout, so the demo trusts those (and test cards).
   */
  myNumberConfig(base: MyNumberConfig): MyNumberConfig {
    const demo = virtualCardTrustConfig();
    return { ...base, testCards: true, cvCaKeys: [...base.cvCaKeys, ...demo.cvCaKeys] };
  }

  card(kind: DemoCard): VirtualCard {
    return kind === 'mynumber-revoked' ? this.cards.myNumber(kind, this.revokedPki) : this.cards.make(kind);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class DemoCards {
  private readonly docs = new DemoDocuments();
  readonly revocation: RevocationChecker = this.docs.revocation;

  constructor(private readonly reader: SimulatedReaderDriver) {}

  /** Synthetic trust anchors the demo adds for a trust purpose. */
  anchors(purpose: string): X509Certificate[] {
    return this.docs.anchors(purpose);
  }

  /** The My Number settings the demo cards need (their synthetic CV CA keys). */
  myNumberConfig(base: MyNumberConfig): MyNumberConfig {
    return this.docs.myNumberConfig(base);
  }

  insert(kind: DemoCard): void {
    this.reader.insert(this.docs.card(kind));
  }

  remove(): void {
    this.reader.remove();
  }

  /** pcscd lost and back (the reader-unavailable screen). */
  setReaderAvailable(available: boolean): void {
    this.reader.setServiceAvailable(available);
  }

  dispose(): void {
    this.docs.dispose();
  }
}
