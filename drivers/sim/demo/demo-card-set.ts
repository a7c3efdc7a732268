// The demo's virtual cards as one set (every document the kiosk reads), for the screen's demo panel and
// the e2e tests: one synthetic anchor set per run (demo-pki.ts), the cards (demo-card-factory.ts), the
// CRLs their CAs issue (the "revoked" My Number card is listed) and the CV CA keys that sign the demo My
// Number cards' 券面 data. The daemon takes it through its VirtualCardSource interface
// (daemon/demo/virtual-card-source.ts), filled by the composition root; nothing here knows the daemon.
import type { X509Certificate } from 'node:crypto';
import { issueCrl } from '../crl-issuer.ts';
import { virtualCardTrustConfig } from '../mynumber/index.ts';
import type { VirtualCard } from '../virtual-card.ts';
import { DemoCardFactory } from './demo-card-factory.ts';
import { DemoPki } from './demo-pki.ts';

export class DemoCardSet {
  readonly pki = new DemoPki();
  readonly cards = new DemoCardFactory(this.pki);
  /** The revoked card keeps its certificates (the CRL names their serials); its PINs are reset per insert. */
  private readonly revokedPki = this.pki.issueMyNumber('good');

  /** Synthetic trust anchors for a trust purpose ("jpkiAuth", "residence", "csca", …). */
  anchors(purpose: string): X509Certificate[] {
    return this.pki.anchors(purpose);
  }

  /** One CRL (DER) per JPKI CA, issued yesterday; each lists the revoked demo card's certificate. */
  crls(): { issuer: X509Certificate; der: Buffer }[] {
    const yesterday = new Date(Date.now() - 86400_000);
    const lists: [typeof this.pki.jpkiAuthCa, string | undefined][] = [
      [this.pki.jpkiAuthCa, this.revokedPki.authCert.x509.serialNumber],
      [this.pki.jpkiSignCa, this.revokedPki.signCert?.x509.serialNumber],
    ];
    return lists.map(([ca, serial]) => ({ issuer: ca.x509, der: issueCrl(ca, { revoked: serial ? [{ serial, date: yesterday, reason: 1 }] : [] }) }));
  }

  /** The CV CA keys that sign the demo My Number cards' 券面 data (in the JPKI test hierarchy's layout). */
  myNumberCvCaKeys() {
    return virtualCardTrustConfig().cvCaKeys;
  }

  /** A fresh card for a demo-panel entry (fresh PIN counters). */
  card(kind: string): VirtualCard {
    return kind === 'mynumber-revoked' ? this.cards.myNumber(kind, this.revokedPki) : this.cards.make(kind);
  }
}
