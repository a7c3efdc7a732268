// The file map of the virtual マイナンバーカード's 券面 applications, as data written from the public sources
// (docs/reference/mynumber.md; soltia48/myna-card src/ap/text.rs, src/ap/surface.rs, src/data.rs — read
// there from a JPKI test card). Independent of the kiosk's reader code on purpose: the virtual card must
// not share the reader's assumptions (issue 16), so nothing here is imported from daemon/documents.

/** 券面事項入力補助AP (text input support AP). */
export const TEXT_AP = {
  aid: Buffer.from('D3921000310001010408', 'hex'),
  ef: {
    myNumber: 0x0001, // FF10 { 12 ASCII digits }                          PIN or 照合番号A
    basicInfo: 0x0002, // FF20 { DF21 offsets, DF22 氏名, DF23 住所, DF24 生年月日, DF25 性別 }  PIN or 照合番号B
    integrity: 0x0003, // FF30 { DF31 SHA-256(EF 0001), DF32 SHA-256(FF20 value after DF21), DF33 sig }  PIN or A or B
    cvCertificate: 0x0004, // 7F21 CV certificate                         always
    apBasicData: 0x0005, // FF40 { DF41 id, DF42 key id, DF43 128 bytes }   always
    signedPublicKey: 0x0007, // FF50 { DF51 card key (90/91), DF52 sig }     PIN or A or B
    pin: 0x0011, // 4-digit 暗証番号, 3 tries
    checkCodeA: 0x0014,
    checkCodeB: 0x0015,
  },
  tag: {
    myNumber: 0xff10,
    basicInfo: 0xff20,
    offsets: 0xdf21,
    name: 0xdf22,
    address: 0xdf23,
    birth: 0xdf24,
    sex: 0xdf25,
    integrity: 0xff30,
    myNumberDigest: 0xdf31,
    basicInfoDigest: 0xdf32,
    signature: 0xdf33,
  },
} as const;

/** 券面事項確認AP (券面AP, card surface AP). */
export const VISUAL_AP = {
  aid: Buffer.from('D3921000310001010402', 'hex'),
  ef: {
    ageRecord: 0x0001, // FF10 { DF11 生年月日, DF12 card key, DF13 sig }     birth-date key
    cardFace: 0x0002, // FF20 { DF21 offsets, DF22 生年月日, DF23 性別, DF24 card key, DF25 氏名画像, DF26 住所画像,
    //                            DF27 顔写真 (JPEG 2000), DF28 sig, DF29 有効期限, DF2A セキュリティコード画像 }   A or B
    apBasicData: 0x0003, // FF30 { DF31 … DF35 }                           always
    cvCertificate: 0x0004, // 7F21 CV certificate                         always
    myNumberImage: 0x0005, // FF40 { DF41 個人番号画像, DF42 card key, DF43 sig }   照合番号A only
    birthDateKey: 0x0011, // 生年月日 YYMMDD in the Japanese era year
    checkCodeB: 0x0012, // era YYMMDD ‖ expiry YYYY ‖ security code
    checkCodeA: 0x0013, // the 12-digit 個人番号
  },
} as const;

/** CV certificate: 7F21 { 5F4E body (16 + 16 + 265 bytes), 5F37 256-byte signature }. */
export const CV = { certificate: 0x7f21, body: 0x5f4e, signature: 0x5f37, exponent: 0x90, modulus: 0x91 } as const;

/** Japanese eras by first day (for the era-year birth date of 照合番号B). */
export const ERAS: ReadonlyArray<{ name: string; from: string; firstYear: number }> = [
  { name: '令和', from: '20190501', firstYear: 2019 },
  { name: '平成', from: '19890108', firstYear: 1989 },
  { name: '昭和', from: '19261225', firstYear: 1926 },
  { name: '大正', from: '19120730', firstYear: 1912 },
  { name: '明治', from: '18680125', firstYear: 1868 },
];
