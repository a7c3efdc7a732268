// The 券面AP (券面事項確認AP, visual AP) of the virtual マイナンバーカード, in the layout of a real card
// (docs/reference/mynumber.md §券面AP; file map in card-layout.ts):
//   EF 0001  FF10 { DF11 生年月日, DF12 card key, DF13 signature over DF11 ‖ DF12 }    birth-date key
//   EF 0002  FF20 { DF21 offsets, DF22 生年月日, DF23 性別, DF24 card key, DF25 氏名画像 PNG, DF26 住所画像 PNG,
//                   DF27 顔写真 JPEG 2000, DF28 signature, DF29 有効期限, DF2A セキュリティコード画像 PNG }   A or B
//            DF28 = PKCS#1 v1.5 over DigestInfo(sha256, SHA-256(DF22‖DF23‖DF24) ‖ SHA-256(DF25‖DF26) ‖
//            SHA-256(DF27)); DF29 and DF2A are not covered.
//   EF 0003  AP basic data, EF 0004 CV certificate (test CA "6100023")                       always
//   EF 0005  FF40 { DF41 個人番号画像 PNG, DF42 card key, DF43 signature } — 照合番号A only; a host must never read it
//   PIN EFs  0011 生年月日 (era YYMMDD), 0012 照合番号B, 0013 照合番号A (max tries not published; 10 here)
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { addDf, addEf, afterVerify, ALWAYS, PinObject, type DedicatedFile } from '../iso7816/index.ts';
import { tlv } from '../iso7816/ber-tlv.ts';
import { VISUAL_AP } from './card-layout.ts';
import { cardPublicKey, digestInfo, sha256, signDigestInfo, virtualCvIssuers, type CvIssuerSet } from './cv-issuer.ts';
import { checkCodeB as composeCheckCodeB, eraBirthDate, type SyntheticHolder } from './holder.ts';
import { syntheticTextPng } from './png.ts';
import { challengeKeyFor, CHECK_CODE_MAX_TRIES, cvCertificateFor, type CvForgery } from './text-ap.ts';
import { at, xorAt } from '../../../core/checked.ts';

export const VISUAL_AP_AID = VISUAL_AP.aid;

/** A synthetic 96×120 greyscale "face" (drawn shapes, no person), JPEG 2000 (JP2 file format), 588 bytes. */
export const SYNTHETIC_FACE_JP2: Buffer = readFileSync(new URL('./fixtures/synthetic-face.jp2', import.meta.url));

export interface VisualApSpec {
  holder: SyntheticHolder;
  checkCodeATriesLeft?: number;
  checkCodeBTriesLeft?: number;
  queryWhenBlocked?: 0x63c0 | 0x6984;
  /** Replace the face photo (e.g. a corrupt codestream); default the synthetic JP2. */
  faceJpeg2000?: Buffer;
  forgery?: CvForgery;
  issuers?: CvIssuerSet;
}

export interface VisualAp {
  df: DedicatedFile;
  checkCodeA: PinObject;
  checkCodeB: PinObject;
  /** The key this AP signs challenges with (COMPUTE SIGNATURE P2 00). */
  challengeKey: KeyObject;
}

/** FF20 with a DF21 table of offsets (from the start of the file) to every following object. */
function withOffsets(fields: Buffer[]): Buffer {
  const tableLen = tlv(0xdf21, Buffer.alloc(2 * fields.length)).length;
  const inner = tableLen + fields.reduce((n, f) => n + f.length, 0);
  const outerHead = tlv(0xff20, Buffer.alloc(inner)).length - inner;
  const offsets = Buffer.alloc(2 * fields.length);
  let pos = outerHead + tableLen;
  fields.forEach((f, i) => {
    offsets.writeUInt16BE(pos, 2 * i);
    pos += f.length;
  });
  return tlv(0xff20, Buffer.concat([tlv(0xdf21, offsets), ...fields]));
}

