// DF1/EF04 記載事項変更等（本籍除く） and DF1/EF06 記載事項変更（本籍）: the changes the police record on the
// chip after issue (a move, a new name, new or lifted conditions). EF01 keeps the values at issue, so a
// kiosk that skips these files shows a stale address (docs/reference/license.md §8).
//
// LAYOUT (public readers that ran on real cards): the file is a TLV sequence; the first TLV, tag 50, is
// 追記の有無 (one byte; soft-studio/NFC_DriversLicenseReader DriversLicenseReader.java parse_tag, case
// 0x50). Every further TLV is ONE change whose value packs
//     1 binary byte (JIS X 0208 edition) ‖ 7 JIS X 0208 characters: era date (元号YYMMDD, full-width
//     digits) ‖ the new text (JIS X 0208) ‖ the last 5 JIS X 0208 characters: 公安委員会
// (watanabetoshinori/DriverLicenseApp Source/TLVRecord+DriverLicense.swift `historyValue`: dropFirst(),
// characters 0..<7 = date, 7..<count-5 = text, last 5 = "securityPart"; ViewController.swift
// displayHistoryData decodes records 1..<count this way).
//
// NOT PUBLIC: which tag means which kind of change. The kind table below is OUR CHOICE (the order of the
// published field list after 50) and lives in CHANGE_KIND_TAGS only, so a real-card observation changes
// one table. A tag outside the table is kept as kind 'unknown' and never becomes a current name or address.
// EF06 holds 本籍 changes only, so every change there is 'newHonseki' whatever its tag.
//
// A record too short for the layout, or whose date is not a date, is reported (`malformed`) and skipped —
// the rest of the file still counts. A broken TLV structure throws KioskError; the verdict reports it.
import { at } from '../../../core/checked.ts';
import { ErrorCodes } from '../../../core/errors.ts';
import { decodeJisX0208, parseEraDate, type LicenseText } from './jis.ts';
import { LICENSE_TLV } from './constants.ts';

export type ChangeKind =
  | 'newName' // 新氏名
  | 'newNameKana' // 新呼び名
  | 'newAddress' // 新住所
  | 'newCondition' // 新条件
  | 'conditionLifted' // 条件解除
  | 'remark' // 備考
  | 'reserved' // 予備
  | 'newHonseki' // 新本籍 (EF06)
  | 'unknown'; // a tag outside the (unverified) table

export const APPENDED_TAG = 0x50;

/** UNVERIFIED kind tags of EF04 (OUR CHOICE, see above). */
export const CHANGE_KIND_TAGS: ReadonlyMap<number, ChangeKind> = new Map<number, ChangeKind>([
  [0x51, 'newName'],
  [0x52, 'newNameKana'],
  [0x53, 'newAddress'],
  [0x54, 'newCondition'],
  [0x55, 'conditionLifted'],
  [0x56, 'remark'],
  [0x57, 'reserved'],
]);

export const CHANGE_LABELS: Record<ChangeKind, string> = {
  newName: '新氏名',
  newNameKana: '新呼び名',
  newAddress: '新住所',
  newCondition: '新条件',
  conditionLifted: '条件解除',
  remark: '備考',
  reserved: '予備',
  newHonseki: '新本籍',
  unknown: '不明',
};

/** Bytes of the fixed parts: edition byte, 7 date characters, 5 commission characters. */
const EDITION_BYTES = 1;
const DATE_BYTES = 7 * 2;
const COMMISSION_BYTES = 5 * 2;

export interface ChangeEntry {
  kind: ChangeKind;
  tag: number;
  /** ISO date of the change (null when the 7 characters are not a date: then the entry is malformed, not here). */
  date: string;
  /** The edition byte as a number (its code list is not public). */
  jisX0208Edition: number;
  value: LicenseText;
  /** The record's last five characters (公安委員会), trailing full-width spaces dropped. */
  commission: LicenseText;
}

