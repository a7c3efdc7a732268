// The 券面事項入力補助AP (text AP) of the virtual マイナンバーカード, in the layout of a real card
// (docs/reference/mynumber.md §Text AP; file map in card-layout.ts):
//   EF 0001  FF10 0C <12 ASCII digits>                                   PIN or 照合番号A
//   EF 0002  FF20 { DF21 offsets, DF22 氏名, DF23 住所, DF24 生年月日, DF25 性別 } (UTF-8)   PIN or 照合番号B
//   EF 0003  FF30 { DF31 SHA-256(EF 0001 as stored), DF32 SHA-256(FF20 value after DF21),
//                   DF33 PKCS#1 v1.5 / SHA-256 over the DF31 ‖ DF32 TLVs by the certified key }   PIN, A or B
//   EF 0004  CV certificate of the certified key, issued by the test CA "6100033"             always
//   EF 0005  AP basic data, EF 0007 FF50 { DF51 card key, DF52 signature over DF51 }
//   PIN EFs  0011 PIN (4 digits, 3 tries), 0014 照合番号A (= the My Number), 0015 照合番号B
// `forgery` builds the adversarial variants the kiosk must refuse.
import type { KeyObject } from 'node:crypto';
import { addDf, addEf, afterVerify, ALWAYS, PinObject, type DedicatedFile, type TransparentEf } from '../iso7816/index.ts';
import { tlv } from '../iso7816/ber-tlv.ts';
import { TEXT_AP } from './card-layout.ts';
import { cardPublicKey, digestInfo, issueCvCertificate, sha256, signDigestInfo, virtualCvIssuers, type CvIssuerSet } from './cv-issuer.ts';
import { checkCodeB as composeCheckCodeB, type SyntheticHolder } from './holder.ts';
import { xorAt } from '../../../core/checked.ts';

export const TEXT_AP_AID = TEXT_AP.aid;
export const TEXT_PIN_MAX_TRIES = 3;
/** Not published; the emulator uses 10 for 照合番号A/B. */
export const CHECK_CODE_MAX_TRIES = 10;

/**
 * Forged variants:
 *   unknown-ca       EF 0004 issued by a CA no kiosk trusts (証明者鍵ID 6999933)
 *   forged-cv        EF 0004 names the trusted CA's id but is signed by another key
 *   bad-signature    one byte of DF33 (text) / DF28 (face) flipped
 *   edited-data      EF 0002 changed after signing (DF32 / DF28 no longer match)
 *   edited-rehashed  EF 0002 changed and DF32 recomputed by the forger (text AP; DF33 then fails)
 *   clone            every file copied byte for byte, but the chip signs challenges with another key
 */
export type CvForgery = 'unknown-ca' | 'forged-cv' | 'bad-signature' | 'edited-data' | 'edited-rehashed' | 'clone';

export interface TextApSpec {
  holder: SyntheticHolder;
  pin: string;
  pinTriesLeft?: number;
  checkCodeATriesLeft?: number;
  checkCodeBTriesLeft?: number;
  queryWhenBlocked?: 0x63c0 | 0x6984;
  /** EF 0002 altered after the card's hash was made (same as forgery 'edited-data'). */
  corruptBasicInfo?: boolean;
  forgery?: CvForgery;
  /** Issuer keys (default: this process's virtual issuers). */
  issuers?: CvIssuerSet;
  /** EF 0002 bytes to carry instead of the holder's (e.g. the public JPKI test card's file). */
  basicInfoOverride?: Buffer;
}

export interface TextAp {
  df: DedicatedFile;
  pin: PinObject;
  checkCodeA: PinObject;
  checkCodeB: PinObject;
  basicInfo: TransparentEf;
  myNumber: TransparentEf;
  /** The key this AP signs challenges with (COMPUTE SIGNATURE P2 00); a clone's differs from the signed one. */
  challengeKey: KeyObject;
}

/** EF 0002 with DF21 giving each field's offset from the start of the file; `firstOffset` = after DF21. */
export function basicInfoFile(h: SyntheticHolder): { file: Buffer; firstOffset: number } {
  const t = TEXT_AP.tag;
  const fields = [
    tlv(t.name, Buffer.from(h.name, 'utf8')),
    tlv(t.address, Buffer.from(h.address, 'utf8')),
    tlv(t.birth, Buffer.from(h.dateOfBirth, 'ascii')),
    tlv(t.sex, Buffer.from(h.sex, 'ascii')),
  ];
  const tableLen = tlv(t.offsets, Buffer.alloc(2 * fields.length)).length;
  const inner = tableLen + fields.reduce((n, f) => n + f.length, 0);
  const outerHead = tlv(t.basicInfo, Buffer.alloc(inner)).length - inner;
  const offsets = Buffer.alloc(2 * fields.length);
  let pos = outerHead + tableLen;
  fields.forEach((f, i) => {
    offsets.writeUInt16BE(pos, 2 * i);
    pos += f.length;
  });
  const file = tlv(t.basicInfo, Buffer.concat([tlv(t.offsets, offsets), ...fields]));
  return { file, firstOffset: outerHead + tableLen };
}

/** Where the DF32 digest starts: right after the DF21 TLV inside FF20 (header lengths read from the file). */
function afterOffsetTable(file: Buffer): number {
  const lenAt = (p: number) => {
    const b = file.readUInt8(p);
    return b < 0x80 ? { len: b, size: 1 } : { len: file.readUIntBE(p + 1, b & 0x7f), size: 1 + (b & 0x7f) };
  };
  const outer = lenAt(2);
  const tablePos = 2 + outer.size;
  const table = lenAt(tablePos + 2);
  return tablePos + 2 + table.size + table.len;
}

