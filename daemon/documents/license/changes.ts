// DF1/EF04 記載事項変更等（本籍除く） and DF1/EF06 記載事項変更（本籍）: the changes the police record on the
// chip after issue (a move, a new name, new or lifted conditions). EF01 keeps the values at issue, so a
// kiosk that skips this file shows a stale address (cards.md §4.4).
//
// RECORD FORMAT — OUR DESIGN, UNVERIFIED. What is public: the field list per change (追記の有無; then per
// change JIS X 0208 制定年番号, 変更年月日, the new value — 住所地公安委員会名 / 新氏名 / 新呼び名 / 新住所 /
// 新条件 / 条件解除 / 備考 / 予備 — and the recording 公安委員会名), EF04's size (640 bytes) and EF06's (256).
// The tag numbers are not public in our sources. We read the file as a flat TLV sequence in write order:
// an edition TLV and a date TLV open a change, a value TLV (its tag = the kind) carries the new value,
// and a commission TLV closes it. The tags live in CHANGE_TAGS only, so a real-card observation changes
// one table. Entries are applied in file order; the last 新住所 / 新氏名 is the current one.
import { decodeJisX0201, decodeJisX0208, parseEraDate, type LicenseText } from './jis.ts';
import { parseLicenseTlvs } from './tlv.ts';

export type ChangeKind =
  | 'residenceCommission' // 住所地公安委員会名
  | 'newName' // 新氏名
  | 'newNameKana' // 新呼び名
  | 'newAddress' // 新住所
  | 'newCondition' // 新条件
  | 'conditionLifted' // 条件解除
  | 'remark' // 備考
  | 'reserved' // 予備
  | 'newHonseki'; // 新本籍 (EF06)

/** UNVERIFIED tag numbers (our design, see above). */
export const CHANGE_TAGS = {
  appended: 0x50, // 追記の有無: 00 none, 01 present
  edition: 0x51, // JIS X 0208 制定年番号 (JIS X 0201 digits)
  date: 0x52, // 変更年月日 (era digit + YYMMDD)
  commission: 0x5b, // 公安委員会名 that recorded the change
  kinds: new Map<number, ChangeKind>([
    [0x53, 'residenceCommission'],
    [0x54, 'newName'],
    [0x55, 'newNameKana'],
    [0x56, 'newAddress'],
    [0x57, 'newCondition'],
    [0x58, 'conditionLifted'],
    [0x59, 'remark'],
    [0x5a, 'reserved'],
    [0x5c, 'newHonseki'],
  ]),
} as const;

export const CHANGE_LABELS: Record<ChangeKind, string> = {
  residenceCommission: '住所地公安委員会名',
  newName: '新氏名',
  newNameKana: '新呼び名',
  newAddress: '新住所',
  newCondition: '新条件',
  conditionLifted: '条件解除',
  remark: '備考',
  reserved: '予備',
  newHonseki: '新本籍',
};

export interface ChangeEntry {
  kind: ChangeKind;
  date: string | null;
  jisX0208Edition: string | null;
  value: LicenseText;
  commission: LicenseText | null;
}

export interface ChangeRecords {
  /** 追記の有無 as the card states it (null when the file has no such TLV). */
  appended: boolean | null;
  entries: ChangeEntry[];
  /** TLVs the format does not place (kept so nothing is silently lost). */
  unplaced: { tag: number; hex: string }[];
}

export function parseChangeRecords(raw: Buffer, what: string): ChangeRecords {
  const out: ChangeRecords = { appended: null, entries: [], unplaced: [] };
  let edition: string | null = null;
  let date: string | null = null;
  let last: ChangeEntry | null = null;
  for (const t of parseLicenseTlvs(raw, what)) {
    if (t.tag === CHANGE_TAGS.appended && t.value.length === 1) {
      out.appended = t.value[0] === 0x01;
      continue;
    }
    if (t.tag === CHANGE_TAGS.edition) {
      edition = decodeJisX0201(t.value) || null;
      continue;
    }
    if (t.tag === CHANGE_TAGS.date) {
      date = parseEraDate(decodeJisX0201(t.value));
      continue;
    }
    const kind = CHANGE_TAGS.kinds.get(t.tag);
    if (kind) {
      if (t.value.length === 0) continue; // an empty slot
      last = { kind, date, jisX0208Edition: edition, value: decodeJisX0208(t.value), commission: null };
      out.entries.push(last);
      edition = null;
      date = null;
      continue;
    }
    if (t.tag === CHANGE_TAGS.commission && last && last.commission === null) {
      last.commission = decodeJisX0208(t.value);
      continue;
    }
    out.unplaced.push({ tag: t.tag, hex: t.value.toString('hex') });
  }
  return out;
}

export interface CurrentValue {
  value: LicenseText | null;
  /** The change that set it, or null when the value at issue is still current. */
  changedOn: string | null;
  changed: boolean;
}

/**
 * The value in force: the last change of `kind` in write order, else the value at issue. Write order, not
 * date order: a record is appended when it happens, and a re-sorted list could resurrect a corrected entry.
 */
export function currentValue(atIssue: LicenseText | null, changes: readonly ChangeEntry[], kind: ChangeKind): CurrentValue {
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i]!;
    if (c.kind === kind) return { value: c.value, changedOn: c.date, changed: true };
  }
  return { value: atIssue, changedOn: null, changed: false };
}
