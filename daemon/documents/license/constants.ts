// IC 運転免許証: application identifiers, file identifiers, file sizes and PIN facts
// (docs/reference/license.md §1–§3). The card is the police's 運転免許証及び運転免許証作成システム等仕様書 (spec
// versions 006–009); values marked UNVERIFIED there stay marked here.
import { TlvCodec } from '../../encoding/ber-tlv.ts';

export const LICENSE_DF1_AID = Buffer.from('A0000002310100000000000000000000', 'hex');
export const LICENSE_DF2_AID = Buffer.from('A0000002310200000000000000000000', 'hex');
export const LICENSE_DF3_AID = Buffer.from('A0000002480300000000000000000000', 'hex');

/** Files under the MF. */
export const MF_EF = {
  common: 0x2f01, // 共通データ要素 (free)
  pinSetting: 0x000a, // 暗証番号(PIN)設定 (free)
  pin1: 0x0001, // IEF01
  pin2: 0x0002, // IEF02
} as const;

/** Files under DF1 (記載事項). */
export const DF1_EF = {
  matters: 0x0001, // 記載事項（本籍除く）— PIN1
  honseki: 0x0002, // 記載事項（本籍）— PIN1 + PIN2
  gaiji: 0x0003, // 外字 — PIN1
  changes: 0x0004, // 記載事項変更等（本籍除く）— PIN1
  changedGaiji: 0x0005, // 記載事項変更（外字）— PIN1 (UNVERIFIED)
  honsekiChanges: 0x0006, // 記載事項変更（本籍）— PIN1 + PIN2 (UNVERIFIED)
  signature: 0x0007, // 電子署名 — access condition UNVERIFIED
} as const;

/**
 * Sizes of the fixed-size EFs as public readers read them (soft-studio/NFC_DriversLicenseReader
 * DF1EF1length…DF1EF7length; watanabetoshinori/DriverLicenseApp readBinary(length: 880/82/640/256)).
 * The reader never reads past them: a READ BINARY at offset = size may get 6700 rather than 6B00.
 */
export const DF1_EF_SIZE: Readonly<Record<number, number>> = {
  [DF1_EF.matters]: 880,
  [DF1_EF.honseki]: 82,
  [DF1_EF.gaiji]: 264,
  [DF1_EF.changes]: 640,
  [DF1_EF.changedGaiji]: 663,
  [DF1_EF.honsekiChanges]: 256,
  [DF1_EF.signature]: 578,
};

/** DF2/EF01 写真 — PIN1 + PIN2. */
export const DF2_EF_PHOTO = 0x0001;

/** VERIFY P2 from the MF: 81 = PIN1 (IEF01), 82 = PIN2 (IEF02). */
export const PIN1_P2 = 0x81;
export const PIN2_P2 = 0x82;
export const LICENSE_PIN_MAX_TRIES = 3;

/** DPIN: a holder who set no PIN has "****" (JIS X 0201 2A×4) for PIN1 and PIN2. */
export const DEFAULT_PIN = Buffer.from('****', 'latin1');

/** Largest EF the reader accepts (the photo is ≈2 KB; the whole chip is 8 KB). */
export const MAX_LICENSE_EF_BYTES = 16 * 1024;

/** The licence's files are flat sequences of simple TLVs (docs/reference/license.md §4): a one-byte tag, two
 *  bytes only after the 5F / 7F prefix (the photo's 5F40 — NOT whenever the low five bits are set as in BER:
 *  1F is 免許の条件4 and is one byte), a length in the short form, 81 xx or 82 xx xx, and the value. A
 *  sequence ends at tag FF or at zero padding; anything else that does not fit is malformed. */
export const LICENSE_TLV = new TlvCodec({ tags: 'pair-5f7f', maxLengthOctets: 2, indefinite: false, padding: 'trailing', endMarker: 0xff });