/** The card key a genuine chip signs challenges with; a clone has only the copied files, not this key. */
export function challengeKeyFor(issuers: CvIssuerSet, forgery?: CvForgery): KeyObject {
  return forgery === 'clone' ? issuers.rogueCa.privateKey : issuers.cardKey.privateKey;
}

/** The CV certificate for EF 0004, honest or forged. */
export function cvCertificateFor(ca: 'text' | 'visual', issuers: CvIssuerSet, forgery?: CvForgery): Buffer {
  const trusted = ca === 'text' ? issuers.textCa : issuers.visualCa;
  if (forgery === 'unknown-ca') return issueCvCertificate(issuers.rogueCa, issuers.dataKeyId, issuers.dataKey.publicKey);
  if (forgery === 'forged-cv')
    return issueCvCertificate({ keyId: trusted.keyId, privateKey: issuers.rogueCa.privateKey }, issuers.dataKeyId, issuers.dataKey.publicKey);
  return issueCvCertificate(trusted, issuers.dataKeyId, issuers.dataKey.publicKey);
}

export function buildTextAp(mf: DedicatedFile, s: TextApSpec): TextAp {
  const issuers = s.issuers ?? virtualCvIssuers();
  const forgery = s.forgery ?? (s.corruptBasicInfo ? 'edited-data' : undefined);
  const df = addDf(mf, { label: '券面事項入力補助AP', aid: TEXT_AP.aid });
  const q = s.queryWhenBlocked;
  const pin = new PinObject({ value: s.pin, maxTries: TEXT_PIN_MAX_TRIES, triesLeft: s.pinTriesLeft, queryWhenBlocked: q });
  const checkCodeA = new PinObject({ value: s.holder.myNumber, maxTries: CHECK_CODE_MAX_TRIES, triesLeft: s.checkCodeATriesLeft, queryWhenBlocked: q });
  const checkCodeB = new PinObject({
    value: composeCheckCodeB(s.holder),
    maxTries: CHECK_CODE_MAX_TRIES,
    triesLeft: s.checkCodeBTriesLeft,
    queryWhenBlocked: q,
  });
  addEf(df, { kind: 'pin', fid: TEXT_AP.ef.pin, pin });
  addEf(df, { kind: 'pin', fid: TEXT_AP.ef.checkCodeA, pin: checkCodeA });
  addEf(df, { kind: 'pin', fid: TEXT_AP.ef.checkCodeB, pin: checkCodeB });

  const t = TEXT_AP.tag;
  const numberFile = tlv(t.myNumber, Buffer.from(s.holder.myNumber, 'ascii'));
  const file = s.basicInfoOverride ?? basicInfoFile(s.holder).file;
  const from = afterOffsetTable(file);
  const stored = Buffer.from(file);
  if (forgery === 'edited-data' || forgery === 'edited-rehashed') xorAt(stored, stored.length - 1, 0x01); // the sex digit changes
  const myNumberDigest = tlv(t.myNumberDigest, sha256(numberFile));
  const infoDigest = tlv(t.basicInfoDigest, sha256(file.subarray(from)));
  const signature = signDigestInfo(issuers.dataKey.privateKey, digestInfo(sha256(Buffer.concat([myNumberDigest, infoDigest]))));
  if (forgery === 'bad-signature') xorAt(signature, 100, 0x01);
  // A forger who recomputes DF32 over the edited file still cannot re-sign DF31 ‖ DF32.
  const storedInfoDigest = forgery === 'edited-rehashed' ? tlv(t.basicInfoDigest, sha256(stored.subarray(from))) : infoDigest;
  const integrity = tlv(t.integrity, Buffer.concat([myNumberDigest, storedInfoDigest, tlv(t.signature, signature)]));

  const cardKey = cardPublicKey(issuers.cardKey.publicKey);
  const df51 = tlv(0xdf51, cardKey);
  const ef = TEXT_AP.ef;
  const myNumber = addEf(df, { kind: 'transparent', fid: ef.myNumber, data: numberFile, read: afterVerify(pin, checkCodeA) });
  const basicInfo = addEf(df, { kind: 'transparent', fid: ef.basicInfo, data: stored, read: afterVerify(pin, checkCodeB) });
  addEf(df, { kind: 'transparent', fid: ef.integrity, data: integrity, read: afterVerify(pin, checkCodeA, checkCodeB) });
  addEf(df, { kind: 'transparent', fid: ef.cvCertificate, data: cvCertificateFor('text', issuers, forgery), read: ALWAYS });
  addEf(df, {
    kind: 'transparent',
    fid: ef.apBasicData,
    data: tlv(
      0xff40,
      Buffer.concat([
        tlv(0xdf41, Buffer.from('01030e01', 'hex')),
        tlv(0xdf42, Buffer.concat([Buffer.from('6000034', 'ascii'), Buffer.from([8, 5]), Buffer.from('001', 'ascii'), Buffer.alloc(4)])),
        tlv(0xdf43, Buffer.alloc(128, 0xff)),
      ]),
    ),
    read: ALWAYS,
  });
  addEf(df, {
    kind: 'transparent',
    fid: ef.signedPublicKey,
    data: tlv(0xff50, Buffer.concat([df51, tlv(0xdf52, signDigestInfo(issuers.dataKey.privateKey, digestInfo(sha256(df51))))])),
    read: afterVerify(pin, checkCodeA, checkCodeB),
  });
  return { df, pin, checkCodeA, checkCodeB, basicInfo, myNumber, challengeKey: challengeKeyFor(issuers, forgery) };
}
