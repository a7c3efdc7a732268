// The virtual licence's personalisation: a synthetic holder (whose name needs an external glyph, 髙) and
// the file contents built from it in the layouts of the public sources (layout.ts, docs/reference/license.md).
// Nothing here comes from the reader (daemon/documents/license): the two meet only on the card's bytes.
import {
  APPENDED_TAG,
  CHANGE_KIND_TAGS,
  CHANGED_GAIJI_TAGS,
  GAIJI_TAGS,
  HONSEKI_TAG,
  MATTER_TAGS,
  PHOTO_TAG,
  PIN_SETTING_TAG,
  type ChangeKindName,
} from './layout.ts';
import { tlv } from '../iso7816/ber-tlv.ts';
import { GLYPH_TAKA_LADDER } from './glyphs.ts';
import { encodeBcdDate, encodeEraDate, encodeEraDateJisX0208, encodeJisX0201, encodeJisX0208 } from './jis-encode.ts';
import { SYNTHETIC_PHOTO_J2K } from './photo-fixture.ts';
import { defined } from '../../../core/checked.ts';
import { ErrorCodes } from '../../../core/errors.ts';

export interface LicenseChange {
  kind: ChangeKindName;
  date: string;
  value: string;
  /** The record's last five JIS X 0208 characters (公安委員会); shorter text is padded with 　. */
  commission: string;
}

export interface LicenseHolder {
  specVersion: string;
  /** JIS X 0208 text; `{外字N}` marks an external glyph. */
  name: string;
  nameKana: string;
  birthDate: string;
  address: string;
  issueDate: string;
  expiryDate: string;
  referenceNumber: string;
  colorClass: string;
  conditions: string[];
  commission: string;
  licenseNumber: string;
  /** Class field (layout.ts MATTER_TAGS) → acquisition date; classes not listed are written as not held. */
  classes: Record<string, string>;
  honseki: string;
  /** Glyph bitmaps 1–2 (DF1/EF03). */
  glyphs: Buffer[];
  /** EF04 (and EF06 for kind newHonseki) in write order. */
  changes: LicenseChange[];
  /** Adversarial: raw TLV values appended to EF04 as they are (e.g. a record too short for the layout). */
  rawChangeRecords?: Buffer[];
  photo: Buffer;
}

const DAY = 86_400_000;

/** Today's date in Japan, shifted by `days`. */
export function jstDate(now: Date, days = 0): string {
  return new Date(now.getTime() + 9 * 3600_000 + days * DAY).toISOString().slice(0, 10);
}

export interface SyntheticHolderOptions {
  now?: Date;
  /** The licence's last valid day was yesterday (JST). */
  expired?: boolean;
  /** EF04 carries a 新住所 record (default true). */
  addressChange?: boolean;
  /** EF04 also carries a 新氏名 record (recorded before the address change). */
  nameChange?: boolean;
  /** EF04 also carries one record whose value is too short for the public layout. */
  malformedChange?: boolean;
}

/** The synthetic values the change options write (tests and the demo panel print them). */
export const SYNTHETIC_NEW_NAME = '髙山　変更子';
export const SYNTHETIC_NEW_NAME_JIS = '{外字1}山　変更子';
export const SYNTHETIC_NEW_ADDRESS = '神奈川県横浜市中区試験町四丁目５番６号';

export function syntheticHolder(o: SyntheticHolderOptions = {}): LicenseHolder {
  const now = o.now ?? new Date();
  const expiryDate = o.expired ? jstDate(now, -1) : jstDate(now, 700);
  const issueDate = jstDate(new Date(Date.parse(expiryDate) - 9 * 3600_000), -1800);
  const changes: LicenseChange[] = [];
  if (o.nameChange) changes.push({ kind: 'newName', date: jstDate(now, -60), value: SYNTHETIC_NEW_NAME_JIS, commission: '公安委員会' });
  if (o.addressChange !== false) changes.push({ kind: 'newAddress', date: jstDate(now, -30), value: SYNTHETIC_NEW_ADDRESS, commission: '公安委員会' });
  return {
    specVersion: '008',
    name: '{外字1}山　見本子',
    nameKana: 'タカヤマ　ミホンコ',
    birthDate: '1990-04-01',
    address: '東京都千代田区見本町一丁目２番３号',
    issueDate,
    expiryDate,
    referenceNumber: '000000000001',
    colorClass: '優良',
    conditions: ['眼鏡等'],
    commission: '東京都公安委員会',
    licenseNumber: '990000000001',
    classes: { ordinary: '2010-05-10', moped: '2008-06-01' },
    honseki: '東京都千代田区見本町一丁目',
    glyphs: [GLYPH_TAKA_LADDER],
    changes,
    // Edition byte and a 3-character date only: shorter than edition ‖ 7 date characters ‖ 5 commission characters.
    rawChangeRecords: o.malformedChange ? [Buffer.concat([Buffer.from([0x01]), encodeJisX0208('５０７')])] : undefined,
    photo: SYNTHETIC_PHOTO_J2K,
  };
}

const padTo = (b: Buffer, size: number, fill = 0x00) => (b.length >= size ? b : Buffer.concat([b, Buffer.alloc(size - b.length, fill)]));
const tagOf = (field: string) =>
  defined(
    MATTER_TAGS.find((t) => t.field === field),
    ErrorCodes.INTERNAL,
    `matter tag of ${field}`,
  ).tag;

/** The JIS X 0208 edition byte this card writes (tag 11 and each change record; its code list is not public). */
export const JIS_EDITION_BYTE = 0x01;

