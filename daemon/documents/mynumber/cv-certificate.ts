// Card-verifiable (CV) certificates of the マイナンバーカード's 券面AP and 券面事項入力補助AP (EF 0004 of each),
// parsed strictly and verified against CA keys the kiosk holds (docs/reference/mynumber.md §CV certificates;
// layout as documented in soltia48/myna-card src/data.rs, read from a JPKI test card):
//
//   7F21 {
//     5F4E (297 bytes)  証明者鍵ID (16) ‖ 被証明者鍵ID (16) ‖ 90 03 <exponent> ‖ 91 82 0100 <RSA-2048 modulus>
//     5F37 (256 bytes)  RSASSA-PKCS1-v1_5 / SHA-256 signature over the 297 body bytes, by the 証明者鍵ID's key
//   }
//
// The signer's key is never on the card: a certificate is only worth something when its 証明者鍵ID names a
// key the deployment trusts (cv-anchors.ts). A key taken from the card itself proves nothing.
import { at } from '../../../core/checked.ts';
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { verifyPkcs1v15 } from './rsa-pkcs1.ts';
import { CARD_BER, type Tlv } from '../../encoding/ber-tlv.ts';
import type { Reason } from '../../result/result-view.ts';

export const CV_TAG = { certificate: 0x7f21, body: 0x5f4e, signature: 0x5f37, exponent: 0x90, modulus: 0x91 } as const;
export const CV_KEY_ID_LENGTH = 16;
/** 16 + 16 + (2 + 3) + (4 + 256): fixed, because the certified key is always RSA-2048 with e = 65537. */
export const CV_BODY_LENGTH = 297;
export const RSA_2048_BYTES = 256;

export interface CvCertificate {
  issuerKeyId: Buffer;
  subjectKeyId: Buffer;
  /** The certified key: the one that signs the AP's data records (DF33, DF28). */
  publicKey: KeyObject;
  modulus: Buffer;
  exponent: Buffer;
  /** Exactly the bytes the signature covers (the 5F4E value). */
  body: Buffer;
  signature: Buffer;
}

