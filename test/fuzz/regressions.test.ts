// Crashes the document fuzz targets found (npm run fuzz, issue 17), each minimized to the smallest input
// that reproduced it: the parser must now answer with a typed KioskError and its stable code.
import { describe, expect, it } from 'vitest';
import { parseGen2Df2 } from '../../daemon/documents/residence/card-data.ts';
import { ErrorCodes, KioskError } from '../../daemon/errors.ts';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof KioskError) return e.code;
    throw e;
  }
  throw new Error('expected a KioskError');
}

describe('fuzz regressions', () => {
  it('residence-files: a 2nd-gen DF2 text entry that is not UTF-8 (D8 01 B1) is a malformed file, not a TypeError', () => {
    expect(codeOf(() => parseGen2Df2(null, hex('d8 01 b1')))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(codeOf(() => parseGen2Df2(hex('d6 01 b4'), null))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    // Valid UTF-8 still parses (the fix is only about the failure's type).
    expect(parseGen2Df2(null, hex('d8 03 e7 94 b3')).renewalApplication).toBe('申');
  });
});
