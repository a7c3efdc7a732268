// Age in completed years at an instant, in Japan Standard Time, as 年齢計算ニ関スル法律 (明治35年法律第50号)
// and 民法 143条 read together:
//   - age is counted from the day of birth (年齢ハ出生ノ日ヨリ之ヲ起算ス, 1項), and a year of age is
//     completed at the end of the day before the anniversary (民法143条2項 本文), i.e. a person born on
//     YYYY-MM-DD is N at 00:00 JST on the Nth anniversary of that date;
//   - for a birth on 29 February, a non-leap year has no corresponding day, so the period ends at the end
//     of the last day of February (民法143条2項 ただし書): the person is N at 00:00 JST on 1 March.
// Comparing (month, day) of the JST calendar date with the birth (month, day) gives exactly that rule: on
// 28 Feb (2,28) < (2,29) → not yet; on 1 Mar (3,1) > (2,29) → completed. Leap years compare (2,29) = (2,29).
// JST has no daylight saving: the calendar date is that of the instant + 9 h in UTC.

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const JST_OFFSET_MS = 9 * 3600_000;

/** The JST calendar date of an instant. */
export function jstDate(at: Date): CalendarDate {
  const d = new Date(at.getTime() + JST_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= dim;
}

/** An ISO date (YYYY-MM-DD, or the card form YYYYMMDD) → calendar date; null when it is no real date. */
export function parseBirthDate(s: string): CalendarDate | null {
  const m = /^([0-9]{4})-?([0-9]{2})-?([0-9]{2})$/.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return year >= 1800 && validDate(year, month, day) ? { year, month, day } : null;
}

/**
 * A two-digit-year MRZ date (YYMMDD, passport DG1) → calendar date. The century is not on the chip; the
 * kiosk takes the latest century that does not put the birth after `at` (JST). That is the youngest age
 * the data allows, so an age check can only err towards "no" (a holder over 100 reads as a child), never
 * towards "yes".
 */
export function resolveMrzBirthDate(yymmdd: string, at: Date): CalendarDate | null {
  const m = /^([0-9]{2})([0-9]{2})([0-9]{2})$/.exec(yymmdd);
  if (!m) return null;
  const [yy, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const today = jstDate(at);
  const century = Math.floor(today.year / 100) * 100;
  for (const base of [century, century - 100]) {
    const year = base + yy;
    if (!validDate(year, month, day)) continue; // 29 Feb in a non-leap candidate year
    if (compare({ year, month, day }, today) <= 0) return { year, month, day };
  }
  return null;
}

function compare(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Completed years of age at `at` (JST); negative never (a birth after `at` gives -1: treated as "no"). */
export function ageAt(birth: CalendarDate, at: Date): number {
  const t = jstDate(at);
  if (compare(birth, t) > 0) return -1;
  const beforeBirthday = t.month < birth.month || (t.month === birth.month && t.day < birth.day);
  return t.year - birth.year - (beforeBirthday ? 1 : 0);
}

/** "N歳以上" (N years of age or older) at `at`. */
export function isAtLeast(birth: CalendarDate, years: number, at: Date): boolean {
  return ageAt(birth, at) >= years;
}

/** The instant a person born on `birth` becomes `years` old: 00:00 JST of the anniversary (1 Mar for 29 Feb births in non-leap years). */
export function ageReachedAt(birth: CalendarDate, years: number): Date {
  const y = birth.year + years;
  const [month, day] = validDate(y, birth.month, birth.day) ? [birth.month, birth.day] : [3, 1];
  return new Date(Date.UTC(y, month - 1, day) - JST_OFFSET_MS);
}
