// Virtual residence cards (both generations): synthetic personalisation + synthetic ISA PKI + the card.
import { gen1Files, gen2Files, type FileFaults, type Gen2PrintedSpec } from './card-files.ts';
import { createResidencePki, type KeyPair, type ResidencePki, type SynthCert } from './pki.ts';
import { ResidenceCard, type ResidenceFaults } from './residence-card.ts';
import { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF, SYNTHETIC_NAME_TIFF } from './synthetic-images.ts';
import type { TransportQuirks } from '../iso7816/index.ts';

export { ResidenceCard, RESIDENCE_ATR, type ResidenceFaults } from './residence-card.ts';
export { createResidenceCa, createResidencePki, type KeyPair, type ResidencePki, type SynthCert } from './pki.ts';
export { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF, SYNTHETIC_NAME_TIFF } from './synthetic-images.ts';

/** The card number of the ISA 2nd-generation worked example (Appendix 2), used as the synthetic default. */
export const DEFAULT_TEST_CARD_NUMBER = 'AA12345678BB';

export interface VirtualResidenceOptions {
  generation: 1 | 2;
  cardNumber?: string;
  /** '1'/'2' (1st gen), '05'/'06' (2nd gen), '07'/'08' (specified: the kiosk must refuse). Default residence card. */
  cardType?: '1' | '2' | '05' | '06' | '07' | '08';
  /**
   * Adversarial: the card type MF/EF02 answers, when it differs from the kind the card was issued and signed
   * as (`cardType`). The card type is not covered by the issuer signature, so this is an edit an attacker can make.
   */
  presentedCardType?: string;
  /** 2nd gen: D0/D1 stored NUL-padded to 2500/3000 bytes as in the Appendix 2 example (default: own length). */
  fullLengthImages?: boolean;
  /** Reuse a trusted CA of the right generation (saves an RSA key generation per card). */
  ca?: SynthCert;
  /** Reuse this card key pair (RSA for gen 1, P-384 for gen 2) instead of generating one. */
  cardKeyPair?: KeyPair;
  unknownCa?: boolean;
  expiredCert?: boolean;
  /** 2nd gen: card expiry yesterday. */
  expiredCard?: boolean;
  /** 2nd gen: period of stay ended yesterday. */
  expiredStay?: boolean;
  printed?: Partial<Gen2PrintedSpec>;
  faults?: ResidenceFaults & FileFaults;
  quirks?: TransportQuirks;
  fixedChallenge?: Buffer;
  fixedKIcc?: Buffer;
  logLimit?: number;
}

const ymd = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');
const DAY = 86_400_000;

/**
 * The synthetic holder's 2nd-generation printed entries around `now`: card and stay valid for three more
 * years, or (expiredCard / expiredStay) expired two days ago.
 */
export function syntheticPrinted(now: number, o: { expiredCard?: boolean; expiredStay?: boolean } = {}): Gen2PrintedSpec {
  return {
    cardExpiry: ymd(new Date(now + (o.expiredCard ? -2 * DAY : 3 * 365 * DAY))),
    dateOfBirth: '19900101',
    sex: '2',
    nationality: 'XXA',
    // C9 is a 10-byte code whose table the ISA does not publish (docs/reference/residence.md "在留資格
    // (C9)"): a synthetic placeholder of the specified length, not a real status code.
    statusOfResidence: '0000000010',
    periodOfStay: '0300',
    permissionType: '01',
    permissionDate: ymd(new Date(now - 30 * DAY)),
    workRestriction: '1',
    periodOfStayExpiry: ymd(new Date(now + (o.expiredStay ? -2 * DAY : 3 * 365 * DAY))),
  };
}

export function createVirtualResidenceCard(o: VirtualResidenceOptions): { card: ResidenceCard; pki: ResidencePki } {
  const pki = createResidencePki(o.generation, { ca: o.ca, unknownCa: o.unknownCa, expiredCert: o.expiredCert, cardKeyPair: o.cardKeyPair });
  const cardNumber = o.cardNumber ?? DEFAULT_TEST_CARD_NUMBER;
  const now = Date.now();
  let files: ReturnType<typeof gen1Files>;
  if (o.generation === 1) {
    const cardType = (o.cardType ?? '1') as '1' | '2';
    files = gen1Files({
      cardType,
      presentedCardType: o.presentedCardType,
      images: { face: SYNTHETIC_FACE_JP2, tiff: SYNTHETIC_FRONT_TIFF },
      cert: pki.cardCert,
      address: '東京都千代田区霞が関テスト町１－１',
      faults: o.faults,
    });
  } else {
    const printed: Gen2PrintedSpec = { ...syntheticPrinted(now, o), ...o.printed };
    files = gen2Files({
      cardType: (o.cardType ?? '05') as '05',
      presentedCardType: o.presentedCardType,
      fullLengthImages: o.fullLengthImages,
      cardNumber,
      printed,
      images: { face: SYNTHETIC_FACE_JP2, tiff: SYNTHETIC_NAME_TIFF },
      cert: pki.cardCert,
      faults: o.faults,
    });
  }
  const card = new ResidenceCard({
    generation: o.generation,
    cardNumber,
    files,
    quirks: o.quirks,
    faults: o.faults,
    fixedChallenge: o.fixedChallenge,
    fixedKIcc: o.fixedKIcc,
    logLimit: o.logLimit,
  });
  return { card, pki };
}
