// The synthetic holder of the virtual マイナンバーカード. Entirely made up; the name and address contain
// characters outside JIS X 0208 (髙 U+9AD9 is an IBM extension, 𠮷 U+20BB7 is outside the BMP) so every
// layer is tested against mojibake, with JIS X 0208 substitutes as a JPKI certificate carries them.
// The My Number is the documented synthetic example 123456789018 (docs/reference/mynumber.md §10): check-digit valid, so a
// leak detector would flag it if it ever reached a log, a receipt or an export.
import { ERAS } from './card-layout.ts';
import { defined } from '../../../core/checked.ts';
import { ErrorCodes } from '../../../core/errors.ts';

export interface SyntheticHolder {
  name: string;
  /** The same name in JIS X 0208 substitute characters (JPKI OID …5.5.2). */
  nameSubstitute: string;
  address: string;
  /** JPKI OID …5.5.6. */
  addressSubstitute: string;
  /** YYYYMMDD */
  dateOfBirth: string;
  /** ISO 5218 digit: 1 male, 2 female, 9 not applicable. */
  sex: '1' | '2' | '9';
  /** 12 digits — lives only on the card. */
  myNumber: string;
  /** Card expiry YYYYMMDD. */
  expiry: string;
  /** 4-digit security code printed on the card face (part of 照合番号B). */
  securityCode: string;
}

export const SYNTHETIC_HOLDER: Readonly<SyntheticHolder> = {
  name: '髙橋 𠮷子',
  nameSubstitute: '高橋 吉子',
  address: '東京都千代田区霞が関九丁目１番１号 𠮷野テストハイツ１０１',
  addressSubstitute: '東京都千代田区霞が関九丁目１番１号 吉野テストハイツ１０１',
  dateOfBirth: '19900101',
  sex: '2',
  myNumber: '123456789018',
  expiry: '20350101',
  securityCode: '4321',
};

/**
 * The birth date as the card's 生年月日 key takes it: YYMMDD with the Japanese era year (1980-02-17 →
 * 昭和55 → 550217; soltia48/myna-card src/data.rs, tests/fixtures/README.md; docs/reference/mynumber.md).
 */
export function eraBirthDate(yyyymmdd: string): string {
  const era = ERAS.find((e) => yyyymmdd >= e.from);
  if (!era) throw new Error(`${yyyymmdd} predates the Meiji era`);
  const year = Number(yyyymmdd.slice(0, 4)) - era.firstYear + 1;
  if (year > 99) throw new Error(`era year ${year} does not fit two digits`);
  return String(year).padStart(2, '0') + yyyymmdd.slice(4);
}

/** 照合番号B: era birth date YYMMDD ‖ card expiry year YYYY ‖ 4-digit security code (14 digits). */
export function checkCodeB(h: SyntheticHolder): string {
  return eraBirthDate(h.dateOfBirth) + h.expiry.slice(0, 4) + h.securityCode;
}

const JPKI_ERA_DIGIT: Record<string, string> = { 令和: '5', 平成: '4', 昭和: '3', 大正: '2', 明治: '1' };

/** The JPKI certificate's date-of-birth form E‖YYYYMMDD (era digit; profile form UNVERIFIED). */
export function jpkiDateOfBirth(yyyymmdd: string): string {
  const era = ERAS.find((e) => yyyymmdd >= e.from);
  return (era ? defined(JPKI_ERA_DIGIT[era.name], ErrorCodes.INTERNAL, `JPKI era digit of ${era.name}`) : '1') + yyyymmdd;
}
