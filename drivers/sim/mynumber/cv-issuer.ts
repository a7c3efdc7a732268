// The issuer side of the virtual card's 券面 data, in the layout documented for real cards
// (docs/reference/mynumber.md §CV certificates, §Signature coverage; soltia48/myna-card src/data.rs,
// src/ap/text.rs, src/ap/surface.rs):
//   - a synthetic CA key in the JPKI test hierarchy's identifier layout ('6…' 08 05 '001' 00 00 00 00),
//     standing in for J-LIS's 6000033 / 6000023 keys (whose private halves nobody has);
//   - a CV certificate 7F21 { 5F4E issuer id ‖ subject id ‖ 90 03 010001 ‖ 91 82 0100 n, 5F37 signature };
//   - RSASSA-PKCS1-v1_5 signatures by the certified ("municipality") key over an exact DigestInfo.
// Written from the documented layout only; nothing is shared with the kiosk's reader code.
import { constants, createHash, generateKeyPairSync, privateEncrypt, type KeyObject } from 'node:crypto';
import { tlv } from '../iso7816/ber-tlv.ts';
import { CV } from './card-layout.ts';
import { defined } from '../../../core/checked.ts';
import { ErrorCodes } from '../../../core/errors.ts';

export interface RsaKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface CvTestCa extends RsaKeys {
  /** 16-byte 証明者鍵ID. */
  keyId: Buffer;
  /** The anchor as the kiosk's config takes it (mynumber.cvCaKeys entry). */
  anchor: { keyId: string; modulus: string; exponent: string };
}

/** 16-byte key identifier: 7 ASCII digits ‖ 08 05 ‖ 3 ASCII digits ‖ 4 bytes of padding. */
export function keyId16(number: string, group = '001'): Buffer {
  if (!/^[0-9]{7}$/.test(number) || !/^[0-9]{3}$/.test(group)) throw new Error(`bad key id ${number}/${group}`);
  return Buffer.concat([Buffer.from(number, 'ascii'), Buffer.from([0x08, 0x05]), Buffer.from(group, 'ascii'), Buffer.alloc(4)]);
}

export const newRsaKeys = (): RsaKeys => generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });

export function rsaParts(k: KeyObject): { n: Buffer; e: Buffer } {
  const jwk = k.export({ format: 'jwk' });
  return {
    n: Buffer.from(defined(jwk.n, ErrorCodes.INTERNAL, 'RSA key n'), 'base64url'),
    e: Buffer.from(defined(jwk.e, ErrorCodes.INTERNAL, 'RSA key e'), 'base64url'),
  };
}

/** The card's own encoding of an RSA public key: 90 <exponent> ‖ 91 <modulus>. */
export function cardPublicKey(k: KeyObject): Buffer {
  const { n, e } = rsaParts(k);
  return Buffer.concat([tlv(CV.exponent, e), tlv(CV.modulus, n)]);
}

export function createCvTestCa(number: string, keys: RsaKeys = newRsaKeys()): CvTestCa {
  const keyId = keyId16(number);
  const { n, e } = rsaParts(keys.publicKey);
  return { ...keys, keyId, anchor: { keyId: keyId.toString('hex'), modulus: n.toString('hex'), exponent: e.toString('hex') } };
}

const SHA256_ALG = Buffer.from('300d06096086480165030402010500', 'hex');

/** DigestInfo(sha256) around `digest` (32 bytes, or the 96-byte triple of the card face). */
export function digestInfo(digest: Buffer): Buffer {
  const inner = Buffer.concat([SHA256_ALG, Buffer.from([0x04, digest.length]), digest]);
  return Buffer.concat([Buffer.from([0x30, inner.length]), inner]);
}

export const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/** PKCS#1 v1.5 type-1 signature over an exact DigestInfo. */
export function signDigestInfo(key: KeyObject, info: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, info);
}

/** A CV certificate for `subject` (its id and public key), signed by `issuer`. */
export function issueCvCertificate(issuer: { keyId: Buffer; privateKey: KeyObject }, subjectKeyId: Buffer, subjectKey: KeyObject): Buffer {
  const body = Buffer.concat([issuer.keyId, subjectKeyId, cardPublicKey(subjectKey)]);
  if (body.length !== 297) throw new Error(`CV body is ${body.length} bytes`);
  return tlv(CV.certificate, Buffer.concat([tlv(CV.body, body), tlv(CV.signature, signDigestInfo(issuer.privateKey, digestInfo(sha256(body))))]));
}

/** What one virtual card's 券面 data is signed with. */
export interface CvIssuerSet {
  /** Stands in for J-LIS 6000033 (券面事項入力補助AP). */
  textCa: CvTestCa;
  /** Stands in for J-LIS 6000023 (券面AP). */
  visualCa: CvTestCa;
  /** The certified key that signs DF33 and DF28 (a municipality's key on real cards). */
  dataKey: RsaKeys;
  dataKeyId: Buffer;
  /** The card's own key (DF24, DF12, DF42, DF51); it signs challenges, never the data. */
  cardKey: RsaKeys;
  /** A CA no kiosk is configured for (the "unknown CA" forgery). */
  rogueCa: CvTestCa;
}

let shared: CvIssuerSet | null = null;

/**
 * One issuer set per process (RSA-2048 generation costs ~0.1–0.4 s a key). Identifiers 6100033 / 6100023
 * are in the test hierarchy's layout but are not J-LIS's, so they never collide with the real test keys.
 */
export function virtualCvIssuers(): CvIssuerSet {
  let rogue: CvTestCa | null = null;
  shared ??= {
    textCa: createCvTestCa('6100033'),
    visualCa: createCvTestCa('6100023'),
    dataKey: newRsaKeys(),
    dataKeyId: keyId16('1399999', '000'),
    cardKey: newRsaKeys(),
    // Only forged cards need it: generated on first use (the demo never pays for it).
    get rogueCa() {
      rogue ??= createCvTestCa('6999933');
      return rogue;
    },
  };
  return shared;
}

/** The kiosk configuration that trusts this process's virtual cards (test hierarchy: testCards on). */
export function virtualCardTrustConfig(set: CvIssuerSet = virtualCvIssuers()): { testCards: true; cvCaKeys: CvTestCa['anchor'][] } {
  return { testCards: true, cvCaKeys: [set.textCa.anchor, set.visualCa.anchor] };
}
