// Machine-readable zone (ICAO 9303 Parts 3–5): check digits, the BAC/PACE access key ("MRZ information",
// docs/reference/passport.md §2) and the parsing of DG1's MRZ into fields. Everything here runs before any APDU: a
// malformed key is refused locally, so a wrong entry never costs a chip authentication attempt.
import { at } from '../../../../core/checked.ts';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';

function charValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  if (c === 0x3c) return 0; // '<'
  throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, 'MRZ character outside 0-9 A-Z <');
}

const CHECK_WEIGHTS = [7, 3, 1] as const;

/** The character at `i` of an MRZ line whose length was checked; a typed error if it is not there. */
const mrzAt = (line: string, i: number): string => at(line, i, ErrorCodes.CARD_MALFORMED_RESPONSE, 'MRZ');

/** ICAO check digit: weights 7,3,1 repeating, sum mod 10 (docs/reference/passport.md §11.5). */
export function checkDigit(field: string | Buffer): number {
  const b = typeof field === 'string' ? Buffer.from(field, 'latin1') : field;
  let sum = 0;
  for (const [i, c] of b.entries()) sum += charValue(c) * at(CHECK_WEIGHTS, i % 3);
  return sum % 10;
}

/** The three inputs of the access key. Kept as Buffers so the caller can wipe them. */
export interface AccessKeyInput {
  documentNumber: Buffer;
  dateOfBirth: Buffer;
  dateOfExpiry: Buffer;
}

const DOC_NUMBER = /^[A-Z0-9<]{1,9}$/;
const LONG_DOC_NUMBER = /^[A-Z0-9<]{10,22}$/;

/** YYMMDD with a plausible month and day (the year cannot be checked without a century). */
export function isYymmdd(s: string): boolean {
  if (!/^[0-9]{6}$/.test(s)) return false;
  const m = Number(s.slice(2, 4));
  const d = Number(s.slice(4, 6));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/**
 * Validate the inputs and build the MRZ information `docNo(9, '<'-filled) ‖ cd ‖ DOB ‖ cd ‖ expiry ‖ cd`.
 * Document numbers longer than 9 characters (TD1 overflow) are used whole, as 9303-11 §4.3 requires.
 * Throws PIN_FORMAT (nothing sent to the card) on any malformed field.
 */
export function mrzInformation(k: AccessKeyInput): Buffer {
  const doc = k.documentNumber.toString('latin1');
  const dob = k.dateOfBirth.toString('latin1');
  const exp = k.dateOfExpiry.toString('latin1');
  if (!DOC_NUMBER.test(doc) && !LONG_DOC_NUMBER.test(doc)) {
    throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, 'document number must be 1–9 (or up to 22) characters A–Z, 0–9', { field: 'documentNumber' });
  }
  if (!isYymmdd(dob)) throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, 'date of birth must be YYMMDD', { field: 'dateOfBirth' });
  if (!isYymmdd(exp)) throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, 'date of expiry must be YYMMDD', { field: 'dateOfExpiry' });
  const docField = doc.length < 9 ? doc.padEnd(9, '<') : doc;
  const out = Buffer.from(`${docField}${checkDigit(docField)}${dob}${checkDigit(dob)}${exp}${checkDigit(exp)}`, 'latin1');
  return out;
}

/** Fields of a parsed MRZ (DG1 or a scanned MRZ). Strings are as printed, fillers removed. */
export interface MrzFields {
  format: 'TD1' | 'TD2' | 'TD3';
  documentCode: string;
  issuingState: string;
  documentNumber: string;
  dateOfBirth: string;
  sex: string;
  dateOfExpiry: string;
  nationality: string;
  surname: string;
  givenNames: string;
  optionalData: string;
  /** Which check digits hold (a chip's DG1 with a bad digit is reported, not silently accepted). */
  checkDigitsValid: boolean;
}

const clean = (s: string) => s.replace(/<+$/g, '').replace(/</g, ' ').trim();

function names(field: string): { surname: string; givenNames: string } {
  const [sur = '', given = ''] = field.split('<<');
  const rest = field.includes('<<') ? field.slice(field.indexOf('<<') + 2) : given;
  return { surname: clean(sur), givenNames: clean(rest) };
}

