// Checked access: the one way production code reads an element it believes is there, instead of a
// non-null `!` (issue 22). When the belief is wrong — bad bytes from a card or a CRL, or a bug — the
// caller gets a KioskError with the code it names (CARD_MALFORMED_RESPONSE, CRL_MALFORMED, … or INTERNAL
// for "cannot happen"), never a TypeError from `undefined` further on: fail closed, with a stable code.
import { ErrorCodes, KioskError, type ErrorCode } from './errors.ts';

/**
 * list[i], or a KioskError(code) when `i` is outside the list. For lists whose elements are never
 * `undefined` (buffers, arrays of values): an `undefined` element counts as missing.
 */
export function at<T>(list: ArrayLike<T>, i: number, code: ErrorCode = ErrorCodes.INTERNAL, what = 'value'): T {
  const v = list[i];
  if (v === undefined) throw new KioskError(code, `${what}: no element at index ${i} (length ${list.length})`, { index: i, length: list.length });
  return v;
}

/** `v` when it is neither undefined nor null, else a KioskError(code) naming what was missing. */
export function defined<T>(v: T | undefined | null, code: ErrorCode = ErrorCodes.INTERNAL, what = 'value'): T {
  if (v === undefined || v === null) throw new KioskError(code, `${what}: missing`);
  return v;
}

/** buf[i] ^= mask (the virtual cards' fault injection), or a KioskError(code) when `i` is outside buf. */
export function xorAt(buf: Uint8Array, i: number, mask: number, code: ErrorCode = ErrorCodes.INTERNAL): void {
  buf[i] = at(buf, i, code, 'byte') ^ mask;
}
