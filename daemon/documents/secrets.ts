// Secrets the holder types (PINs, passwords, card numbers) and how a document flow asks for them.
// A secret travels as a Buffer of ASCII bytes, never as a JS string (strings cannot be wiped), and is
// zero-filled by whoever sends it to the card, right after the VERIFY.

export type SecretFormat =
  | { kind: 'digits'; min: number; max: number }
  /** Upper-case A–Z and 0–9 (JPKI signing password, residence-card number, passport number). */
  | { kind: 'alnum'; min: number; max: number; pattern?: RegExp };

export type SecretPurpose =
  | 'jpki-auth-pin'
  | 'jpki-sign-password'
  | 'mynumber-text-pin'
  /** 券面AP 照合番号B: date of birth YYMMDD + expiry year YYYY + 4-digit security code (composition UNVERIFIED). */
  | 'mynumber-check-code-b'
  | 'license-pin1'
  | 'license-pin2'
  | 'residence-card-number'
  | 'passport-document-number'
  | 'passport-birth-date'
  | 'passport-expiry-date';

/**
 * What the holder types that is printed on the document itself (the holder reads it off the card or the
 * passport's data page): not a secret, so the screen may show it (issue 19). Every other purpose — PINs,
 * the signing password, and any purpose added later — is a secret: no character of it is ever shown, not
 * even the multi-tap letter being chosen (issue 17).
 */
export const PRINTED_NUMBER_PURPOSES: ReadonlySet<SecretPurpose> = new Set<SecretPurpose>([
  'residence-card-number',
  'passport-document-number',
  'passport-birth-date',
  'passport-expiry-date',
]);

export function isPrintedNumber(purpose: SecretPurpose): boolean {
  return PRINTED_NUMBER_PURPOSES.has(purpose);
}

export interface SecretRequest {
  purpose: SecretPurpose;
  format: SecretFormat;
  /** Remaining tries reported by the card right before this request (null when the card has no counter). */
  triesLeft: number | null;
  maxTries: number | null;
  /** The previous entry for this secret was wrong (the screen says so, with triesLeft). */
  previousAttemptWrong: boolean;
}

/** Resolves with the secret; rejects (KioskError) when the holder cancels or the entry times out. */
export type SecretPrompt = (request: SecretRequest) => Promise<Buffer>;

export const JPKI_AUTH_PIN_FORMAT: SecretFormat = { kind: 'digits', min: 4, max: 4 };

export function secretMatchesFormat(secret: Buffer, format: SecretFormat): boolean {
  if (secret.length < format.min || secret.length > format.max) return false;
  for (const b of secret) {
    const digit = b >= 0x30 && b <= 0x39;
    const upper = b >= 0x41 && b <= 0x5a;
    if (!(digit || (format.kind === 'alnum' && upper))) return false;
  }
  if (format.kind === 'alnum' && format.pattern) {
    // The pattern is checked on a transient string; the bytes themselves are wiped by the caller.
    return format.pattern.test(secret.toString('latin1'));
  }
  return true;
}

export function wipe(b: Buffer | null | undefined): void {
  b?.fill(0);
}
