// Virtual My Number card: public surface.
import { createMyNumberPki, type MyNumberPki, type MyNumberPkiOptions } from '../pki.ts';
import { MyNumberCard, type MyNumberCardOptions } from './mynumber-card.ts';
import { JPKI_DEFAULT_SIGN_PASSWORD } from './jpki-ap.ts';

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
