// Virtual My Number card: public surface.
import { createJpkiSignCa, createMyNumberPki, issueJpkiSignCert, type MyNumberPki, type MyNumberPkiOptions, type TestCertificate } from '../pki.ts';
import { jpkiDateOfBirth, SYNTHETIC_HOLDER, type SyntheticHolder } from './holder.ts';
import { MyNumberCard, type MyNumberCardOptions } from './mynumber-card.ts';
import { JPKI_DEFAULT_SIGN_PASSWORD } from './jpki-ap.ts';
import type { CvForgery } from './text-ap.ts';

export { MyNumberCard, type MyNumberCardOptions, type MyNumberFaults } from './mynumber-card.ts';
export {
  buildJpkiAp,
  jpkiToken,
  JPKI_AID,
  JPKI_AUTH_PIN_MAX_TRIES,
  JPKI_DEFAULT_SIGN_PASSWORD,
  JPKI_EF,
  JPKI_SIGN_PIN_MAX_TRIES,
  JPKI_TOKEN_MYNUMBER,
  MYNUMBER_ATR,
  type JpkiAp,
  type JpkiApSpec,
  type JpkiKeyMaterial,
} from './jpki-ap.ts';
export { PROFILE_FORMAT, profileFromPki, specFromProfile, type MyNumberProfile } from './profile.ts';

/** Synthetic test PIN used when none is given (documented, test-only). */
export const DEFAULT_TEST_PIN = '1234';
export const DEFAULT_TEST_SIGN_PASSWORD = JPKI_DEFAULT_SIGN_PASSWORD;

export interface VirtualMyNumberOptions extends Omit<MyNumberCardOptions, 'auth' | 'sign'>, MyNumberPkiOptions {
  pin?: string;
  triesLeft?: number;
  signPassword?: string;
  signTriesLeft?: number;
  /** Use this PKI instead of generating one. */
  pki?: MyNumberPki;
}

/** A ready card with a freshly generated synthetic PKI (≈0.5 s for two RSA-2048 keys; pass `authCa` to reuse a CA). */
export function createVirtualMyNumberCard(o: VirtualMyNumberOptions = {}): { card: MyNumberCard; pki: MyNumberPki } {
  const pki = o.pki ?? createMyNumberPki(o);
  const card = new MyNumberCard({
    ...o,
    auth: { cert: pki.authCert.der, caCert: pki.authCa.der, privateKey: pki.authCert.privateKey, pin: o.pin ?? DEFAULT_TEST_PIN, triesLeft: o.triesLeft },
    sign:
      pki.signCert && pki.signCa
        ? {
            cert: pki.signCert.der,
            caCert: pki.signCa.der,
            privateKey: pki.signCert.privateKey,
            password: o.signPassword ?? DEFAULT_TEST_SIGN_PASSWORD,
            triesLeft: o.signTriesLeft,
          }
        : undefined,
  });
  return { card, pki };
}

export { SYNTHETIC_HOLDER, checkCodeB, eraBirthDate, jpkiDateOfBirth, type SyntheticHolder } from './holder.ts';
export { buildTextAp, basicInfoFile, TEXT_AP_AID, TEXT_PIN_MAX_TRIES, CHECK_CODE_MAX_TRIES, type CvForgery, type TextAp, type TextApSpec } from './text-ap.ts';
export { createCvTestCa, issueCvCertificate, keyId16, virtualCardTrustConfig, virtualCvIssuers, type CvIssuerSet, type CvTestCa } from './cv-issuer.ts';
export { buildVisualAp, faceFile, SYNTHETIC_FACE_JP2, VISUAL_AP_AID, type VisualAp, type VisualApSpec } from './visual-ap.ts';

export interface FullMyNumberOptions extends VirtualMyNumberOptions {
  holder?: SyntheticHolder;
  /** 券面事項入力補助用暗証番号 (4 digits; default DEFAULT_TEST_PIN). */
  textPin?: string;
  textPinTriesLeft?: number;
  checkCodeBTriesLeft?: number;
  checkCodeATriesLeft?: number;
  corruptBasicInfo?: boolean;
  /** A forged 券面 data set (both the text AP and the 券面AP), see CvForgery. */
  forgery?: CvForgery;
  faceJpeg2000?: Buffer;
  /** Reuse a signing CA (saves a key generation per card). */
  signCa?: TestCertificate;
}

/**
 * A complete virtual マイナンバーカード: JPKI-AP with authentication and signing (the signing certificate
 * carries the synthetic holder's 4 info and substitute characters), 券面事項入力補助AP and 券面AP.
 */
export function createFullMyNumberCard(o: FullMyNumberOptions = {}): { card: MyNumberCard; pki: MyNumberPki; holder: SyntheticHolder } {
  const holder = o.holder ?? { ...SYNTHETIC_HOLDER };
  let pki = o.pki;
  if (!pki) {
    const base = createMyNumberPki(o);
    const signCa = o.signCa ?? createJpkiSignCa();
    const signCert = issueJpkiSignCert(signCa, {
      expired: o.expired,
      name: holder.name,
      nameSubstitute: holder.nameSubstitute,
      sex: holder.sex,
      dateOfBirth: jpkiDateOfBirth(holder.dateOfBirth),
      address: holder.address,
      addressSubstitute: holder.addressSubstitute,
    });
    pki = { ...base, signCa, signCert };
  }
  const { card } = createVirtualMyNumberCard({
    ...o,
    pki,
    text: {
      holder,
      pin: o.textPin ?? DEFAULT_TEST_PIN,
      pinTriesLeft: o.textPinTriesLeft,
      checkCodeATriesLeft: o.checkCodeATriesLeft,
      checkCodeBTriesLeft: o.checkCodeBTriesLeft,
      queryWhenBlocked: o.queryWhenBlocked,
      corruptBasicInfo: o.corruptBasicInfo,
      forgery: o.forgery,
    },
    visual: {
      holder,
      checkCodeATriesLeft: o.checkCodeATriesLeft,
      checkCodeBTriesLeft: o.checkCodeBTriesLeft,
      queryWhenBlocked: o.queryWhenBlocked,
      faceJpeg2000: o.faceJpeg2000,
      forgery: o.forgery,
    },
  });
  return { card, pki, holder };
}
