// MF/EF01 共通データ要素 and MF/EF02 暗証番号設定: the two files a licence gives out without a PIN
// (docs/reference/license.md §5). EF01 = 45 0B ‖ spec version (3 × JIS X 0201) ‖ 交付年月日 BCD ‖ 有効期間の末日 BCD ‖
// 46 02 ‖ manufacturer id ‖ crypto-function id. EF02 = one TLV whose 1-byte value is 01 (holder-set PINs)
// or 00 (no PIN set: DPIN "****").
import { at } from '../../../core/checked.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { decodeJisX0201, parseBcdDate } from './jis.ts';
import { LICENSE_TLV } from './constants.ts';

export interface LicenseCommonData {
  /** e.g. "008" */
  specVersion: string;
  issueDate: string;
  expiryDate: string;
  manufacturerId: number | null;
  cryptoFunctionId: number | null;
}

const bad = (msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `MF/EF01 共通データ要素: ${msg}`);

export function parseCommonData(raw: Buffer): LicenseCommonData {
  const tlvs = LICENSE_TLV.all(raw, 'MF/EF01');
  const main = tlvs.find((t) => t.tag === 0x45);
  if (!main || main.value.length < 11) throw bad('tag 45 missing or shorter than 11 bytes');
  const specVersion = decodeJisX0201(main.value.subarray(0, 3));
  if (!/^\d{3}$/.test(specVersion)) throw bad('specification version is not three digits');
  const issueDate = parseBcdDate(main.value.subarray(3, 7));
  const expiryDate = parseBcdDate(main.value.subarray(7, 11));
  if (!issueDate || !expiryDate) throw bad('issue or expiry date is not a BCD calendar date');
  const ids = tlvs.find((t) => t.tag === 0x46);
  return {
    specVersion,
    issueDate,
    expiryDate,
    manufacturerId: ids?.value[0] ?? null,
    cryptoFunctionId: ids?.value[1] ?? null,
  };
}

export type PinSetting = 'holder-set' | 'default';

/** The EF02 tag is not documented in our sources (UNVERIFIED); the first 1-byte TLV is taken. */
export function parsePinSetting(raw: Buffer): PinSetting {
  const tlv = LICENSE_TLV.all(raw, 'MF/EF02').find((t) => t.value.length === 1);
  if (!tlv) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'MF/EF02 暗証番号設定: no 1-byte value');
  if (tlv.value[0] === 0x01) return 'holder-set';
  if (tlv.value[0] === 0x00) return 'default';
  // Anything else is neither state: guessing could burn a PIN try with the wrong secret.
  throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `MF/EF02 暗証番号設定: unknown value ${at(tlv.value, 0).toString(16)}`);
}
