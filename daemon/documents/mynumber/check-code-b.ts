// 照合番号B of the 券面AP, as the holder types it on the keypad (14 digits):
//   date of birth YYMMDD with the JAPANESE ERA year ‖ card expiry year YYYY (Gregorian) ‖ 4-digit security code
// Confirmed on a JPKI test card in soltia48/myna-card (src/data.rs, tests/fixtures/README.md): a holder born
// 1980-02-17 (昭和55年) with a card expiring in 2035 and security code 2285 → 55021720352285; the birth-date
// key alone is 550217. docs/reference/mynumber.md §照合番号B.
//
// Each wrong VERIFY spends one of the card's tries, so the composition is checked here, before any APDU:
// the first six digits must be a date that exists in some era (明治…令和) and is not in the future. A
// Gregorian YYMMDD such as 800217 (1980) cannot be an era date — no era reached year 80 — and is refused
// with guidance; a Gregorian form that happens to be a valid era date (e.g. 050301) cannot be told apart.
import type { SecretFormat } from '../secrets.ts';

export const CHECK_CODE_B_FORMAT: SecretFormat = { kind: 'digits', min: 14, max: 14 };

export const CHECK_CODE_B_GUIDANCE =
  '照合番号B is the date of birth in the Japanese era (YYMMDD, e.g. 550217 for 昭和55年2月17日), the card expiry year YYYY and the 4-digit security code (nothing was sent to the card)';

/** Era start dates (first day of year 1) and last day; a year-N date must fall inside its era. */
const ERAS: ReadonlyArray<{ name: string; start: [number, number, number]; end: [number, number, number] | null }> = [
  { name: '明治', start: [1868, 1, 25], end: [1912, 7, 29] },
  { name: '大正', start: [1912, 7, 30], end: [1926, 12, 24] },
  { name: '昭和', start: [1926, 12, 25], end: [1989, 1, 7] },
  { name: '平成', start: [1989, 1, 8], end: [2019, 4, 30] },
  { name: '令和', start: [2019, 5, 1], end: null },
];

const key = (y: number, m: number, d: number) => y * 10000 + m * 100 + d;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** The Gregorian dates an era-year YYMMDD can stand for (one per era where it exists), none in the future. */
export function eraBirthDateCandidates(yy: number, mm: number, dd: number, today: Date = new Date()): string[] {
  if (yy < 1 || mm < 1 || mm > 12 || dd < 1 || dd > 31) return [];
  const limit = key(today.getUTCFullYear(), today.getUTCMonth() + 1, today.getUTCDate());
  const out: string[] = [];
  for (const era of ERAS) {
    const y = era.start[0] + yy - 1;
    if (!isCalendarDate(y, mm, dd)) continue;
    const k = key(y, mm, dd);
    if (k < key(...era.start) || (era.end && k > key(...era.end)) || k > limit) continue;
    out.push(`${y}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`);
  }
  return out;
}

/**
 * Local plausibility of the composition (before any APDU): an era date of birth, an expiry year 2015–2099
 * (the card exists since 2015-10), then 4 digits. Reads the bytes without copying them into a string.
 */
export function checkCodeBPlausible(b: Buffer, today: Date = new Date()): boolean {
  if (b.length !== 14 || !b.every((x) => x >= 0x30 && x <= 0x39)) return false;
  const n = (i: number, len: number) => {
    let v = 0;
    for (let k = i; k < i + len; k++) v = v * 10 + (b.readUInt8(k) - 0x30);
    return v;
  };
  const year = n(6, 4);
  if (year < 2015 || year > 2099) return false;
  return eraBirthDateCandidates(n(0, 2), n(2, 2), n(4, 2), today).length > 0;
}
