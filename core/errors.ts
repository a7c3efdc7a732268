// One error type for the whole kiosk, with a stable code per failure (the zwave-js pattern).
//
// Codes are part of the product's interface: the UI maps them to Japanese/English guidance, logs and
// audit records carry them, operators alert on them. Never rename a code; add new ones.
//
// A KioskError never carries a secret (PIN, password, card number, My Number) in its message or detail.

export const ErrorCodes = {
  // Reader / PC/SC transport
  READER_UNAVAILABLE: 'READER_UNAVAILABLE', // pcscd not reachable or context lost
  READER_NOT_FOUND: 'READER_NOT_FOUND', // no reader (by that name)
  READER_NO_CARD: 'READER_NO_CARD', // no card in the reader
  READER_TIMEOUT: 'READER_TIMEOUT', // an APDU did not come back in time
  READER_TRANSMIT_FAILED: 'READER_TRANSMIT_FAILED', // transport error other than removal
  CARD_REMOVED: 'CARD_REMOVED', // card pulled during a session
  CARD_CONNECT_FAILED: 'CARD_CONNECT_FAILED',

  // Card protocol
  CARD_UNSUPPORTED: 'CARD_UNSUPPORTED', // no known application answered
  CARD_MALFORMED_RESPONSE: 'CARD_MALFORMED_RESPONSE', // response shorter/longer/other than the protocol allows
  CARD_UNEXPECTED_STATUS: 'CARD_UNEXPECTED_STATUS', // a status word the protocol does not allow at this step
  CARD_FILE_NOT_FOUND: 'CARD_FILE_NOT_FOUND',
  CARD_SECURITY_NOT_SATISFIED: 'CARD_SECURITY_NOT_SATISFIED',
  CARD_SM_FAILED: 'CARD_SM_FAILED', // secure messaging MAC/format failure
  CARD_AUTH_FAILED: 'CARD_AUTH_FAILED', // mutual/external authentication rejected
  CARD_SIGNATURE_INVALID: 'CARD_SIGNATURE_INVALID', // the card's signature did not verify

  // Secrets (PIN, password, card number)
  PIN_FORMAT: 'PIN_FORMAT', // rejected locally before any APDU
  PIN_WRONG: 'PIN_WRONG', // card said 63Cx (detail.triesLeft)
  PIN_TRIES_LOW: 'PIN_TRIES_LOW', // kiosk refuses to VERIFY with ≤ 1 try left
  PIN_LOCKED: 'PIN_LOCKED', // 63C0 / 6984
  PIN_TRIES_UNKNOWN: 'PIN_TRIES_UNKNOWN', // the tries query did not answer 63Cx: never VERIFY
  PIN_ENTRY_TIMEOUT: 'PIN_ENTRY_TIMEOUT',

  // Trust / certificate validation
  TRUST_NO_ANCHOR: 'TRUST_NO_ANCHOR', // chain does not reach a configured anchor
  TRUST_CHAIN_INVALID: 'TRUST_CHAIN_INVALID', // a signature in the chain does not verify
  TRUST_CERT_EXPIRED: 'TRUST_CERT_EXPIRED',
  TRUST_CERT_NOT_YET_VALID: 'TRUST_CERT_NOT_YET_VALID',
  TRUST_KEY_USAGE: 'TRUST_KEY_USAGE',
  TRUST_BASIC_CONSTRAINTS: 'TRUST_BASIC_CONSTRAINTS',
  TRUST_POLICY: 'TRUST_POLICY',
  TRUST_CERT_MALFORMED: 'TRUST_CERT_MALFORMED',
  TRUST_ANCHOR_LOAD: 'TRUST_ANCHOR_LOAD', // a configured anchor file is missing or unreadable
  TRUST_REVOKED: 'TRUST_REVOKED',
  TRUST_REVOCATION_UNKNOWN: 'TRUST_REVOCATION_UNKNOWN', // fail closed

  // CRL parsing and store
  CRL_MALFORMED: 'CRL_MALFORMED',
  CRL_LENGTH: 'CRL_LENGTH', // a length field out of bounds / truncated
  CRL_TRAILING_DATA: 'CRL_TRAILING_DATA',
  CRL_VERSION: 'CRL_VERSION',
  CRL_ISSUER_MISMATCH: 'CRL_ISSUER_MISMATCH',
  CRL_SIGNATURE_INVALID: 'CRL_SIGNATURE_INVALID',
  CRL_UNSUPPORTED_ALGORITHM: 'CRL_UNSUPPORTED_ALGORITHM',
  CRL_CRITICAL_EXTENSION: 'CRL_CRITICAL_EXTENSION',
  CRL_STALE: 'CRL_STALE',
  CRL_NOT_NEWER: 'CRL_NOT_NEWER',
  CRL_DELTA_BASE_MISMATCH: 'CRL_DELTA_BASE_MISMATCH',
  CRL_STORE_UNAVAILABLE: 'CRL_STORE_UNAVAILABLE',
  CRL_SYNC_FAILED: 'CRL_SYNC_FAILED',
  CRL_TOO_LARGE: 'CRL_TOO_LARGE',
  CRL_NOT_FOUND: 'CRL_NOT_FOUND', // no CRL in the store for that issuer
  CRL_SCOPE: 'CRL_SCOPE', // the CRL's issuingDistributionPoint does not cover the certificate, or is unsupported

  // My Number card (券面事項入力補助AP, 券面AP, JPKI signing)
  MYNUMBER_NOT_ALLOWED: 'MYNUMBER_NOT_ALLOWED', // the My Number (text AP EF 0001, 照合番号A) without a configured legal basis
  MYNUMBER_INFO_HASH_MISMATCH: 'MYNUMBER_INFO_HASH_MISMATCH', // EF 0002 does not match the hash in the card's signature file

  // Keypad
  KEYPAD_UNAVAILABLE: 'KEYPAD_UNAVAILABLE',
  KEYPAD_STUCK_KEY: 'KEYPAD_STUCK_KEY',

  // Printer
  PRINTER_UNAVAILABLE: 'PRINTER_UNAVAILABLE',
  PRINTER_PAPER_END: 'PRINTER_PAPER_END',
  PRINTER_COVER_OPEN: 'PRINTER_COVER_OPEN',
  PRINTER_ERROR: 'PRINTER_ERROR',
  PRINTER_OFFLINE: 'PRINTER_OFFLINE',
  PRINTER_JOB_TIMEOUT: 'PRINTER_JOB_TIMEOUT',
  PRINTER_ENCODING: 'PRINTER_ENCODING',
  ESCPOS_INVALID: 'ESCPOS_INVALID', // the virtual printer met a byte sequence it does not know

  // Residence card / special permanent resident certificate (在留カード・特別永住者証明書)
  RESIDENCE_CARD_NUMBER_WRONG: 'RESIDENCE_CARD_NUMBER_WRONG', // the card refused the card number (63 00); one attempt per tap
  RESIDENCE_CARD_TYPE_UNSUPPORTED: 'RESIDENCE_CARD_TYPE_UNSUPPORTED', // types 07/08 (My Number-integrated) or unknown
  RESIDENCE_CARD_EXPIRED: 'RESIDENCE_CARD_EXPIRED', // card validity date (C5) has passed
  RESIDENCE_STAY_EXPIRED: 'RESIDENCE_STAY_EXPIRED', // period-of-stay expiry (CD) has passed
  RESIDENCE_CARD_KIND_MISMATCH: 'RESIDENCE_CARD_KIND_MISMATCH', // the unsigned card type byte disagrees with the kind the signed card data states (edited card)

  // Driver's licence (運転免許証)
  LICENSE_EXPIRED: 'LICENSE_EXPIRED', // 有効期間の末日 has passed (valid through that day, JST)
  LICENSE_DATA_INCONSISTENT: 'LICENSE_DATA_INCONSISTENT', // DF1 printed matters disagree with MF/EF01 or lack required fields
  LICENSE_SIGNATURE_UNVERIFIED: 'LICENSE_SIGNATURE_UNVERIFIED', // policy requires the EF07 signature and it was not verified

  // Passport (ICAO 9303 eMRTD)
  PASSPORT_ACCESS_KEY_FORMAT: 'PASSPORT_ACCESS_KEY_FORMAT', // document number / dates malformed: refused before any APDU
  PASSPORT_ACCESS_DENIED: 'PASSPORT_ACCESS_DENIED', // BAC and PACE both refused (wrong MRZ data, or not a matching chip)
  PASSPORT_SOD_INVALID: 'PASSPORT_SOD_INVALID', // EF.SOD unparsable or its signature does not verify
  PASSPORT_DG_HASH_MISMATCH: 'PASSPORT_DG_HASH_MISMATCH', // a data group differs from its hash in the SOD
  PASSPORT_DG_NOT_LISTED: 'PASSPORT_DG_NOT_LISTED', // a data group was read that the SOD does not list
  PASSPORT_MRZ_INVALID: 'PASSPORT_MRZ_INVALID', // DG1's MRZ check digits do not hold
  PASSPORT_AA_FAILED: 'PASSPORT_AA_FAILED', // active authentication advertised (DG15) but failed: clone suspected
  PASSPORT_CA_FAILED: 'PASSPORT_CA_FAILED', // chip authentication advertised (DG14) but failed: clone suspected
  PASSPORT_EXPIRED: 'PASSPORT_EXPIRED', // DG1's date of expiry has passed
  PASSPORT_DG_MISSING: 'PASSPORT_DG_MISSING', // the SOD lists a data group the chip will not serve (e.g. DG14/DG15 hidden by a clone)
  PASSPORT_CSCA_COUNTRY_MISMATCH: 'PASSPORT_CSCA_COUNTRY_MISMATCH', // the CSCA's country is not the passport's issuing state (and no configured exception)

  // Verification policies, age check, online status (daemon/policy/, daemon/trust/ocsp/)
  DOCUMENT_NOT_PROVEN: 'DOCUMENT_NOT_PROVEN', // the chip was read but its data is not proven authentic (no key, unverifiable signature) and the policy does not accept chip-read
  POLICY_UNKNOWN: 'POLICY_UNKNOWN', // the session or API request names a policy this kiosk does not define
  AGE_BELOW_THRESHOLD: 'AGE_BELOW_THRESHOLD', // age policy: the verified document's holder is younger than the threshold
  AGE_BIRTH_DATE_UNAVAILABLE: 'AGE_BIRTH_DATE_UNAVAILABLE', // age policy: the verified document gave no usable date of birth
  OCSP_TIMEOUT: 'OCSP_TIMEOUT', // the OCSP responder did not answer in time (fall back to the CRL store)
  OCSP_UNAVAILABLE: 'OCSP_UNAVAILABLE', // the OCSP responder could not be reached or answered HTTP other than 200
  OCSP_BAD_RESPONSE: 'OCSP_BAD_RESPONSE', // the OCSP response is malformed, unsigned by an authorised responder, stale or for another certificate
  OCSP_RESPONDER_ERROR: 'OCSP_RESPONDER_ERROR', // responseStatus other than successful (tryLater, unauthorized…)

  // Session / kiosk
  SESSION_CANCELLED: 'SESSION_CANCELLED',
  SESSION_TIMEOUT: 'SESSION_TIMEOUT',
  SESSION_BUSY: 'SESSION_BUSY',
  KIOSK_MAINTENANCE: 'KIOSK_MAINTENANCE', // maintenance mode (provisioning, selftest): no sessions

  // Configuration, server, audit
  CONFIG_INVALID: 'CONFIG_INVALID',
  DAEMON_START_FAILED: 'DAEMON_START_FAILED', // a start step threw; what had started was closed (detail.step, detail.cause)
  SERVER_UNAUTHORIZED: 'SERVER_UNAUTHORIZED',
  SERVER_BAD_MESSAGE: 'SERVER_BAD_MESSAGE',
  AUDIT_CHAIN_BROKEN: 'AUDIT_CHAIN_BROKEN',
  FLEET_REQUEST_REFUSED: 'FLEET_REQUEST_REFUSED', // fleet collector refused a kiosk's request (detail.reason: the HTTP API code)
  USAGE: 'USAGE', // command-line misuse
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Extra, non-secret facts about a failure (tries left, status word, field name…). */
export type ErrorDetail = Record<string, string | number | boolean | null | undefined>;

export class KioskError extends Error {
  override readonly name = 'KioskError';
  readonly code: ErrorCode;
  readonly detail: ErrorDetail;

  constructor(code: ErrorCode, message: string, detail: ErrorDetail = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.detail = detail;
  }

  toJSON(): { code: ErrorCode; message: string; detail: ErrorDetail } {
    return { code: this.code, message: this.message, detail: this.detail };
  }
}

export function isKioskError(e: unknown, code?: ErrorCode): e is KioskError {
  return e instanceof KioskError && (code === undefined || e.code === code);
}

/** Wrap anything thrown into a KioskError so callers only ever deal with one type. */
export function toKioskError(e: unknown, fallback: ErrorCode = ErrorCodes.INTERNAL): KioskError {
  if (e instanceof KioskError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new KioskError(fallback, message, {}, { cause: e });
}
