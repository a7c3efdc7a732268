// The JPKI-AP (公的個人認証AP) of the My Number card as published (docs/reference/mynumber.md §1, §4.2, §4.1): its AID,
// its EFs and their access rules. Only the documented path is built: SELECT by AID, SELECT EF by FID,
// READ BINARY with 15-bit offsets, VERIFY on the selected PIN EF. No short EF ids or PIN references are
// given, because none are documented for this AP; a host relying on them should fail here first.
import type { KeyObject } from 'node:crypto';
import { addDf, addEf, afterVerify, ALWAYS, type DedicatedFile, type KeyEf, PinObject } from '../iso7816/index.ts';

export const MYNUMBER_ATR = Buffer.from('3BE000FF8131FE4514', 'hex');
export const JPKI_AID = Buffer.from('D392F000260100000001', 'hex');

export const JPKI_EF = {
  SIGN_CERT: 0x0001,
  SIGN_CA_CERT: 0x0002,
  TOKEN: 0x0006,
  AUTH_CERT: 0x000a,
  AUTH_CA_CERT: 0x000b,
  AUTH_KEY: 0x0017,
  AUTH_PIN: 0x0018,
  SIGN_KEY: 0x001a,
  SIGN_PIN: 0x001b,
} as const;

export const JPKI_AUTH_PIN_MAX_TRIES = 3;
export const JPKI_SIGN_PIN_MAX_TRIES = 5;
/** EF 0006 of a マイナンバーカード; `JPKIAPICCTOKEN` = 住基カード, `JPKIAPGPSETOKEN` = smartphone GP-SE. */
export const JPKI_TOKEN_MYNUMBER = 'JPKIAPICCTOKEN2';
/** Synthetic signing password used when a card is built without signing material (test-only). */
export const JPKI_DEFAULT_SIGN_PASSWORD = 'TEST1234';

export interface JpkiKeyMaterial {
  /** Certificate DER as stored in the EF. */
  cert: Buffer;
  /** Issuing CA certificate DER. */
  caCert: Buffer;
  privateKey: KeyObject;
}

export interface JpkiApSpec {
  auth: JpkiKeyMaterial & { pin: string; triesLeft?: number };
  sign?: JpkiKeyMaterial & { password: string; triesLeft?: number };
  token?: string;
  /** SW of the empty VERIFY once a PIN is blocked (63C0 default, or 6984). */
  queryWhenBlocked?: 0x63c0 | 0x6984;
}

export interface JpkiAp {
  df: DedicatedFile;
  authPin: PinObject;
  authKey: KeyEf;
  signPin: PinObject;
  signKey?: KeyEf;
}

/** Token EF content: the ASCII token, space-padded to 0x20 bytes. */
export function jpkiToken(token: string): Buffer {
  const b = Buffer.alloc(0x20, 0x20);
  b.write(token, 'ascii');
  return b;
}

export function buildJpkiAp(mf: DedicatedFile, spec: JpkiApSpec): JpkiAp {
  const df = addDf(mf, { label: 'JPKI-AP', aid: JPKI_AID });
  addEf(df, { kind: 'transparent', fid: JPKI_EF.TOKEN, data: jpkiToken(spec.token ?? JPKI_TOKEN_MYNUMBER), read: ALWAYS });

  const authPin = new PinObject({
    value: spec.auth.pin,
    maxTries: JPKI_AUTH_PIN_MAX_TRIES,
    triesLeft: spec.auth.triesLeft,
    queryWhenBlocked: spec.queryWhenBlocked,
  });
  addEf(df, { kind: 'pin', fid: JPKI_EF.AUTH_PIN, pin: authPin });
  addEf(df, { kind: 'transparent', fid: JPKI_EF.AUTH_CERT, data: Buffer.from(spec.auth.cert), read: ALWAYS });
  addEf(df, { kind: 'transparent', fid: JPKI_EF.AUTH_CA_CERT, data: Buffer.from(spec.auth.caCert), read: ALWAYS });
  const authKey = addEf(df, { kind: 'key', fid: JPKI_EF.AUTH_KEY, key: spec.auth.privateKey, use: afterVerify(authPin) });
  const ap = { df, authPin, authKey } as JpkiAp;

  // Every My Number card carries the signing password EF, whether or not signing material was supplied
  // (OpenSC's JPKI binding queries it). Without material the signing cert/key EFs are simply absent.
  const signPin = new PinObject({
    value: spec.sign?.password ?? JPKI_DEFAULT_SIGN_PASSWORD,
    maxTries: JPKI_SIGN_PIN_MAX_TRIES,
    triesLeft: spec.sign?.triesLeft,
    queryWhenBlocked: spec.queryWhenBlocked,
  });
  addEf(df, { kind: 'pin', fid: JPKI_EF.SIGN_PIN, pin: signPin });
  ap.signPin = signPin;
  if (spec.sign) {
    // The signing certificate carries name/address/DOB/sex, so the card releases it only after VERIFY 001B.
    addEf(df, { kind: 'transparent', fid: JPKI_EF.SIGN_CERT, data: Buffer.from(spec.sign.cert), read: afterVerify(signPin) });
    addEf(df, { kind: 'transparent', fid: JPKI_EF.SIGN_CA_CERT, data: Buffer.from(spec.sign.caCert), read: ALWAYS });
    ap.signKey = addEf(df, { kind: 'key', fid: JPKI_EF.SIGN_KEY, key: spec.sign.privateKey, use: afterVerify(signPin) });
  }
  return ap;
}
