// core/checked.ts: a missing element is a KioskError with the caller's code, never `undefined` passed on.
import { describe, expect, it } from 'vitest';
import { at, defined } from '../../../core/checked.ts';
import { ErrorCodes } from '../../../core/errors.ts';
import { codeOf } from '../../harness/error-code.ts';

describe('at', () => {
  it('returns the element inside the bounds, including 0 bytes and empty strings', () => {
    expect(at(Buffer.from([0x00, 0xff]), 0)).toBe(0);
    expect(at(Buffer.from([0x00, 0xff]), 1)).toBe(0xff);
    expect(at(['', 'b'], 0)).toBe('');
    expect(at('MRZ', 2)).toBe('Z');
  });

  it('throws the named code outside the bounds', () => {
    const buf = Buffer.from([1, 2, 3]);
    expect(codeOf(() => at(buf, 3, ErrorCodes.CARD_MALFORMED_RESPONSE))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(codeOf(() => at(buf, -1, ErrorCodes.CRL_LENGTH))).toBe(ErrorCodes.CRL_LENGTH);
    expect(codeOf(() => at([], 0))).toBe(ErrorCodes.INTERNAL);
  });
});

describe('defined', () => {
  it('passes falsy values that are present', () => {
    expect(defined(0)).toBe(0);
    expect(defined('')).toBe('');
    expect(defined(false)).toBe(false);
  });

  it('throws the named code for undefined and null', () => {
    expect(codeOf(() => defined(undefined, ErrorCodes.PASSPORT_SOD_INVALID))).toBe(ErrorCodes.PASSPORT_SOD_INVALID);
    expect(codeOf(() => defined(null))).toBe(ErrorCodes.INTERNAL);
  });
});
