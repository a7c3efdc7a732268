// What the demo needs from a set of virtual cards, as an interface the composition root fills
// (daemon/cli/commands/daemon.ts passes drivers/sim/demo's DemoCardSet under --demo; the e2e tests pass
// the same set). The daemon itself never imports the card emulators.
import type { X509Certificate } from 'node:crypto';
import type { VirtualCard } from '../../drivers/sim/virtual-card.ts';
import type { MyNumberConfig } from '../documents/mynumber/mynumber-config.ts';
import type { DemoCard } from '../server/protocol.ts';

export interface VirtualCardSource {
  /** Synthetic trust anchors the cards chain to, per trust purpose. */
  anchors(purpose: string): X509Certificate[];
  /** CRLs (DER) the cards' CAs issue, with the issuing CA's certificate. */
  crls(): { issuer: X509Certificate; der: Buffer }[];
  /** CV CA keys that sign the My Number cards' 券面 data (synthetic; added to the deployment's). */
  myNumberCvCaKeys(): MyNumberConfig['cvCaKeys'];
  /** A fresh card for a demo-panel entry. */
  card(kind: DemoCard): VirtualCard;
}
