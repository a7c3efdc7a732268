// Demo mode only: builds the virtual card behind each entry of the demo panel (DEMO_CARDS of the screen
// protocol, daemon/server/protocol.ts; a unit test checks every entry has its card), from the run's
// synthetic anchors (demo-pki.ts). The values a demo user types are fixed here and shown in the panel's
// option labels (ui/i18n.js 'demo.card.*'); they are synthetic test values, never a real holder's.
// The e2e tests present the same cards through the real pcscd, so the demo and the tests agree.
import { createVirtualLicense } from '../license/index.ts';
import { createFullMyNumberCard, SYNTHETIC_HOLDER, checkCodeB } from '../mynumber/index.ts';
import { PassportCard, testHolder } from '../passport/index.ts';
import { createVirtualResidenceCard } from '../residence/index.ts';
import type { VirtualCard } from '../virtual-card.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import type { DemoMyNumberVariant, DemoPki } from './demo-pki.ts';

/** What a demo user types for each card (synthetic; shown on the demo panel). */
export const DEMO_SECRETS = {
  /** JPKI 利用者証明用 PIN and 券面事項入力補助用 PIN of the demo My Number cards. */
  myNumberPin: '1234',
  /** JPKI 署名用 password. */
  myNumberSignPassword: 'ABC123',
  /** 照合番号B of the synthetic holder (born 1990-01-01 = 平成2年): era birth date YYMMDD ‖ card expiry year ‖ security code. */
  myNumberCheckCodeB: checkCodeB(SYNTHETIC_HOLDER),
  licensePin1: '1234',
  licensePin2: '5678',
  residenceCardNumber: 'AA12345678BB',
  passport: { documentNumber: 'TK1234567', dateOfBirth: '900115', dateOfExpiry: '351231' },
} as const;

/** A contactless card the kiosk does not know (a transit card, say): every SELECT answers 6A82. */
const UNSUPPORTED_CARD: VirtualCard = {
  atr: Buffer.from('3b8880010000000000718100f9', 'hex'),
  reset() {},
  process: () => Buffer.from([0x6a, 0x82]),
};

export class DemoCardFactory {
  constructor(private readonly pki: DemoPki) {}

  /** A fresh card of this kind (fresh PIN counters); My Number cards of a variant share certificates. */
  make(kind: string): VirtualCard {
    const s = DEMO_SECRETS;
    switch (kind) {
      case 'unsupported-card':
        return UNSUPPORTED_CARD;
      case 'license':
      case 'license-locked':
        return createVirtualLicense({
          signingKey: this.pki.licenseSigner,
          pins: { pin1: s.licensePin1, pin2: s.licensePin2 },
          ...(kind === 'license-locked' ? { pin1TriesLeft: 0 } : {}),
        });
      case 'license-default-pin':
        return createVirtualLicense({ signingKey: this.pki.licenseSigner, pins: 'default' });
      case 'license-expired':
        return createVirtualLicense({ signingKey: this.pki.licenseSigner, pins: { pin1: s.licensePin1, pin2: s.licensePin2 }, expired: true });
      case 'residence-gen1':
        return createVirtualResidenceCard({ generation: 1, ca: this.pki.residenceCa1, cardKeyPair: this.pki.leafKey, cardNumber: s.residenceCardNumber }).card;
      case 'residence-gen2':
        return createVirtualResidenceCard({ generation: 2, ca: this.pki.residenceCa2, cardNumber: s.residenceCardNumber }).card;
      case 'passport':
      case 'passport-bac':
        return new PassportCard({
          holder: testHolder({ ...s.passport, surname: 'TESTER', givenNames: 'HANAKO' }),
          pki: { csca: this.pki.csca, dsc: this.pki.dsc },
          faceBytes: 12_000,
          ...(kind === 'passport-bac' ? { pace: false as const } : {}),
        });
      case 'mynumber':
      case 'mynumber-one-try':
      case 'mynumber-locked':
      case 'mynumber-expired':
      case 'mynumber-revoked':
      case 'mynumber-unknown-ca':
      case 'mynumber-bad-signature':
        return this.myNumber(kind);
      default:
        throw new KioskError(ErrorCodes.USAGE, `no demo card '${kind}'`);
    }
  }

  /** A full My Number card (JPKI auth + sign, 券面事項入力補助AP, 券面AP): every My Number mode works on it. */
  myNumber(kind: string, pki = this.pki.myNumberPki(variantOf(kind))) {
    const s = DEMO_SECRETS;
    const tries = kind === 'mynumber-one-try' ? 1 : kind === 'mynumber-locked' ? 0 : undefined;
    return createFullMyNumberCard({
      pki,
      pin: s.myNumberPin,
      textPin: s.myNumberPin,
      signPassword: s.myNumberSignPassword,
      triesLeft: tries,
      signTriesLeft: tries,
      textPinTriesLeft: tries,
      checkCodeBTriesLeft: tries,
      faults: kind === 'mynumber-bad-signature' ? { badSignature: true } : undefined,
    }).card;
  }
}

function variantOf(kind: string): DemoMyNumberVariant {
  return kind === 'mynumber-expired' ? 'expired' : kind === 'mynumber-unknown-ca' ? 'unknown-ca' : 'good';
}
