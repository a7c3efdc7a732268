// The 券面事項入力補助AP (text AP) of the virtual マイナンバーカード (cards.md §2.1, §2.2, §2.5):
//   EF 0001  個人番号: FF10 0C <12 ASCII digits>      read after VERIFY 0011
//   EF 0002  FF20 { DF21 offsets, DF22 氏名, DF23 住所, DF24 生年月日, DF25 性別 } (UTF-8), after 0011
//   EF 0003  FF30 { DF31 SHA-256(EF 0001), DF32 SHA-256(EF 0002 from the first offset to the end of FF20),
//                   DF33 signature } after 0011
//   EF 0004  CV certificate (free), EF 0005 AP info (free), EF 0007 FF50 {DF51 key, DF52 signature} after 0011
//   PIN EFs  0011 PIN (4 digits, 3 tries), 0014 照合番号A (= the My Number), 0015 照合番号B — each with
//            its own counter. What A/B unlock in this AP is UNVERIFIED, so here they unlock nothing.
// DF21's offsets are file offsets of the DF22..DF25 TLVs (the exact semantics are UNVERIFIED; the kiosk
// hashes from the first offset, which is what the one published description says).
import { createHash } from 'node:crypto';
import { addDf, addEf, afterVerify, ALWAYS, PinObject, type DedicatedFile, type TransparentEf } from '../iso7816/index.ts';
import { tlv } from './ber.ts';
import { checkCodeB as composeCheckCodeB, type SyntheticHolder } from './holder.ts';
import { syntheticCvCertificate, syntheticPublicKeyField, syntheticSignature } from './issuer-data.ts';

export const TEXT_AP_AID = Buffer.from('D3921000310001010408', 'hex');
export const TEXT_PIN_MAX_TRIES = 3;
/** Not published; the emulator uses 10 for 照合番号A/B. */
export const CHECK_CODE_MAX_TRIES = 10;

export interface TextApSpec {
  holder: SyntheticHolder;
  pin: string;
  pinTriesLeft?: number;
  checkCodeATriesLeft?: number;
  checkCodeBTriesLeft?: number;
  queryWhenBlocked?: 0x63c0 | 0x6984;
  /** EF 0002 altered after the card's hash was made (DF32 then does not match). */
  corruptBasicInfo?: boolean;
}

export interface TextAp {
  df: DedicatedFile;
  pin: PinObject;
  checkCodeA: PinObject;
  checkCodeB: PinObject;
  basicInfo: TransparentEf;
  myNumber: TransparentEf;
}

/** EF 0002 with DF21 pointing at the fields; returns the file and the hashed region's start. */
export function basicInfoFile(h: SyntheticHolder): { file: Buffer; firstOffset: number } {
  const fields = [
    tlv(0xdf22, Buffer.from(h.name, 'utf8')),
    tlv(0xdf23, Buffer.from(h.address, 'utf8')),
    tlv(0xdf24, Buffer.from(h.dateOfBirth, 'ascii')),
    tlv(0xdf25, Buffer.from(h.sex, 'ascii')),
  ];
  const headerLen = 3 + 2 * fields.length;
  const inner = headerLen + fields.reduce((n, f) => n + f.length, 0);
  const outerHead = tlv(0xff20, Buffer.alloc(inner)).length - inner;
  const offsets = Buffer.alloc(2 * fields.length);
  let pos = outerHead + headerLen;
  fields.forEach((f, i) => {
    offsets.writeUInt16BE(pos, 2 * i);
    pos += f.length;
  });
  const file = tlv(0xff20, Buffer.concat([tlv(0xdf21, offsets), ...fields]));
  return { file, firstOffset: outerHead + headerLen };
}

export function buildTextAp(mf: DedicatedFile, s: TextApSpec): TextAp {
  const df = addDf(mf, { label: '券面事項入力補助AP', aid: TEXT_AP_AID });
  const q = s.queryWhenBlocked;
  const pin = new PinObject({ value: s.pin, maxTries: TEXT_PIN_MAX_TRIES, triesLeft: s.pinTriesLeft, queryWhenBlocked: q });
  const checkCodeA = new PinObject({ value: s.holder.myNumber, maxTries: CHECK_CODE_MAX_TRIES, triesLeft: s.checkCodeATriesLeft, queryWhenBlocked: q });
  const checkCodeB = new PinObject({ value: composeCheckCodeB(s.holder), maxTries: CHECK_CODE_MAX_TRIES, triesLeft: s.checkCodeBTriesLeft, queryWhenBlocked: q });
  addEf(df, { kind: 'pin', fid: 0x0011, pin });
  addEf(df, { kind: 'pin', fid: 0x0014, pin: checkCodeA });
  addEf(df, { kind: 'pin', fid: 0x0015, pin: checkCodeB });

  const numberFile = tlv(0xff10, Buffer.from(s.holder.myNumber, 'ascii'));
  const { file, firstOffset } = basicInfoFile(s.holder);
  const myNumberHash = createHash('sha256').update(numberFile).digest();
  const infoHash = createHash('sha256').update(file.subarray(firstOffset)).digest();
  const signatureFile = tlv(
    0xff30,
    Buffer.concat([tlv(0xdf31, myNumberHash), tlv(0xdf32, infoHash), tlv(0xdf33, syntheticSignature(Buffer.concat([myNumberHash, infoHash])))]),
  );
  const stored = Buffer.from(file);
  if (s.corruptBasicInfo) stored[stored.length - 1] = stored[stored.length - 1]! ^ 0x01; // sex digit changes: the hash no longer matches

  const afterPin = afterVerify(pin);
  const myNumber = addEf(df, { kind: 'transparent', fid: 0x0001, data: numberFile, read: afterPin });
  const basicInfo = addEf(df, { kind: 'transparent', fid: 0x0002, data: stored, read: afterPin });
  addEf(df, { kind: 'transparent', fid: 0x0003, data: signatureFile, read: afterPin });
  addEf(df, { kind: 'transparent', fid: 0x0004, data: syntheticCvCertificate('TEXT-AP-TEST'), read: ALWAYS });
  addEf(df, { kind: 'transparent', fid: 0x0005, data: tlv(0xff40, Buffer.concat([tlv(0xdf41, Buffer.from('00010000', 'hex')), tlv(0xdf42, Buffer.alloc(16, 0x11))])), read: ALWAYS });
  const key = syntheticPublicKeyField();
  addEf(df, { kind: 'transparent', fid: 0x0007, data: tlv(0xff50, Buffer.concat([tlv(0xdf51, key), tlv(0xdf52, syntheticSignature(key))])), read: afterPin });
  return { df, pin, checkCodeA, checkCodeB, basicInfo, myNumber };
}
