// The synthetic holder of the virtual マイナンバーカード. Entirely made up; the name and address contain
// characters outside JIS X 0208 (髙 U+9AD9 is an IBM extension, 𠮷 U+20BB7 is outside the BMP) so every
// layer is tested against mojibake, with JIS X 0208 substitutes as a JPKI certificate carries them.
// The My Number is the documented synthetic example 123456789018 (vectors.md §6): check-digit valid, so a
// leak detector would flag it if it ever reached a log, a receipt or an export.
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

/** 照合番号B as this implementation composes it: DOB YYMMDD ‖ expiry year YYYY ‖ security code (UNVERIFIED). */
export function checkCodeB(h: SyntheticHolder): string {
  return h.dateOfBirth.slice(2) + h.expiry.slice(0, 4) + h.securityCode;
}

const ERAS: Array<[string, string]> = [
  ['20190501', '5'],
  ['19890108', '4'],
  ['19261225', '3'],
  ['19120730', '2'],
  ['18680125', '1'],
];

/** The JPKI certificate's date-of-birth form E‖YYYYMMDD (era digit; profile form UNVERIFIED). */
export function jpkiDateOfBirth(yyyymmdd: string): string {
  const era = ERAS.find(([from]) => yyyymmdd >= from)?.[1] ?? '1';
  return era + yyyymmdd;
}
