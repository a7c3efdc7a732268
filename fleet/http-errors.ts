// The collector's HTTP API errors. Each has a stable code (part of the API, never renamed) and one HTTP
// status; a refused request changes nothing in the database. Thrown as KioskError FLEET_REQUEST_REFUSED
// with the API code in detail.reason, so every parser of kiosk input throws one typed error.
import { ErrorCodes, KioskError, isKioskError } from '../core/errors.ts';

export const ApiErrors = {
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  MALFORMED_BODY: 400,
  CLIENT_CERT_REQUIRED: 401,
  CLIENT_CERT_INVALID: 401,
  BAD_SIGNATURE: 401,
  KIOSK_UNKNOWN: 403,
  KIOSK_NOT_APPROVED: 403,
  KIOSK_REVOKED: 403,
  CERT_MISMATCH: 403,
  WRONG_KEY: 403,
  ENROLMENT_CONFLICT: 409,
  HEARTBEAT_REPLAYED: 409,
  HEARTBEAT_STALE_BOOT: 409,
  AUDIT_EDITED: 422,
  AUDIT_INSERTED: 422,
  AUDIT_DELETED: 422,
  AUDIT_REORDERED: 422,
  AUDIT_BAD_MARK: 422,
  AUDIT_ROLLBACK: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof ApiErrors;

export function refuse(reason: ApiErrorCode, message: string, extra: Record<string, string | number | null> = {}): KioskError {
  return new KioskError(ErrorCodes.FLEET_REQUEST_REFUSED, message, { reason, status: ApiErrors[reason], ...extra });
}

/** Status + JSON body for any error; unknown failures (database down…) are 503 UNAVAILABLE, retryable. */
export function errorResponse(e: unknown): { status: number; body: { error: string; message: string; seq?: number } } {
  if (isKioskError(e, ErrorCodes.FLEET_REQUEST_REFUSED)) {
    const reason = String(e.detail.reason);
    const seq = typeof e.detail.seq === 'number' ? { seq: e.detail.seq } : {};
    return { status: Number(e.detail.status), body: { error: reason, message: e.message, ...seq } };
  }
  return { status: 503, body: { error: 'UNAVAILABLE', message: 'the collector could not complete the request; retry later' } };
}