export function faceFile(h: SyntheticHolder, face: Buffer, issuers: CvIssuerSet = virtualCvIssuers(), forgery?: CvForgery): Buffer {
  const key = cardPublicKey(issuers.cardKey.publicKey);
  const groups = [
    [tlv(0xdf22, Buffer.from(h.dateOfBirth, 'ascii')), tlv(0xdf23, Buffer.from(h.sex, 'ascii')), tlv(0xdf24, key)],
    [tlv(0xdf25, syntheticTextPng(h.name)), tlv(0xdf26, syntheticTextPng(h.address))],
    [tlv(0xdf27, face)],
  ];
  const digests = Buffer.concat(groups.map((g) => sha256(Buffer.concat(g))));
  const signature = signDigestInfo(issuers.dataKey.privateKey, digestInfo(digests));
  if (forgery === 'bad-signature') xorAt(signature, 100, 0x01);
  if (forgery === 'edited-data' || forgery === 'edited-rehashed') {
    // The birth date changed after signing (a forger making the holder older).
    at(groups, 0)[0] = tlv(0xdf22, Buffer.from(String(Number(h.dateOfBirth.slice(0, 4)) - 10) + h.dateOfBirth.slice(4), 'ascii'));
  }
  return withOffsets([...groups.flat(), tlv(0xdf28, signature), tlv(0xdf29, Buffer.from(h.expiry, 'ascii')), tlv(0xdf2a, syntheticTextPng(h.securityCode))]);
}

/** A record signed over "every object before the signature" (EF 0001 and EF 0005). */
function signedRecord(tag: number, fields: Buffer[], sigTag: number, issuers: CvIssuerSet): Buffer {
  const data = Buffer.concat(fields);
  return tlv(tag, Buffer.concat([data, tlv(sigTag, signDigestInfo(issuers.dataKey.privateKey, digestInfo(sha256(data))))]));
}

export function buildVisualAp(mf: DedicatedFile, s: VisualApSpec): VisualAp {
  const issuers = s.issuers ?? virtualCvIssuers();
  const df = addDf(mf, { label: '券面AP', aid: VISUAL_AP.aid });
  const q = s.queryWhenBlocked;
  const ef = VISUAL_AP.ef;
  const checkCodeBPin = new PinObject({
    value: composeCheckCodeB(s.holder),
    maxTries: CHECK_CODE_MAX_TRIES,
    triesLeft: s.checkCodeBTriesLeft,
    queryWhenBlocked: q,
  });
  const checkCodeA = new PinObject({ value: s.holder.myNumber, maxTries: CHECK_CODE_MAX_TRIES, triesLeft: s.checkCodeATriesLeft, queryWhenBlocked: q });
  const birthKey = new PinObject({ value: eraBirthDate(s.holder.dateOfBirth), maxTries: CHECK_CODE_MAX_TRIES, queryWhenBlocked: q });
  addEf(df, { kind: 'pin', fid: ef.birthDateKey, pin: birthKey });
  addEf(df, { kind: 'pin', fid: ef.checkCodeB, pin: checkCodeBPin });
  addEf(df, { kind: 'pin', fid: ef.checkCodeA, pin: checkCodeA });
  const either = afterVerify(checkCodeA, checkCodeBPin);
  const key = tlv(0xdf12, cardPublicKey(issuers.cardKey.publicKey));
  addEf(df, {
    kind: 'transparent',
    fid: ef.ageRecord,
    data: signedRecord(0xff10, [tlv(0xdf11, Buffer.from(s.holder.dateOfBirth, 'ascii')), key], 0xdf13, issuers),
    read: afterVerify(birthKey),
  });
  addEf(df, { kind: 'transparent', fid: ef.cardFace, data: faceFile(s.holder, s.faceJpeg2000 ?? SYNTHETIC_FACE_JP2, issuers, s.forgery), read: either });
  addEf(df, {
    kind: 'transparent',
    fid: ef.apBasicData,
    data: tlv(0xff30, Buffer.concat([tlv(0xdf31, Buffer.from('06030e01', 'hex')), tlv(0xdf33, Buffer.from([0])), tlv(0xdf34, Buffer.from('99999', 'ascii'))])),
    read: ALWAYS,
  });
  addEf(df, { kind: 'transparent', fid: ef.cvCertificate, data: cvCertificateFor('visual', issuers, s.forgery), read: ALWAYS });
  addEf(df, {
    kind: 'transparent',
    fid: ef.myNumberImage,
    data: signedRecord(0xff40, [tlv(0xdf41, syntheticTextPng(s.holder.myNumber)), tlv(0xdf42, cardPublicKey(issuers.cardKey.publicKey))], 0xdf43, issuers),
    read: afterVerify(checkCodeA),
  });
  return { df, checkCodeA, checkCodeB: checkCodeBPin, challengeKey: challengeKeyFor(issuers, s.forgery) };
}
