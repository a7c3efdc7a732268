// 券面AP (visual AP) EF 0002, parsed strictly (docs/reference/mynumber.md §6):
//   FF20 { DF21 offsets, DF22 生年月日, DF23 性別, DF24 public key, DF25 氏名画像 PNG, DF26 住所画像 PNG,
//          DF27 顔写真 JPEG 2000, DF28 signature, DF29 有効期限, DF2A セキュリティコード画像 PNG }
// The security-code image is part of 照合番号B: it is dropped here and never leaves this module. The
// My Number image lives in EF 0005, which the kiosk never selects. DF28 (the issuer signature over
// DF22–DF27) is verified in card-ap-signatures.ts; DF29 (expiry) is outside it (§8.2).
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { parseDateYYYYMMDD, sexFromCode, type Sex } from './basic-info.ts';
import { CARD_BER, find, need } from '../../encoding/ber-tlv.ts';

export const VISUAL_TAG = {
  template: 0xff20,
  header: 0xdf21,
  dateOfBirth: 0xdf22,
  sex: 0xdf23,
  publicKey: 0xdf24,
  nameImage: 0xdf25,
  addressImage: 0xdf26,
  face: 0xdf27,
  signature: 0xdf28,
  expiry: 0xdf29,
  securityCodeImage: 0xdf2a,
} as const;

const PNG_MAGIC = Buffer.from('89504e470d0a1a0a', 'hex');
const JP2_MAGIC = Buffer.from('0000000c6a5020200d0a870a', 'hex');
const J2K_MAGIC = Buffer.from('ff4fff51', 'hex');

export const isPng = (b: Buffer) => b.length > 8 && b.subarray(0, 8).equals(PNG_MAGIC);
export const isJpeg2000 = (b: Buffer) => (b.length > 12 && b.subarray(0, 12).equals(JP2_MAGIC)) || (b.length > 4 && b.subarray(0, 4).equals(J2K_MAGIC));

export interface VisualApData {
  dateOfBirth: string | null;
  dateOfBirthRaw: string | null;
  sex: Sex | null;
  expiry: string | null;
  nameImagePng: Buffer | null;
  addressImagePng: Buffer | null;
  faceJpeg2000: Buffer | null;
  /** DF28 present (verified separately, card-ap-signatures.ts). */
  hasIssuerSignature: boolean;
  /** Images present in the file but not in the expected format (count only). */
  unexpectedImageFormats: number;
}

const printable = (b: Buffer) => b.toString('latin1').replace(/[^\x20-\x7e]/g, '?');

export function parseVisualAp(ef: Buffer): VisualApData {
  const what = 'card face (visual AP EF 0002)';
  const root = CARD_BER.read(ef, 0, what);
  if (root.tag !== VISUAL_TAG.template) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: template is not FF20`);
  const kids = CARD_BER.children(root, what);
  let unexpected = 0;
  const image = (tag: number, ok: (b: Buffer) => boolean): Buffer | null => {
    const t = find(kids, tag);
    if (!t || t.value.length === 0) return null;
    if (!ok(t.value)) {
      unexpected++;
      return null;
    }
    return Buffer.from(t.value);
  };
  const dob = printable(need(kids, VISUAL_TAG.dateOfBirth, what).value);
  const sexT = find(kids, VISUAL_TAG.sex);
  const expT = find(kids, VISUAL_TAG.expiry);
  const dateOfBirth = parseDateYYYYMMDD(dob);
  const out: VisualApData = {
    dateOfBirth,
    dateOfBirthRaw: dateOfBirth ? null : dob,
    sex: sexT ? sexFromCode(printable(sexT.value)) : null,
    expiry: expT ? parseDateYYYYMMDD(printable(expT.value)) : null,
    nameImagePng: image(VISUAL_TAG.nameImage, isPng),
    addressImagePng: image(VISUAL_TAG.addressImage, isPng),
    faceJpeg2000: image(VISUAL_TAG.face, isJpeg2000),
    hasIssuerSignature: !!find(kids, VISUAL_TAG.signature)?.value.length,
    unexpectedImageFormats: 0,
  };
  out.unexpectedImageFormats = unexpected;
  return out;
}
