// The 券面AP (visual AP) of the virtual マイナンバーカード (cards.md §2.1, §2.2, §2.6):
//   EF 0001  FF10 { DF11 生年月日, DF12 public key, DF13 signature }
//   EF 0002  FF20 { DF21 offsets, DF22 生年月日, DF23 性別, DF24 public key, DF25 氏名画像 PNG, DF26 住所画像 PNG,
//                   DF27 顔写真 JPEG 2000, DF28 signature, DF29 有効期限, DF2A セキュリティコード画像 PNG }
//   EF 0003  AP basic info, EF 0004 CV certificate (free)
//   EF 0005  FF40 { DF41 個人番号画像 PNG, DF42 public key, DF43 signature } — a host must never read it
//   PIN EFs  0012 照合番号B, 0013 照合番号A, each with its own counter (max not published; 10 here)
// EF 0001/0002/0005 are readable after VERIFY of either 照合番号.
import { readFileSync } from 'node:fs';
import { addDf, addEf, afterVerify, ALWAYS, PinObject, type DedicatedFile } from '../iso7816/index.ts';
import { tlv } from './ber.ts';
import { checkCodeB as composeCheckCodeB, type SyntheticHolder } from './holder.ts';
import { syntheticCvCertificate, syntheticPublicKeyField, syntheticSignature } from './issuer-data.ts';
import { syntheticTextPng } from './png.ts';
import { CHECK_CODE_MAX_TRIES } from './text-ap.ts';

export const VISUAL_AP_AID = Buffer.from('D3921000310001010402', 'hex');

/** A synthetic 96×120 greyscale "face" (drawn shapes, no person), JPEG 2000 (JP2 file format), 588 bytes. */
export const SYNTHETIC_FACE_JP2: Buffer = readFileSync(new URL('./fixtures/synthetic-face.jp2', import.meta.url));

export interface VisualApSpec {
  holder: SyntheticHolder;
  checkCodeATriesLeft?: number;
  checkCodeBTriesLeft?: number;
  queryWhenBlocked?: 0x63c0 | 0x6984;
  /** Replace the face photo (e.g. a corrupt codestream); default the synthetic JP2. */
  faceJpeg2000?: Buffer;
}

export interface VisualAp {
  df: DedicatedFile;
  checkCodeA: PinObject;
  checkCodeB: PinObject;
}

export function faceFile(h: SyntheticHolder, face: Buffer): Buffer {
  const key = syntheticPublicKeyField();
  const fields = [
    tlv(0xdf22, Buffer.from(h.dateOfBirth, 'ascii')),
    tlv(0xdf23, Buffer.from(h.sex, 'ascii')),
    tlv(0xdf24, key),
    tlv(0xdf25, syntheticTextPng(h.name)),
    tlv(0xdf26, syntheticTextPng(h.address)),
    tlv(0xdf27, face),
  ];
  const signed = Buffer.concat(fields);
  fields.push(tlv(0xdf28, syntheticSignature(signed)), tlv(0xdf29, Buffer.from(h.expiry, 'ascii')), tlv(0xdf2a, syntheticTextPng(h.securityCode)));
  const headerLen = 3 + 2 * fields.length + (2 * fields.length >= 0x80 ? 1 : 0);
  const inner = headerLen + fields.reduce((n, f) => n + f.length, 0);
  const outerHead = tlv(0xff20, Buffer.alloc(inner)).length - inner;
  const offsets = Buffer.alloc(2 * fields.length);
  let pos = outerHead + headerLen;
  fields.forEach((f, i) => {
    offsets.writeUInt16BE(pos, 2 * i);
    pos += f.length;
  });
  return tlv(0xff20, Buffer.concat([tlv(0xdf21, offsets), ...fields]));
}

export function buildVisualAp(mf: DedicatedFile, s: VisualApSpec): VisualAp {
  const df = addDf(mf, { label: '券面AP', aid: VISUAL_AP_AID });
  const q = s.queryWhenBlocked;
  const checkCodeBPin = new PinObject({ value: composeCheckCodeB(s.holder), maxTries: CHECK_CODE_MAX_TRIES, triesLeft: s.checkCodeBTriesLeft, queryWhenBlocked: q });
  const checkCodeA = new PinObject({ value: s.holder.myNumber, maxTries: CHECK_CODE_MAX_TRIES, triesLeft: s.checkCodeATriesLeft, queryWhenBlocked: q });
  addEf(df, { kind: 'pin', fid: 0x0012, pin: checkCodeBPin });
  addEf(df, { kind: 'pin', fid: 0x0013, pin: checkCodeA });
  const either = afterVerify(checkCodeA, checkCodeBPin);
  const key = syntheticPublicKeyField();
  const dob = tlv(0xdf11, Buffer.from(s.holder.dateOfBirth, 'ascii'));
  addEf(df, { kind: 'transparent', fid: 0x0001, data: tlv(0xff10, Buffer.concat([dob, tlv(0xdf12, key), tlv(0xdf13, syntheticSignature(dob))])), read: either });
  addEf(df, { kind: 'transparent', fid: 0x0002, data: faceFile(s.holder, s.faceJpeg2000 ?? SYNTHETIC_FACE_JP2), read: either });
  addEf(df, { kind: 'transparent', fid: 0x0003, data: tlv(0xff40, tlv(0xdf41, Buffer.from('00010000', 'hex'))), read: ALWAYS });
  addEf(df, { kind: 'transparent', fid: 0x0004, data: syntheticCvCertificate('VISUAL-AP-TEST'), read: ALWAYS });
  const numberImage = syntheticTextPng(s.holder.myNumber);
  addEf(df, {
    kind: 'transparent',
    fid: 0x0005,
    data: tlv(0xff40, Buffer.concat([tlv(0xdf41, numberImage), tlv(0xdf42, key), tlv(0xdf43, syntheticSignature(numberImage))])),
    read: either,
  });
  return { df, checkCodeA, checkCodeB: checkCodeBPin };
}
