// The compact signed token in the receipt's QR code: a clerk scans it and checks, with the kiosk's
// public key, that this kiosk issued this verdict at this time under this reference number. It carries
// no personal data at all (no name, no number, no date of birth).
//
// Wire form:  "IDK1:" + base32(payload ‖ signature)     (base32 A–Z2–7 fits QR alphanumeric mode)
// payload v1: 01 | issuedAt u32 BE (unix s) | verdict u8 (0 ok, 1 refused, 2 error, 3 chip-read) | keyId 4 bytes |
//             len u8 + kioskId | len u8 + reference | len u8 + documentType | len u8 + method   (ASCII)
// signature:  ES256 (P-256, SHA-256), IEEE P1363 r‖s, 64 bytes — whatever the injected signer returns
//             must be in that form (the device key may live in a TPM or secure element).
import { createHash, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';

export const TOKEN_PREFIX = 'IDK1:';
/** 'chip-read': read from the chip, data not proven (accepted by the session's policy); never 'ok'. Appended, so v1 codes 0–2 keep their meaning. */
export type Verdict = 'ok' | 'refused' | 'error' | 'chip-read';
const VERDICTS: Verdict[] = ['ok', 'refused', 'error', 'chip-read'];

export interface TokenFields {
  issuedAt: Date;
  verdict: Verdict;
  kioskId: string;
  reference: string;
  documentType: string;
  method: string;
}

/** Signs the payload with the device key; returns a 64-byte IEEE P1363 ES256 signature. */
export type Signer = (payload: Buffer) => Buffer | Promise<Buffer>;

export function es256Signer(privateKey: KeyObject): Signer {
  return (payload) => nodeSign('sha256', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

/** First 4 bytes of SHA-256 over the SPKI DER: lets a verifier pick the right kiosk key. */
export function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest()
    .subarray(0, 4);
}

function str(s: string, max: number, what: string): Buffer {
  if (!/^[\x20-\x7e]*$/.test(s) || s.length > max) throw new RangeError(`${what}: printable ASCII up to ${max} characters`);
  return Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'ascii')]);
}

export function encodePayload(f: TokenFields, kid: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head[0] = 1;
  head.writeUInt32BE(Math.floor(f.issuedAt.getTime() / 1000), 1);
  head[5] = VERDICTS.indexOf(f.verdict);
  if (head[5] === 0xff) throw new RangeError('verdict');
  kid.copy(head, 6, 0, 4);
  return Buffer.concat([
    head,
    str(f.kioskId, 32, 'kioskId'),
    str(f.reference, 32, 'reference'),
    str(f.documentType, 24, 'documentType'),
    str(f.method, 32, 'method'),
  ]);
}

/** Parses a payload; returns the fields and where the signature starts. */
export function decodePayload(buf: Buffer): { fields: TokenFields; keyId: Buffer; length: number } {
  if (buf.length < 14 || buf[0] !== 1) throw new Error('unknown token version');
  const verdict = VERDICTS[buf.readUInt8(5)];
  if (!verdict) throw new Error('bad verdict');
  let off = 10;
  const next = () => {
    const n = buf[off];
    if (n === undefined || off + 1 + n > buf.length) throw new Error('truncated token');
    const s = buf.subarray(off + 1, off + 1 + n).toString('ascii');
    off += 1 + n;
    return s;
  };
  const kioskId = next();
  const reference = next();
  const documentType = next();
  const method = next();
  return {
    fields: { issuedAt: new Date(buf.readUInt32BE(1) * 1000), verdict, kioskId, reference, documentType, method },
    keyId: Buffer.from(buf.subarray(6, 10)),
    length: off,
  };
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export function base32(buf: Buffer): string {
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const byte of buf) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}
export function unbase32(s: string): Buffer {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of s) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new Error('bad base32');
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

export async function createReceiptToken(f: TokenFields, signer: Signer, publicKey: KeyObject): Promise<string> {
  const payload = encodePayload(f, keyId(publicKey));
  const sig = await signer(payload);
  if (sig.length !== 64) throw new RangeError('signer must return a 64-byte P1363 ES256 signature');
  return TOKEN_PREFIX + base32(Buffer.concat([payload, sig]));
}

export type TokenCheck = { valid: true; fields: TokenFields } | { valid: false; reason: string };

/** Verifies a scanned token with the kiosk's public key (KeyObject, PEM or SPKI DER). */
export function verifyReceiptToken(token: string, publicKey: KeyObject | string | Buffer): TokenCheck {
  try {
    const key =
      typeof publicKey === 'object' && 'asymmetricKeyType' in publicKey
        ? publicKey
        : createPublicKey(Buffer.isBuffer(publicKey) ? { key: publicKey, format: 'der', type: 'spki' } : publicKey);
    if (!token.startsWith(TOKEN_PREFIX)) return { valid: false, reason: 'prefix' };
    const raw = unbase32(token.slice(TOKEN_PREFIX.length));
    const { fields, keyId: kid, length } = decodePayload(raw);
    if (!kid.equals(keyId(key))) return { valid: false, reason: 'key-id' };
    const sig = raw.subarray(length);
    if (sig.length !== 64) return { valid: false, reason: 'signature-length' };
    const ok = nodeVerify('sha256', raw.subarray(0, length), { key, dsaEncoding: 'ieee-p1363' }, sig);
    return ok ? { valid: true, fields } : { valid: false, reason: 'signature' };
  } catch (e) {
    return { valid: false, reason: e instanceof Error ? e.message : 'malformed' };
  }
}