const bad = (what: string, msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${msg}`);

/** "5000033/001" — the printable parts of a 16-byte key identifier, for messages and checks. */
export function keyIdLabel(id: Buffer): string {
  const printable = (b: Buffer) => b.toString('latin1').replace(/[^0-9A-Za-z]/g, '?');
  return `${printable(id.subarray(0, 7))}/${printable(id.subarray(9, 12))}`;
}

/** A 16-byte key identifier must be 7 digits ‖ 08 05 ‖ 3 digits ‖ 4 bytes (the padding is not always zero). */
export function checkKeyId(id: Buffer, what: string): void {
  const digits = (b: Buffer) => b.every((x) => x >= 0x30 && x <= 0x39);
  if (id.length !== CV_KEY_ID_LENGTH || !digits(id.subarray(0, 7)) || id[7] !== 0x08 || id[8] !== 0x05 || !digits(id.subarray(9, 12))) {
    throw bad(what, 'key identifier is not 7 digits, 08 05, 3 digits, padding');
  }
}

/** An RSA public key from its modulus and exponent; a key node cannot use is a typed error, not an exception. */
export function rsaPublicKey(modulus: Buffer, exponent: Buffer, what: string): KeyObject {
  const n = stripLeadingZeros(modulus);
  const e = stripLeadingZeros(exponent);
  const nFirst = n[0];
  const eLast = e[e.length - 1];
  if (n.length !== RSA_2048_BYTES || nFirst === undefined || (nFirst & 0x80) === 0) throw bad(what, 'modulus is not 2048 bits');
  if (eLast === undefined || e.length > 4 || (eLast & 1) === 0 || (e.length === 1 && eLast < 3)) throw bad(what, 'public exponent is not usable');
  try {
    return createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') }, format: 'jwk' });
  } catch {
    throw bad(what, 'RSA public key rejected by the crypto library');
  }
}

function stripLeadingZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** The 90 (exponent) and 91 (modulus) objects, as the card stores an RSA public key. */
export function parseCardRsaKey(buf: Buffer, what: string): { modulus: Buffer; exponent: Buffer; key: KeyObject } {
  const parts = CARD_BER.all(buf, what);
  const one = (tag: number): Tlv => {
    const found = parts.filter((t) => t.tag === tag);
    if (found.length !== 1) throw bad(what, `expected one ${tag.toString(16).toUpperCase()} object, found ${found.length}`);
    return at(found, 0);
  };
  const exponent = Buffer.from(one(CV_TAG.exponent).value);
  const modulus = Buffer.from(one(CV_TAG.modulus).value);
  if (parts.length !== 2) throw bad(what, 'unexpected objects next to the public key');
  return { modulus, exponent, key: rsaPublicKey(modulus, exponent, what) };
}

/** EF 0004 (with its 7F21 template; trailing 00/FF filler after it is tolerated). */
export function parseCvCertificate(ef: Buffer, what = 'CV certificate (EF 0004)'): CvCertificate {
  const outer = CARD_BER.read(ef, 0, what);
  if (outer.tag !== CV_TAG.certificate) throw bad(what, `template ${outer.tag.toString(16).toUpperCase()} is not 7F21`);
  const kids = CARD_BER.all(ef, what, outer.valueStart, outer.valueEnd);
  const [bodyTlv, signatureTlv] = kids;
  if (kids.length !== 2 || bodyTlv?.tag !== CV_TAG.body || signatureTlv?.tag !== CV_TAG.signature) throw bad(what, 'expected 5F4E then 5F37');
  const body = Buffer.from(bodyTlv.value);
  const signature = Buffer.from(signatureTlv.value);
  if (body.length !== CV_BODY_LENGTH) throw bad(what, `body is ${body.length} bytes, not ${CV_BODY_LENGTH}`);
  if (signature.length !== RSA_2048_BYTES) throw bad(what, `signature is ${signature.length} bytes, not ${RSA_2048_BYTES}`);
  const issuerKeyId = body.subarray(0, CV_KEY_ID_LENGTH);
  const subjectKeyId = body.subarray(CV_KEY_ID_LENGTH, 2 * CV_KEY_ID_LENGTH);
  checkKeyId(issuerKeyId, `${what} 証明者鍵ID`);
  checkKeyId(subjectKeyId, `${what} 被証明者鍵ID`);
  const { modulus, exponent, key } = parseCardRsaKey(body.subarray(2 * CV_KEY_ID_LENGTH), `${what} public key`);
  return { issuerKeyId, subjectKeyId, publicKey: key, modulus, exponent, body, signature };
}

/** A CA key the deployment trusts for CV certificates. */
export interface CvAnchor {
  keyId: Buffer;
  key: KeyObject;
  hierarchy: 'production' | 'test';
  /** Where it came from (built-in J-LIS key, configuration) — for the audit trail. */
  origin: string;
}

export type CvCertificateCheck =
  | { status: 'valid'; anchor: CvAnchor }
  /** The 証明者鍵ID names no trusted key: nothing could be checked, and the card is not proven. */
  | { status: 'unknown-ca'; issuer: string }
  /** A trusted key is named, and the signature does not verify under it. */
  | { status: 'invalid'; issuer: string };

/** Compares all 16 bytes of the 証明者鍵ID (so the two hierarchies never stand in for each other). */
export function verifyCvCertificate(cert: CvCertificate, anchors: readonly CvAnchor[]): CvCertificateCheck {
  const named = anchors.filter((a) => a.keyId.equals(cert.issuerKeyId));
  const issuer = keyIdLabel(cert.issuerKeyId);
  if (named.length === 0) return { status: 'unknown-ca', issuer };
  for (const anchor of named) {
    if (verifyPkcs1v15(anchor.key, sha256DigestInfo(cert.body), cert.signature)) return { status: 'valid', anchor };
  }
  return { status: 'invalid', issuer };
}

/**
 * DER DigestInfo { sha256, OCTET STRING digest } for any digest length: the 券面AP's DF28 signs one
 * DigestInfo holding three concatenated SHA-256 digests (96 bytes), the other records one digest.
 */
export function digestInfoSha256(digest: Buffer): Buffer {
  const algorithm = Buffer.from('300d06096086480165030402010500', 'hex');
  if (digest.length > 0x7f) throw new KioskError(ErrorCodes.INTERNAL, 'digest too long for a short-form DigestInfo');
  const octets = Buffer.concat([Buffer.from([0x04, digest.length]), digest]);
  const inner = Buffer.concat([algorithm, octets]);
  return Buffer.concat([Buffer.from([0x30, inner.length]), inner]);
}

export function sha256DigestInfo(data: Buffer): Buffer {
  return digestInfoSha256(sha256(data));
}

export const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

export type CvCertificateStatus = 'valid' | 'invalid' | 'unknown-ca' | 'malformed' | 'absent';

export interface CvCertificateOutcome {
  status: CvCertificateStatus;
  /** The certified key, only when status is 'valid'. */
  certifiedKey: KeyObject | null;
  /** 'production' / 'test' hierarchy of the anchor that verified it (only when valid). */
  hierarchy: CvAnchor['hierarchy'] | null;
  /** "5000033/001"-style label of the 証明者鍵ID (null when absent or malformed). */
  issuer: string | null;
  message: string | null;
}

/** EF 0004 as read from the card (null: the card did not give it) → what it proves. Never throws. */
export function checkCvCertificateEf(ef: Buffer | null, anchors: readonly CvAnchor[]): CvCertificateOutcome {
  const out: CvCertificateOutcome = { status: 'absent', certifiedKey: null, hierarchy: null, issuer: null, message: null };
  if (!ef) return { ...out, message: 'the card gave no CV certificate (EF 0004)' };
  let cert: CvCertificate;
  try {
    cert = parseCvCertificate(ef);
  } catch (e) {
    return { ...out, status: 'malformed', message: (e as Error).message };
  }
  const r = verifyCvCertificate(cert, anchors);
  if (r.status === 'valid')
    return { status: 'valid', certifiedKey: cert.publicKey, hierarchy: r.anchor.hierarchy, issuer: keyIdLabel(cert.issuerKeyId), message: null };
  const message =
    r.status === 'unknown-ca'
      ? `the CV certificate names CA key ${r.issuer}, which this kiosk does not trust`
      : `the CV certificate's signature does not verify under CA key ${r.issuer}`;
  return { ...out, status: r.status, issuer: r.issuer, message };
}

