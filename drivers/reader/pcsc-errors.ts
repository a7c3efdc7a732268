// Maps PC/SC return codes (as pcsclite reports them, e.g. "SCardTransmit error: Card was removed.(0x80100069)")
// to the kiosk's stable error codes.
import { ErrorCodes, KioskError, type ErrorCode } from '../../core/errors.ts';

const BY_CODE: Record<number, ErrorCode> = {
  0x80100069: ErrorCodes.CARD_REMOVED, // SCARD_W_REMOVED_CARD
  0x80100068: ErrorCodes.CARD_REMOVED, // SCARD_W_RESET_CARD: someone reset the card under us; the session is void
  0x8010000c: ErrorCodes.READER_NO_CARD, // SCARD_E_NO_SMARTCARD
  0x80100066: ErrorCodes.CARD_CONNECT_FAILED, // SCARD_W_UNRESPONSIVE_CARD
  0x80100067: ErrorCodes.CARD_CONNECT_FAILED, // SCARD_W_UNPOWERED_CARD
  0x8010000f: ErrorCodes.CARD_CONNECT_FAILED, // SCARD_E_PROTO_MISMATCH
  0x80100017: ErrorCodes.READER_UNAVAILABLE, // SCARD_E_READER_UNAVAILABLE
  0x80100009: ErrorCodes.READER_NOT_FOUND, // SCARD_E_UNKNOWN_READER
  0x8010002e: ErrorCodes.READER_NOT_FOUND, // SCARD_E_NO_READERS_AVAILABLE
  0x8010001d: ErrorCodes.READER_UNAVAILABLE, // SCARD_E_NO_SERVICE
  0x8010001e: ErrorCodes.READER_UNAVAILABLE, // SCARD_E_SERVICE_STOPPED
  0x80100003: ErrorCodes.READER_UNAVAILABLE, // SCARD_E_INVALID_HANDLE (context died with pcscd)
  0x80100002: ErrorCodes.SESSION_CANCELLED, // SCARD_E_CANCELLED
  0x8010000a: ErrorCodes.READER_TIMEOUT, // SCARD_E_TIMEOUT
  0x80100016: ErrorCodes.READER_TRANSMIT_FAILED, // SCARD_E_NOT_TRANSACTED
};

export function pcscCode(err: unknown): number | null {
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(err instanceof Error ? err.message : String(err));
  const hex = m?.[1];
  return hex === undefined ? null : Number.parseInt(hex, 16);
}

export function fromPcscError(err: unknown, fallback: ErrorCode, context: string): KioskError {
  const code = pcscCode(err);
  const mapped = (code !== null && BY_CODE[code]) || fallback;
  const hex = code === null ? null : `0x${code.toString(16).toUpperCase()}`;
  return new KioskError(mapped, `${context}: ${err instanceof Error ? err.message : String(err)}`, { pcsc: hex }, { cause: err });
}
