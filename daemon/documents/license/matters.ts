// DF1/EF01 記載事項（本籍除く）: the printed matters, one TLV per tag 11–33 (docs/reference/license.md
// §6). Every tag of the table is decoded; unknown tags are kept as hex so a newer spec version never
// breaks the read. Tag 11 (JIS X 0208 制定年番号) is ONE BINARY BYTE, not text (takusan23/JDCardReaderCore
// JDCardReaderCore.kt formats it with "%02x"); a class not held reads (era)000000 (JDCardReaderCore
// toJISX0201DateString: "持ってない免許の場合は (元号)000000").
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { decodeJisX0201, decodeJisX0208, parseEraDate, type LicenseText } from './jis.ts';
import { LICENSE_TLV } from './constants.ts';

type FieldKind = 'byte' | 'jis0201' | 'jis0208' | 'date' | 'class-date';

export interface TagInfo {
  key: string;
  label: string;
  kind: FieldKind;
}

/** The tag table of DF1/EF01. Keys are our stable JSON names; labels are the spec's Japanese names. */
export const MATTERS_TAGS: ReadonlyMap<number, TagInfo> = new Map<number, TagInfo>([
  [0x11, { key: 'jisX0208Edition', label: 'JIS X 0208 制定年番号', kind: 'byte' }],
  [0x12, { key: 'name', label: '氏名', kind: 'jis0208' }],
  [0x13, { key: 'nameKana', label: '呼び名（カナ）', kind: 'jis0208' }],
  [0x14, { key: 'commonName', label: '通称名', kind: 'jis0208' }],
  [0x15, { key: 'unifiedNameKana', label: '統一氏名（カナ）', kind: 'jis0208' }],
  [0x16, { key: 'birthDate', label: '生年月日', kind: 'date' }],
  [0x17, { key: 'address', label: '住所', kind: 'jis0208' }],
  [0x18, { key: 'issueDate', label: '交付年月日', kind: 'date' }],
  [0x19, { key: 'referenceNumber', label: '照会番号', kind: 'jis0201' }],
  [0x1a, { key: 'colorClass', label: '免許証の色区分', kind: 'jis0208' }],
  [0x1b, { key: 'expiryDate', label: '有効期間の末日', kind: 'date' }],
  [0x1c, { key: 'condition1', label: '免許の条件1', kind: 'jis0208' }],
  [0x1d, { key: 'condition2', label: '免許の条件2', kind: 'jis0208' }],
  [0x1e, { key: 'condition3', label: '免許の条件3', kind: 'jis0208' }],
  [0x1f, { key: 'condition4', label: '免許の条件4', kind: 'jis0208' }],
  [0x20, { key: 'issuingCommission', label: '公安委員会名', kind: 'jis0208' }],
  [0x21, { key: 'licenseNumber', label: '免許証の番号', kind: 'jis0201' }],
  [0x22, { key: 'nishogen', label: '二・小・原', kind: 'class-date' }],
  [0x23, { key: 'other', label: '他', kind: 'class-date' }],
  [0x24, { key: 'class2', label: '二種', kind: 'class-date' }],
  [0x25, { key: 'large', label: '大型', kind: 'class-date' }],
  [0x26, { key: 'ordinary', label: '普通', kind: 'class-date' }],
  [0x27, { key: 'largeSpecial', label: '大特', kind: 'class-date' }],
  [0x28, { key: 'largeMotorcycle', label: '大自二', kind: 'class-date' }],
  [0x29, { key: 'ordinaryMotorcycle', label: '普自二', kind: 'class-date' }],
  [0x2a, { key: 'smallSpecial', label: '小特', kind: 'class-date' }],
  [0x2b, { key: 'moped', label: '原付', kind: 'class-date' }],
  [0x2c, { key: 'trailer', label: 'け引', kind: 'class-date' }],
  [0x2d, { key: 'large2', label: '大二', kind: 'class-date' }],
  [0x2e, { key: 'ordinary2', label: '普二', kind: 'class-date' }],
  [0x2f, { key: 'largeSpecial2', label: '大特二', kind: 'class-date' }],
  [0x30, { key: 'trailer2', label: 'け引二', kind: 'class-date' }],
  [0x31, { key: 'medium', label: '中型', kind: 'class-date' }],
  [0x32, { key: 'medium2', label: '中二', kind: 'class-date' }],
  [0x33, { key: 'semiMedium', label: '準中型', kind: 'class-date' }],
]);

/**
 * 免許の年月日 per class: an era date when the class is held, (era)000000 or empty when it is not. Anything
 * else is neither: `held` is null (unknown) and the raw text is kept, never guessed into "held".
 */
export interface ClassDate {
  held: boolean | null;
  date: string | null;
  raw: string;
}

export type FieldValue =
  | { kind: 'byte'; value: number | null }
  | { kind: 'text'; value: LicenseText }
  | { kind: 'jis0201'; value: string }
  | { kind: 'date'; value: string | null; raw: string }
  | { kind: 'class-date'; value: ClassDate };

export interface LicenseMatters {
  /** Decoded fields by key (see MATTERS_TAGS). */
  fields: Record<string, FieldValue>;
  /** Tags outside the table, as hex, for forward compatibility. */
  unknownTags: { tag: number; hex: string }[];
}

function decodeField(kind: FieldKind, raw: Buffer): FieldValue {
  switch (kind) {
    case 'byte':
      return { kind: 'byte', value: raw.length === 1 ? raw.readUInt8(0) : null };
    case 'jis0208':
      return { kind: 'text', value: decodeJisX0208(raw) };
    case 'jis0201':
      return { kind: 'jis0201', value: decodeJisX0201(raw) };
    case 'date': {
      const s = decodeJisX0201(raw);
      return { kind: 'date', value: parseEraDate(s), raw: s };
    }
    case 'class-date': {
      const s = decodeJisX0201(raw);
      if (s === '' || /^[0-9]?000000$/.test(s)) return { kind: 'class-date', value: { held: false, date: null, raw: s } };
      const date = parseEraDate(s);
      return { kind: 'class-date', value: { held: date ? true : null, date, raw: s } };
    }
  }
}

export function parseMatters(raw: Buffer): LicenseMatters {
  const fields: Record<string, FieldValue> = {};
  const unknownTags: { tag: number; hex: string }[] = [];
  for (const t of LICENSE_TLV.all(raw, 'DF1/EF01')) {
    const info = MATTERS_TAGS.get(t.tag);
    if (!info) {
      unknownTags.push({ tag: t.tag, hex: t.value.toString('hex') });
      continue;
    }
    if (fields[info.key]) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `DF1/EF01: tag ${t.tag.toString(16)} appears twice`);
    fields[info.key] = decodeField(info.kind, t.value);
  }
  return { fields, unknownTags };
}

export function textField(m: LicenseMatters, key: string): LicenseText | null {
  const f = m.fields[key];
  return f?.kind === 'text' ? f.value : null;
}

export function dateField(m: LicenseMatters, key: string): string | null {
  const f = m.fields[key];
  return f?.kind === 'date' ? f.value : null;
}

export function stringField(m: LicenseMatters, key: string): string | null {
  const f = m.fields[key];
  return f?.kind === 'jis0201' ? f.value : null;
}
