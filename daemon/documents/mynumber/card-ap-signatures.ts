// What the issuer's signatures in the 券面 applications cover, and their verification under the key a CV
// certificate certifies (docs/reference/mynumber.md §Signature coverage; facts from soltia48/myna-card
// src/ap/text.rs and src/ap/surface.rs, checked there against a JPKI test card):
//
//   券面事項入力補助AP EF 0003  FF30 { DF31 SHA-256(EF 0001 as stored), DF32 SHA-256(EF 0002's FF20 value
//                                after DF21), DF33 signature }
//       DF33 = RSASSA-PKCS1-v1_5 / SHA-256 over the DF31 ‖ DF32 TLVs exactly as written (tag, length, value).
//   券面AP EF 0002             FF20 { DF21 offsets, DF22 生年月日, DF23 性別, DF24 card key, DF25 氏名画像,
//                                DF26 住所画像, DF27 顔写真, DF28 signature, DF29 有効期限, DF2A セキュリティコード画像 }
//       DF28 = PKCS#1 v1.5 over ONE DigestInfo(sha256) whose OCTET STRING is SHA-256(DF22‖DF23‖DF24) ‖
//       SHA-256(DF25‖DF26) ‖ SHA-256(DF27) (96 bytes). DF29 (expiry) and DF2A are NOT covered.
//
// Both records are signed by the key certified in the AP's EF 0004 (not by the card's own key), so a
// record proves something only together with a CV certificate that verifies under a trusted CA key.
import type { KeyObject } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { digestInfoSha256, parseCardRsaKey, sha256, sha256DigestInfo } from './cv-certificate.ts';
import { verifyPkcs1v15 } from './rsa-pkcs1.ts';
import { CARD_BER, expectTags, type Tlv } from '../../encoding/ber-tlv.ts';

const bad = (what: string, msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${msg}`);

const raw = (buf: Buffer, t: Tlv) => buf.subarray(t.start, t.end);

function single(kids: readonly Tlv[], tag: number, what: string): Tlv {
  const found = kids.filter((k) => k.tag === tag);
  const [one] = found;
  if (found.length !== 1 || !one) throw bad(what, `expected one ${tag.toString(16).toUpperCase()}, found ${found.length}`);
  return one;
}

export interface TextApSignedRecord {
  /** The DF31 ‖ DF32 TLVs, exactly the bytes DF33 covers. */
  signedData: Buffer;
  myNumberDigest: Buffer;
  basicInfoDigest: Buffer;
  signature: Buffer;
}

/** EF 0003 of the text AP: DF31, DF32, DF33 in this order and nothing else (strict). */
export function parseTextApSignedRecord(ef: Buffer): TextApSignedRecord {
  const what = 'signature file (text AP EF 0003)';
  const [d31, d32, d33] = expectTags(CARD_BER.template(ef, 0xff30, what), [0xdf31, 0xdf32, 0xdf33], what) as [Tlv, Tlv, Tlv];
  if (d31.value.length !== 32 || d32.value.length !== 32) throw bad(what, 'DF31/DF32 are not SHA-256 digests');
  return {
    signedData: Buffer.from(ef.subarray(d31.start, d32.end)),
    myNumberDigest: Buffer.from(d31.value),
    basicInfoDigest: Buffer.from(d32.value),
    signature: Buffer.from(d33.value),
  };
}

export function verifyTextApRecord(rec: TextApSignedRecord, certifiedKey: KeyObject): boolean {
  return verifyPkcs1v15(certifiedKey, sha256DigestInfo(rec.signedData), rec.signature);
}

export interface FaceSignedRecord {
  /** The three groups DF28 covers, each the raw TLVs concatenated. */
  segments: [Buffer, Buffer, Buffer];
  signature: Buffer;
  /** DF24, the card's own key (inside group 1, so covered by DF28): it answers the challenge. */
  cardKey: KeyObject;
}

/** The DF28 coverage of 券面AP EF 0002 (every tag exactly once; DF21 offsets must point at the objects). */
export function parseFaceSignedRecord(ef: Buffer): FaceSignedRecord {
  const what = 'card face (券面AP EF 0002)';
  const kids = CARD_BER.template(ef, 0xff20, what);
  const t = (tag: number) => single(kids, tag, what);
  const offsets = t(0xdf21);
  const fields = kids.filter((k) => k !== offsets);
  if (offsets.value.length !== 2 * fields.length) throw bad(what, 'DF21 does not list one offset per object');
  fields.forEach((f, i) => {
    if (offsets.value.readUInt16BE(2 * i) !== f.start) throw bad(what, `DF21 offset ${i} does not point at its object`);
  });
  const cat = (...tags: number[]) => Buffer.concat(tags.map((tag) => raw(ef, t(tag))));
  return {
    segments: [cat(0xdf22, 0xdf23, 0xdf24), cat(0xdf25, 0xdf26), cat(0xdf27)],
    signature: Buffer.from(t(0xdf28).value),
    cardKey: parseCardRsaKey(Buffer.from(t(0xdf24).value), `${what} DF24`).key,
  };
}

export function verifyFaceRecord(rec: FaceSignedRecord, certifiedKey: KeyObject): boolean {
  const digests = Buffer.concat(rec.segments.map((s) => sha256(s)));
  return verifyPkcs1v15(certifiedKey, digestInfoSha256(digests), rec.signature);
}