function cd(value: string, digit: string): boolean {
  if (!/^[0-9<]$/.test(digit)) return false;
  try {
    return checkDigit(value) === (digit === '<' ? 0 : Number(digit));
  } catch {
    return false;
  }
}

/** Parse a TD1 (3×30), TD2 (2×36) or TD3 (2×44) MRZ given as one string without line breaks. */
export function parseMrz(mrz: string): MrzFields {
  const s = mrz.replace(/[\r\n]/g, '');
  if (!/^[A-Z0-9<]+$/.test(s)) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'MRZ contains characters outside A-Z 0-9 <');
  if (s.length === 88 || s.length === 72) {
    const len = s.length / 2;
    const l1 = s.slice(0, len);
    const l2 = s.slice(len);
    const optEnd = len === 44 ? 42 : 35;
    const doc = l2.slice(0, 9);
    const composite = len === 44 ? l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43) : l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 35);
    const valid = cd(doc, mrzAt(l2, 9)) && cd(l2.slice(13, 19), mrzAt(l2, 19)) && cd(l2.slice(21, 27), mrzAt(l2, 27)) && cd(composite, mrzAt(l2, len - 1));
    return {
      format: len === 44 ? 'TD3' : 'TD2',
      documentCode: clean(l1.slice(0, 2)),
      issuingState: clean(l1.slice(2, 5)),
      ...names(l1.slice(5)),
      documentNumber: clean(doc),
      nationality: clean(l2.slice(10, 13)),
      dateOfBirth: l2.slice(13, 19),
      sex: clean(l2.slice(20, 21)),
      dateOfExpiry: l2.slice(21, 27),
      optionalData: clean(l2.slice(28, optEnd)),
      checkDigitsValid: valid,
    };
  }
  if (s.length === 90) {
    const l1 = s.slice(0, 30);
    const l2 = s.slice(30, 60);
    const l3 = s.slice(60);
    let doc = l1.slice(5, 14);
    let docValid = cd(doc, mrzAt(l1, 14));
    if (l1[14] === '<') {
      // Long document number: continues in the optional data, its check digit is the last digit there.
      const opt = l1.slice(15).replace(/<+$/, '');
      doc = doc + opt.slice(0, -1);
      docValid = cd(doc, opt.slice(-1));
    }
    const composite = l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29);
    const valid = docValid && cd(l2.slice(0, 6), mrzAt(l2, 6)) && cd(l2.slice(8, 14), mrzAt(l2, 14)) && cd(composite, mrzAt(l2, 29));
    return {
      format: 'TD1',
      documentCode: clean(l1.slice(0, 2)),
      issuingState: clean(l1.slice(2, 5)),
      documentNumber: clean(doc),
      dateOfBirth: l2.slice(0, 6),
      sex: clean(l2.slice(7, 8)),
      dateOfExpiry: l2.slice(8, 14),
      nationality: clean(l2.slice(15, 18)),
      ...names(l3),
      optionalData: clean(l1.slice(15)),
      checkDigitsValid: valid,
    };
  }
  throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `MRZ of ${s.length} characters is none of TD1/TD2/TD3`);
}

/**
 * The access key from a scanned MRZ (keyboard-wedge or serial scanner, `--mrz-stdin`): the text's lines
 * are parsed and every check digit must hold — a misread scan is refused before any APDU.
 */
export function accessKeyFromMrzText(text: string): AccessKeyInput {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim().toUpperCase())
    .filter((l) => l.length > 0);
  let fields: MrzFields;
  try {
    fields = parseMrz(lines.join(''));
  } catch {
    throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, 'the MRZ text is not a TD1/TD2/TD3 machine-readable zone');
  }
  if (!fields.checkDigitsValid) throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, 'an MRZ check digit does not match (rescan the document)');
  return {
    documentNumber: Buffer.from(fields.documentNumber.replace(/ /g, '<'), 'latin1'),
    dateOfBirth: Buffer.from(fields.dateOfBirth, 'latin1'),
    dateOfExpiry: Buffer.from(fields.dateOfExpiry, 'latin1'),
  };
}
