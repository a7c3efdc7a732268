// The virtual licence's personalisation: a synthetic holder (whose name needs an external glyph, 髙) and
// the file contents built from it, in the formats the reader decodes (daemon/documents/license). Formats
// marked UNVERIFIED there (外字 bitmaps, EF04 change records, EF07 fields) are built the same way here,
// so these files prove the reader and the emulator agree — not that either matches a real licence.
import { CHANGE_TAGS, type ChangeKind } from '../../../daemon/documents/license/changes.ts';
import { MATTERS_TAGS } from '../../../daemon/documents/license/matters.ts';
import { PHOTO_TAG } from '../../../daemon/documents/license/photo.ts';
import { encodeLicenseTlv as tlv } from '../../../daemon/documents/license/tlv.ts';
import { GLYPH_TAKA_LADDER } from './glyphs.ts';
import { encodeBcdDate, encodeEraDate, encodeJisX0201, encodeJisX0208 } from './jis-encode.ts';
import { SYNTHETIC_PHOTO_J2K } from './photo-fixture.ts';

export interface LicenseChange {
  kind: ChangeKind;
  date: string;
  value: string;
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
  /** Class key (MATTERS_TAGS keys) → acquisition date, or true = held without a date. */
  classes: Record<string, string | true>;
  honseki: string;
  /** Glyph bitmaps 1–2 (DF1/EF03). */
  glyphs: Buffer[];
  changes: LicenseChange[];
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
}

export function syntheticHolder(o: SyntheticHolderOptions = {}): LicenseHolder {
  const now = o.now ?? new Date();
  const expiryDate = o.expired ? jstDate(now, -1) : jstDate(now, 700);
  const issueDate = jstDate(new Date(Date.parse(expiryDate) - 9 * 3600_000), -1800);
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
    classes: { ordinary: '2010-05-10', moped: true },
    honseki: '東京都千代田区見本町一丁目',
    glyphs: [GLYPH_TAKA_LADDER],
    changes:
      o.addressChange === false
        ? []
        : [{ kind: 'newAddress', date: jstDate(now, -30), value: '神奈川県横浜市中区試験町四丁目５番６号', commission: '神奈川県公安委員会' }],
    photo: SYNTHETIC_PHOTO_J2K,
  };
}

const padTo = (b: Buffer, size: number, fill = 0x00) => (b.length >= size ? b : Buffer.concat([b, Buffer.alloc(size - b.length, fill)]));
const tagOf = (key: string) => [...MATTERS_TAGS].find(([, i]) => i.key === key)![0];

/** MF/EF01: 45 0B version ‖ issue ‖ expiry, 46 02 manufacturer ‖ crypto function. */
export function buildCommonData(h: LicenseHolder): Buffer {
  return Buffer.concat([
    tlv(0x45, Buffer.concat([encodeJisX0201(h.specVersion), encodeBcdDate(h.issueDate), encodeBcdDate(h.expiryDate)])),
    tlv(0x46, Buffer.from([0x01, 0x01])),
  ]);
}

/** MF/EF02 (tag C1 is our choice; the reader does not depend on it). */
export function buildPinSetting(holderSet: boolean): Buffer {
  return tlv(0xc1, Buffer.from([holderSet ? 0x01 : 0x00]));
}

/** DF1/EF01: every tag 11–33 in order, then FF and zero padding to 880 bytes. */
export function buildMatters(h: LicenseHolder): Buffer {
  const parts: Buffer[] = [];
  const put = (key: string, value: Buffer) => parts.push(tlv(tagOf(key), value));
  put('jisX0208Edition', encodeJisX0201('1997'));
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
  for (const [tag, info] of MATTERS_TAGS) {
    if (info.kind !== 'class-date') continue;
    const v = h.classes[info.key];
    parts.push(tlv(tag, v === undefined ? Buffer.alloc(0) : v === true ? encodeJisX0201('0000000') : encodeEraDate(v)));
  }
  parts.push(Buffer.from([0xff]));
  return padTo(Buffer.concat(parts), 880);
}

/** One 外字 slot: tag ‖ 81 81 ‖ 文字構成 ‖ 128-byte bitmap (132 bytes; format UNVERIFIED, see gaiji.ts). */
function glyphSlot(bitmap: Buffer | undefined): Buffer {
  return tlv(0x60, Buffer.concat([Buffer.from([bitmap ? 0x01 : 0x00]), bitmap ?? Buffer.alloc(128)]));
}

/** DF1/EF03: glyphs 1 and 2 (264 bytes). */
export function buildGaiji(h: LicenseHolder): Buffer {
  return Buffer.concat([glyphSlot(h.glyphs[0]), glyphSlot(h.glyphs[1])]);
}

/** DF1/EF05: 追記の有無 + five empty slots for glyphs 3–7 (663 bytes). */
export function buildChangedGaiji(): Buffer {
  return Buffer.concat([tlv(CHANGE_TAGS.appended, Buffer.from([0x00])), ...Array.from({ length: 5 }, () => glyphSlot(undefined))]);
}

function kindTag(kind: ChangeKind): number {
  return [...CHANGE_TAGS.kinds].find(([, k]) => k === kind)![0];
}

/** DF1/EF04 or EF06: 追記の有無, then per change edition, date, value, commission (format UNVERIFIED). */
export function buildChangeRecords(changes: readonly LicenseChange[], size: number): Buffer {
  const parts = [tlv(CHANGE_TAGS.appended, Buffer.from([changes.length > 0 ? 0x01 : 0x00]))];
  for (const c of changes) {
    parts.push(
      tlv(CHANGE_TAGS.edition, encodeJisX0201('1997')),
      tlv(CHANGE_TAGS.date, encodeEraDate(c.date)),
      tlv(kindTag(c.kind), encodeJisX0208(c.value)),
      tlv(CHANGE_TAGS.commission, encodeJisX0208(c.commission)),
    );
  }
  parts.push(Buffer.from([0xff]));
  return padTo(Buffer.concat(parts), size);
}

/** DF1/EF02: 本籍 (tag 41), padded to 82 bytes. */
export function buildHonseki(h: LicenseHolder): Buffer {
  return padTo(Buffer.concat([tlv(0x41, encodeJisX0208(h.honseki)), Buffer.from([0xff])]), 82);
}

/** DF2/EF01: 5F40 ‖ 82 LL LL ‖ JPEG 2000 codestream. */
export function buildPhoto(h: LicenseHolder): Buffer {
  const t = tlv(PHOTO_TAG, h.photo);
  // Always the 3-byte length form, as a 2 KB photo would have.
  return t[2] === 0x82 ? t : Buffer.concat([t.subarray(0, 2), Buffer.from([0x82, h.photo.length >> 8, h.photo.length & 0xff]), h.photo]);
}