export interface MalformedChange {
  tag: number;
  kind: ChangeKind;
  offset: number;
  reason: string;
}

export interface ChangeRecords {
  /** 追記の有無 as the card states it (null when the file has no such TLV). */
  appended: boolean | null;
  entries: ChangeEntry[];
  malformed: MalformedChange[];
}

const FULLWIDTH_DIGIT = /[\uff10-\uff19]/g;

/** The 7 date characters → ISO date. Full-width digits are the form; ASCII digits are accepted as DriverLicenseApp does. */
function decodeChangeDate(raw: Buffer): string | null {
  const t = decodeJisX0208(raw);
  if (t.invalid || t.runs.some((r) => r.kind !== 'text')) return null;
  return parseEraDate(t.plain.replace(FULLWIDTH_DIGIT, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30)));
}

export function parseChangeRecords(raw: Buffer, what: string, file: 'EF04' | 'EF06' = 'EF04'): ChangeRecords {
  const out: ChangeRecords = { appended: null, entries: [], malformed: [] };
  const tlvs = LICENSE_TLV.all(raw, what);
  for (const [i, t] of tlvs.entries()) {
    if (i === 0 && t.tag === APPENDED_TAG) {
      out.appended = t.value.length === 1 ? t.value[0] === 0x01 : null;
      continue;
    }
    if (t.value.length === 0) continue; // an empty slot
    const kind: ChangeKind = file === 'EF06' ? 'newHonseki' : (CHANGE_KIND_TAGS.get(t.tag) ?? 'unknown');
    const bad = (reason: string) => out.malformed.push({ tag: t.tag, kind, offset: t.start, reason });
    const textBytes = t.value.length - EDITION_BYTES - DATE_BYTES - COMMISSION_BYTES;
    if (textBytes < 0) {
      bad(`${t.value.length} bytes: shorter than edition (1) + date (14) + commission (10)`);
      continue;
    }
    if (textBytes % 2 !== 0) {
      bad('the text between date and commission is not whole JIS X 0208 characters');
      continue;
    }
    const v = t.value;
    const date = decodeChangeDate(v.subarray(EDITION_BYTES, EDITION_BYTES + DATE_BYTES));
    if (!date) {
      bad('the 7 date characters are not an era date');
      continue;
    }
    out.entries.push({
      kind,
      tag: t.tag,
      date,
      jisX0208Edition: at(v, 0, ErrorCodes.CARD_MALFORMED_RESPONSE, 'change record'),
      value: decodeJisX0208(v.subarray(EDITION_BYTES + DATE_BYTES, v.length - COMMISSION_BYTES)),
      commission: decodeJisX0208(v.subarray(v.length - COMMISSION_BYTES)),
    });
  }
  return out;
}

export interface CurrentValue {
  value: LicenseText | null;
  /** The change that set it, or null when the value at issue is still current. */
  changedOn: string | null;
  changed: boolean;
  /**
   * `undetermined`: a change record that could be of this kind was unreadable, so neither the value at issue
   * nor an earlier change may be shown as current (value is then null).
   */
  status: 'at-issue' | 'changed' | 'undetermined';
}

/**
 * The value in force: the last change of `kind` in write order, else the value at issue. Write order, not
 * date order: a record is appended when it happens, and a re-sorted list could resurrect a corrected entry.
 * `unreadable` lists the kinds of records that could not be decoded (a whole-file failure passes 'unknown').
 */
export function currentValue(
  atIssue: LicenseText | null,
  changes: readonly ChangeEntry[],
  kind: ChangeKind,
  unreadable: readonly ChangeKind[] = [],
): CurrentValue {
  if (unreadable.includes(kind) || unreadable.includes('unknown')) return { value: null, changedOn: null, changed: false, status: 'undetermined' };
  for (const c of [...changes].reverse()) {
    if (c.kind === kind) return { value: c.value, changedOn: c.date, changed: true, status: 'changed' };
  }
  return { value: atIssue, changedOn: null, changed: false, status: 'at-issue' };
}