/** The CV-certificate part of a 券面 verdict (face and 4-info alike). */
export interface CvCertificateChecks {
  checks: { 'cv-certificate': CvCertificateStatus | 'not-checked'; 'cv-hierarchy': CvAnchor['hierarchy'] | 'not-checked' };
  reasons: Reason[];
}

/**
 * checkCvCertificateEf, recorded in a verdict: the `cv-certificate` and `cv-hierarchy` checks and, unless
 * the certificate is valid, a reason — CARD_FILE_NOT_FOUND when the card gave none, CARD_SIGNATURE_INVALID
 * otherwise. The outcome is returned for the certified key.
 */
export function recordCvCertificate(r: CvCertificateChecks, ef: Buffer | null, anchors: readonly CvAnchor[]): CvCertificateOutcome {
  const cv = checkCvCertificateEf(ef, anchors);
  r.checks['cv-certificate'] = cv.status;
  r.checks['cv-hierarchy'] = cv.hierarchy ?? 'not-checked';
  if (cv.status !== 'valid') {
    r.reasons.push({
      code: cv.status === 'absent' ? ErrorCodes.CARD_FILE_NOT_FOUND : ErrorCodes.CARD_SIGNATURE_INVALID,
      message: cv.message ?? 'CV certificate not valid',
    });
  }
  return cv;
}
