// Demo mode only: the virtual cards of the screen's demo panel (every document the kiosk reads), placed on
// the in-process simulated reader. The cards, their synthetic anchors and CRLs come through a
// VirtualCardSource the composition root fills; the CRLs go into a CRL store of the run's own, so the demo
// goes through the same trust and revocation path as production.
import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatedReaderDriver } from '../../drivers/reader/simulated-binding.ts';
import type { VirtualCard } from '../../drivers/sim/virtual-card.ts';
import type { MyNumberConfig } from '../documents/mynumber/mynumber-config.ts';
import type { DemoCard } from '../server/protocol.ts';
import { CrlRevocationChecker } from '../trust/crl/checker.ts';
import { importCrl } from '../trust/crl/importer.ts';
import type { RevocationChecker } from '../trust/revocation.ts';
import type { VirtualCardSource } from './virtual-card-source.ts';

/** A card source's anchors, cards and a CRL store for one run; used by the demo and by the e2e tests. */
export class DemoDocuments {
  readonly revocation: RevocationChecker;
  private readonly dir = mkdtempSync(join(tmpdir(), 'idkiosk-demo-'));

  constructor(private readonly source: VirtualCardSource) {
    const store = join(this.dir, 'crl');
    source.crls().forEach(({ issuer, der }, i) => {
      const file = join(this.dir, `demo-${i}.crl`);
      writeFileSync(file, der);
      importCrl(store, file, issuer, { source: 'demo' });
    });
    this.revocation = new CrlRevocationChecker({ store });
  }

  anchors(purpose: string): X509Certificate[] {
    return this.source.anchors(purpose);
  }

  /**
   * The deployment's My Number settings plus what the demo cards need: their 券面 data is signed under
   * synthetic CA keys in the JPKI test hierarchy's layout, so the demo trusts those (and test cards).
   */
  myNumberConfig(base: MyNumberConfig): MyNumberConfig {
    return { ...base, testCards: true, cvCaKeys: [...base.cvCaKeys, ...this.source.myNumberCvCaKeys()] };
  }

  card(kind: DemoCard): VirtualCard {
    return this.source.card(kind);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class DemoCards {
  private readonly docs: DemoDocuments;
  readonly revocation: RevocationChecker;

  constructor(
    private readonly reader: SimulatedReaderDriver,
    source: VirtualCardSource,
  ) {
    this.docs = new DemoDocuments(source);
    this.revocation = this.docs.revocation;
  }

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