/** MF/EF01: 45 0B version ‖ issue ‖ expiry, 46 02 manufacturer ‖ crypto function. */
export function buildCommonData(h: LicenseHolder): Buffer {
  return Buffer.concat([
    tlv(0x45, Buffer.concat([encodeJisX0201(h.specVersion), encodeBcdDate(h.issueDate), encodeBcdDate(h.expiryDate)])),
    tlv(0x46, Buffer.from([0x01, 0x01])),
  ]);
}

/** MF/EF02 (the tag is OUR CHOICE, layout.ts). */
export function buildPinSetting(holderSet: boolean): Buffer {
  return tlv(PIN_SETTING_TAG, Buffer.from([holderSet ? 0x01 : 0x00]));
}

/** DF1/EF01: every tag 11–33 in order, then FF and zero padding to 880 bytes. */
export function buildMatters(h: LicenseHolder): Buffer {
  const parts: Buffer[] = [];
  const put = (field: string, value: Buffer) => parts.push(tlv(tagOf(field), value));
  put('jisX0208Edition', Buffer.from([JIS_EDITION_BYTE]));
  put('name', encodeJisX0208(h.name));
  put('nameKana', encodeJisX0208(h.nameKana));
  put('commonName', Buffer.alloc(0));
  put('unifiedNameKana', Buffer.alloc(0));
  put('birthDate', encodeEraDate(h.birthDate));
  put('address', encodeJisX0208(h.address));
  put('issueDate', encodeEraDate(h.issueDate));
  put('referenceNumber', encodeJisX0201(h.referenceNumber));
  put('colorClass', encodeJisX0208(h.colorClass));
  put('expiryDate', encodeEraDate(h.expiryDate));
  for (let i = 0; i < 4; i++) put(`condition${i + 1}`, encodeJisX0208(h.conditions[i] ?? ''));
  put('issuingCommission', encodeJisX0208(h.commission));
  put('licenseNumber', encodeJisX0201(h.licenseNumber));
  // A class not held reads (era)000000 (JDCardReaderCore); the era digit of the issue date is used.
  const notHeld = encodeJisX0201(`${encodeEraDate(h.issueDate).toString('latin1')[0]}000000`);
  for (const t of MATTER_TAGS) {
    if (t.enc !== 'class-date') continue;
    const v = h.classes[t.field];
    parts.push(tlv(t.tag, v === undefined ? notHeld : encodeEraDate(v)));
  }
  parts.push(Buffer.from([0xff]));
  return padTo(Buffer.concat(parts), 880);
}

/** One 外字 slot: tag ‖ 81 81 ‖ 文字構成 ‖ 128-byte bitmap (132 bytes; the value layout is OUR CHOICE). */
function glyphSlot(tag: number, bitmap: Buffer | undefined): Buffer {
  return tlv(tag, Buffer.concat([Buffer.from([bitmap ? 0x01 : 0x00]), bitmap ?? Buffer.alloc(128)]));
}

/** DF1/EF03: 外字1 (tag 48) and 外字2 (tag 49), 264 bytes. */
export function buildGaiji(h: LicenseHolder): Buffer {
  return Buffer.concat(GAIJI_TAGS.map((tag, i) => glyphSlot(tag, h.glyphs[i])));
}

/** DF1/EF05: 追記の有無 + five empty slots for glyphs 3–7 (663 bytes). */
export function buildChangedGaiji(): Buffer {
  return Buffer.concat([tlv(APPENDED_TAG, Buffer.from([0x00])), ...CHANGED_GAIJI_TAGS.map((tag) => glyphSlot(tag, undefined))]);
}

/** The value of one change record: edition byte ‖ 7 JIS X 0208 date characters ‖ text ‖ 5 JIS X 0208 characters. */
export function changeRecordValue(c: LicenseChange): Buffer {
  const commission = [...c.commission];
  if (commission.length > 5) throw new RangeError('the commission field is 5 characters');
  return Buffer.concat([
    Buffer.from([JIS_EDITION_BYTE]),
    encodeEraDateJisX0208(c.date),
    encodeJisX0208(c.value),
    encodeJisX0208(c.commission + '　'.repeat(5 - commission.length)),
  ]);
}

/** DF1/EF04 or EF06: 追記の有無, then one TLV per change (public layout), FF, zero padding to `size`. */
export function buildChangeRecords(changes: readonly LicenseChange[], size: number, raw: readonly Buffer[] = []): Buffer {
  const parts = [tlv(APPENDED_TAG, Buffer.from([changes.length + raw.length > 0 ? 0x01 : 0x00]))];
  for (const c of changes) parts.push(tlv(CHANGE_KIND_TAGS[c.kind], changeRecordValue(c)));
  for (const r of raw) parts.push(tlv(CHANGE_KIND_TAGS.remark, r));
  parts.push(Buffer.from([0xff]));
  const out = padTo(Buffer.concat(parts), size);
  if (out.length > size) throw new RangeError(`change records do not fit in ${size} bytes`);
  return out;
}

/** DF1/EF02: 本籍 (tag 41), padded to 82 bytes. */
export function buildHonseki(h: LicenseHolder): Buffer {
  return padTo(Buffer.concat([tlv(HONSEKI_TAG, encodeJisX0208(h.honseki)), Buffer.from([0xff])]), 82);
}

/** DF2/EF01: 5F40 ‖ 82 LL LL ‖ JPEG 2000 codestream. */
export function buildPhoto(h: LicenseHolder): Buffer {
  const t = tlv(PHOTO_TAG, h.photo);
  // Always the 3-byte length form, as a 2 KB photo would have.
  return t[2] === 0x82 ? t : Buffer.concat([t.subarray(0, 2), Buffer.from([0x82, h.photo.length >> 8, h.photo.length & 0xff]), h.photo]);
}
