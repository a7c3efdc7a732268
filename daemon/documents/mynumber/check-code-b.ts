// 照合番号B of the 券面AP, as the holder types it on the keypad: date of birth YYMMDD ‖ card expiry year
// YYYY ‖ 4-digit security code printed on the card face = 14 digits.
//
// UNVERIFIED (cards.md §2.2): sources disagree — 14 digits as above (jsapdu comment; WUSB treats a 14-char
// value as B), 16 digits with a YYYYMMDD birth date (jpki-rs doc comment), or YYMMDD ‖ YYMMDD ‖ 4. This
// module implements the 14-digit form only; the format check below rejects anything else locally, so a
// wrong guess costs no card tries. Whether the VERIFY is against EF 0012 (visual AP) also needs a field test.
import type { SecretFormat } from '../secrets.ts';

export const CHECK_CODE_B_FORMAT: SecretFormat = { kind: 'digits', min: 14, max: 14 };

/**
 * Local plausibility of the composition (before any APDU): a calendar-possible YYMMDD, an expiry year
 * 2015–2099 (the card exists since 2015-10), then 4 digits. Reads the bytes without copying them.
 */
export function checkCodeBPlausible(b: Buffer): boolean {
  if (b.length !== 14 || !b.every((x) => x >= 0x30 && x <= 0x39)) return false;
  const n = (i: number, len: number) => {
    let v = 0;
    for (let k = i; k < i + len; k++) v = v * 10 + (b[k]! - 0x30);
    return v;
  };
  const mm = n(2, 2);
  const dd = n(4, 2);
  const year = n(6, 4);
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= days[mm - 1]! && year >= 2015 && year <= 2099;
}
