// 券面事項入力補助AP data (docs/reference/mynumber.md §Text AP): the 4 basic info in EF 0002 and the card's
// signature file EF 0003, parsed strictly. Pure functions, no card I/O.
//
// EF 0002: FF20 { DF21 offsets (16-bit big-endian, from the start of the file), DF22 氏名 (UTF-8), DF23 住所
//                 (UTF-8), DF24 生年月日 (YYYYMMDD, Gregorian), DF25 性別 (one digit, JIS X 0303) }
// EF 0003: FF30 { DF31 SHA-256 of EF 0001, DF32 SHA-256 of the 4 info, DF33 issuer signature }
//
// DF32 covers FF20's value with the DF21 offset table skipped — DF22 to the end, nothing before
// (soltia48/myna-card src/ap/text.rs, checked there on a JPKI test card). DF33 is verified in
// card-ap-signatures.ts. DF31 would need EF 0001 (the My Number), which this kiosk never reads by default.
import { createHash } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { CARD_BER, find, need, type Tlv } from '../../encoding/ber-tlv.ts';

export const TAG = {
  basicInfo: 0xff20,
  header: 0xdf21,
  name: 0xdf22,
  address: 0xdf23,
  dateOfBirth: 0xdf24,
  sex: 0xdf25,
  signatureFile: 0xff30,
  myNumberHash: 0xdf31,
  basicInfoHash: 0xdf32,
  signature: 0xdf33,
} as const;

export type Sex = 'male' | 'female' | 'not-applicable' | 'unknown';

export interface BasicInfo {
  name: string;
  address: string;
  /** ISO date (YYYY-MM-DD) when the card's value is a valid YYYYMMDD date, else null (see dateOfBirthRaw). */
  dateOfBirth: string | null;
  /** The card's value when it could not be read as YYYYMMDD (printable ASCII only), else null. */
  dateOfBirthRaw: string | null;
  sex: Sex | null;
  sexCode: string;
  /** Offsets announced by DF21 (file offsets), [] when DF21 carries none. */
  offsets: number[];
  /** True when DF21's offsets point exactly at the DF22..DF25 TLVs. */
  offsetsMatchLayout: boolean;
  /** The bytes DF32 covers: FF20's value after the DF21 offset table (all of it when DF21 is absent). */
  hashedRegion: Buffer;
}

const bad = (msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `basic info (EF 0002): ${msg}`);

/** UTF-8 with no tolerance: invalid bytes are an error, never U+FFFD mojibake on screen. */
export function decodeUtf8Strict(b: Buffer, field: string): string {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    throw bad(`${field} is not valid UTF-8`);
  }
  // Cards pad fixed-size fields; trailing NULs and spaces are padding, not content.
  s = s.replace(/[\0 \u3000]+$/u, ''); // NUL, space, ideographic space
  if (/\p{Cc}/u.test(s))
    // Cc: U+0000–001F, U+007F–009F
    throw bad(`${field} contains control characters`);
  return s;
}

export function parseDateYYYYMMDD(s: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1800 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

export function sexFromCode(code: string): Sex | null {
  return ({ '1': 'male', '2': 'female', '9': 'not-applicable', '0': 'unknown' } as Record<string, Sex>)[code] ?? null;
}

const printable = (b: Buffer) => b.toString('latin1').replace(/[^\x20-\x7e]/g, '?');

export function parseBasicInfo(ef: Buffer): BasicInfo {
  const root = CARD_BER.read(ef, 0, 'basic info (EF 0002)');
  if (root.tag !== TAG.basicInfo) throw bad(`template tag ${root.tag.toString(16).toUpperCase()} is not FF20`);
  const kids = CARD_BER.children(root, 'basic info (EF 0002)');
  for (const t of kids) if (kids.filter((k) => k.tag === t.tag).length > 1) throw bad(`tag ${t.tag.toString(16).toUpperCase()} repeated`);
  const field = (tag: number, what: string): Tlv => need(kids, tag, `basic info (EF 0002) ${what}`);
  const nameT = field(TAG.name, 'name');
  const addrT = field(TAG.address, 'address');
  const dobT = field(TAG.dateOfBirth, 'date of birth');
  const sexT = field(TAG.sex, 'sex');

  const header = find(kids, TAG.header);
  const offsets: number[] = [];
  if (header) {
    if (header.value.length % 2 !== 0) throw bad('DF21 has an odd length');
    for (let i = 0; i < header.value.length; i += 2) offsets.push(header.value.readUInt16BE(i));
  }
  const fieldStarts = [nameT.start, addrT.start, dobT.start, sexT.start];
  const offsetsMatchLayout = offsets.length >= 4 && fieldStarts.every((s, i) => offsets[i] === s);
  // DF21 must come first when present; the digest starts right after it.
  if (header && kids[0] !== header) throw bad('DF21 is not the first object');
  const hashedFrom = header ? header.end : root.valueStart;

  const dobText = dobT.value.toString('latin1');
  const dateOfBirth = parseDateYYYYMMDD(dobText);
  const sexCode = printable(sexT.value);
  return {
    name: decodeUtf8Strict(nameT.value, 'name'),
    address: decodeUtf8Strict(addrT.value, 'address'),
    dateOfBirth,
    dateOfBirthRaw: dateOfBirth ? null : printable(dobT.value),
    sex: sexFromCode(sexCode),
    sexCode,
    offsets,
    offsetsMatchLayout,
    hashedRegion: ef.subarray(hashedFrom, root.end),
  };
}

export interface SignatureFile {
  myNumberHash: Buffer | null;
  basicInfoHash: Buffer | null;
  signature: Buffer | null;
}

export function parseSignatureFile(ef: Buffer): SignatureFile {
  const root = CARD_BER.read(ef, 0, 'signature file (EF 0003)');
  if (root.tag !== TAG.signatureFile) {
    throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `signature file (EF 0003): template ${root.tag.toString(16).toUpperCase()} is not FF30`);
  }
  const kids = CARD_BER.children(root, 'signature file (EF 0003)');
  const v = (tag: number) => {
    const value = find(kids, tag)?.value;
    return value ? Buffer.from(value) : null;
  };
  return { myNumberHash: v(TAG.myNumberHash), basicInfoHash: v(TAG.basicInfoHash), signature: v(TAG.signature) };
}

export type HashCheck = 'match' | 'mismatch' | 'absent';

/** DF32 against SHA-256 of the 4-info region. */
export function checkBasicInfoHash(info: BasicInfo, sig: SignatureFile | null): HashCheck {
  if (!sig?.basicInfoHash) return 'absent';
  const digest = createHash('sha256').update(info.hashedRegion).digest();
  return sig.basicInfoHash.length === digest.length && sig.basicInfoHash.equals(digest) ? 'match' : 'mismatch';
}
