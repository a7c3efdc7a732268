// 券面事項入力補助AP data (cards.md §2.5): the 4 basic info in EF 0002 and the card's signature file
// EF 0003, parsed strictly. Pure functions, no card I/O.
//
// EF 0002: FF20 { DF21 header (16-bit big-endian offsets of the fields), DF22 氏名, DF23 住所,
//                 DF24 生年月日 (YYYYMMDD — exact form UNVERIFIED), DF25 性別 (ISO 5218 digit — set UNVERIFIED) }
// EF 0003: FF30 { DF31 hash of EF 0001, DF32 hash of the 4-info, DF33 signature }
//
// What can be checked (§2.9): DF32 = SHA-256 over EF 0002 "from the first offset to the end of FF20" —
// one non-OSS library's claim, implemented here literally. DF33 is a signature under a CV certificate
// (EF 0004) that chains to a J-LIS key: scheme, padding and root key are unknown, so DF33 is reported as
// unverified. DF31 would need EF 0001 (the My Number), which this kiosk never reads by default.
import { createHash } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../errors.ts';
import { children, find, readTlv, requireTag, type Tlv } from './tlv.ts';

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
  /** The bytes DF32 is said to cover: EF 0002 from the first offset to the end of FF20. */
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
  s = s.replace(/[\u0000\u0020\u3000]+$/u, '');
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(s)) throw bad(`${field} contains control characters`);
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
  const root = readTlv(ef, 0, ef.length, 'basic info (EF 0002)');
  if (root.tag !== TAG.basicInfo) throw bad(`template tag ${root.tag.toString(16).toUpperCase()} is not FF20`);
  const kids = children(ef, root, 'basic info (EF 0002)');
  for (const t of kids) if (kids.filter((k) => k.tag === t.tag).length > 1) throw bad(`tag ${t.tag.toString(16).toUpperCase()} repeated`);
  const field = (tag: number, what: string): Tlv => requireTag(kids, tag, `basic info (EF 0002) ${what}`);
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
  const first = offsets.length ? offsets[0]! : nameT.start;
  if (first > root.end) throw bad('DF21 first offset lies beyond FF20');

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
    hashedRegion: ef.subarray(first, root.end),
  };
}

export interface SignatureFile {
  myNumberHash: Buffer | null;
  basicInfoHash: Buffer | null;
  signature: Buffer | null;
}

export function parseSignatureFile(ef: Buffer): SignatureFile {
  const root = readTlv(ef, 0, ef.length, 'signature file (EF 0003)');
  if (root.tag !== TAG.signatureFile) {
    throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `signature file (EF 0003): template ${root.tag.toString(16).toUpperCase()} is not FF30`);
  }
  const kids = children(ef, root, 'signature file (EF 0003)');
  const v = (tag: number) => (find(kids, tag)?.value ? Buffer.from(find(kids, tag)!.value) : null);
  return { myNumberHash: v(TAG.myNumberHash), basicInfoHash: v(TAG.basicInfoHash), signature: v(TAG.signature) };
}

export type HashCheck = 'match' | 'mismatch' | 'absent';

/** DF32 against SHA-256 of the 4-info region. */
export function checkBasicInfoHash(info: BasicInfo, sig: SignatureFile | null): HashCheck {
  if (!sig?.basicInfoHash) return 'absent';
  const digest = createHash('sha256').update(info.hashedRegion).digest();
  return sig.basicInfoHash.length === digest.length && sig.basicInfoHash.equals(digest) ? 'match' : 'mismatch';
}
