// Active authentication (DG15, ICAO 9303-11 §6.1) and chip authentication (DG14, §6.2), host side.
// AA: INTERNAL AUTHENTICATE over a fresh 8-byte RND.IFD; RSA answers are ISO/IEC 9796-2 scheme 1
// (partial message recovery, trailer BC = SHA-1 or xx CC naming the hash), ECDSA answers plain r‖s or
// DER. CA: ECDH between a fresh ephemeral key and the chip's static DG14 key, v1 (3DES, MSE:Set KAT) or
// v2 (AES, MSE:Set AT + GENERAL AUTHENTICATE); SM restarts with the new keys and SSC 0, and success is
// declared only once the next response MAC verifies under them (CA is implicit). The key agreement runs
// on @noble/curves (ec.ts), like PACE's.
import { at, defined } from '../../../../core/checked.ts';
import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { ErrorCodes, isKioskError } from '../../../../core/errors.ts';
import { bigToBytes, bytesToBig, curveByName, ecPointFromSpki, encodePoint, modPow } from './ec.ts';
import { randomBelow } from './pace-groups.ts';
import { kdf, SecureMessaging, type SecureChannel, type SmCipher } from './secure-messaging.ts';
import type { SecurityInfos } from '../datagroups/security-infos.ts';
import { encodeOidValue, tlv } from '../../../encoding/ber-tlv.ts';
import { verifyEcdsaAnyEncoding } from '../../../../core/crypto/ecdsa.ts';

export interface AaResult {
  status: 'verified' | 'failed';
  algorithm: string | null;
  /** RND.IFD, kept as evidence. */
  challenge: string;
  reason?: string;
}

const TRAILER_HASH: Record<number, string> = { 0x33: 'sha1', 0x34: 'sha256', 0x35: 'sha512', 0x36: 'sha384', 0x38: 'sha224' };
const HASH_LEN: Record<string, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };
const AA_ECDSA_HASH: Record<string, string> = {
  '0.4.0.127.0.7.1.1.4.1.1': 'sha1',
  '0.4.0.127.0.7.1.1.4.1.2': 'sha224',
  '0.4.0.127.0.7.1.1.4.1.3': 'sha256',
  '0.4.0.127.0.7.1.1.4.1.4': 'sha384',
  '0.4.0.127.0.7.1.1.4.1.5': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** Check an ISO 9796-2 scheme 1 RSA answer; returns the hash name or null. Exported for tests. */
export function verifyIso9796(n: bigint, e: bigint, sig: Buffer, challenge: Buffer): string | null {
  const k = Math.ceil(n.toString(16).length / 2);
  const s = bytesToBig(sig);
  if (s >= n) return null;
  const f1 = modPow(s, e, n);
  for (const f of [f1, n - f1]) {
    const F = bigToBytes(f, k);
    let i = 0;
    while (i < F.length && F[i] === 0) i++;
    const m = F.subarray(i);
    if (m.length < 24 || m[0] !== 0x6a) continue;
    let hash: string | undefined;
    let t: number;
    if (m[m.length - 1] === 0xbc) {
      hash = 'sha1';
      t = 1;
    } else if (m[m.length - 1] === 0xcc) {
      hash = TRAILER_HASH[at(m, m.length - 2)];
      t = 2;
    } else continue;
    const hl = hash ? HASH_LEN[hash] : undefined;
    if (!hash || hl === undefined) continue;
    const m1 = m.subarray(1, m.length - hl - t);
    const d = m.subarray(m.length - hl - t, m.length - t);
    if (createHash(hash).update(m1).update(challenge).digest().equals(d)) return hash;
  }
  return null;
}

export async function activeAuthentication(channel: SecureChannel, dg15Spki: Buffer, aaAlgorithm: string | null, rnd = randomBytes(8)): Promise<AaResult> {
  const challenge = rnd.toString('hex').toUpperCase();
  let key: KeyObject;
  try {
    key = createPublicKey({ key: dg15Spki, format: 'der', type: 'spki' });
  } catch {
    // A DG15 key node cannot import proves nothing: AA failed, never an exception (fail closed).
    return { status: 'failed', algorithm: null, challenge, reason: 'the DG15 public key cannot be imported' };
  }
  const rsa = key.asymmetricKeyType === 'rsa';
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const res = await channel.send({ cla: 0x00, ins: 0x88, p1: 0, p2: 0, data: rnd, le: rsa && bits > 1024 ? 65536 : 256 });
  if (res.sw !== 0x9000 || res.data.length === 0) {
    return { status: 'failed', algorithm: null, challenge, reason: `INTERNAL AUTHENTICATE answered ${res.sw.toString(16).toUpperCase()}` };
  }
  if (rsa) {
    const jwk = key.export({ format: 'jwk' });
    const n = bytesToBig(Buffer.from(defined(jwk.n, ErrorCodes.INTERNAL, 'RSA JWK n'), 'base64url'));
    const e = bytesToBig(Buffer.from(defined(jwk.e, ErrorCodes.INTERNAL, 'RSA JWK e'), 'base64url'));
    const hash = verifyIso9796(n, e, res.data, rnd);
    return hash
      ? { status: 'verified', algorithm: `RSA-ISO9796-2-${hash}`, challenge }
      : { status: 'failed', algorithm: 'RSA-ISO9796-2', challenge, reason: 'signature does not verify' };
  }
  const named = aaAlgorithm ? AA_ECDSA_HASH[aaAlgorithm] : undefined;
  const hashes = named ? [named] : ['sha256', 'sha1', 'sha384', 'sha512', 'sha224'];
  for (const hash of hashes) {
    try {
      if (verifyEcdsaAnyEncoding(hash, rnd, key, res.data)) return { status: 'verified', algorithm: `ECDSA-${hash}`, challenge };
    } catch {
      /* try the next hash */
    }
  }
  return { status: 'failed', algorithm: 'ECDSA', challenge, reason: 'signature does not verify' };
}

export interface CaResult {
  status: 'verified' | 'failed' | 'unsupported';
  protocol: string | null;
  reason?: string;
}

/** Run CA with the first usable DG14 key; on success `channel.sm` is the new session. */
export async function chipAuthentication(channel: SecureChannel, infos: SecurityInfos, confirmFid = 0x011e): Promise<CaResult> {
  const keyInfo = infos.chipAuthKeys.find((k) => k.oid === '0.4.0.127.0.7.2.2.1.2');
  if (!keyInfo)
    return {
      status: 'unsupported',
      protocol: null,
      reason: infos.chipAuthKeys.length ? 'only DH chip-authentication keys (not supported)' : 'no chip-authentication key',
    };
  const info = infos.chipAuth.find((c) => c.agreement === 'ECDH' && (keyInfo.keyId === null || c.keyId === null || c.keyId === keyInfo.keyId));
  // DG14 without ChipAuthenticationInfo: CA v1 with 3DES is implied (9303-11 §6.2).
  const cipher: SmCipher = info?.cipher ?? '3DES';
  const protocol = info?.oid ?? '0.4.0.127.0.7.2.2.3.2.1';
  let curve: string | undefined;
  let ephemeral: Buffer;
  let k: Buffer;
  try {
    curve = createPublicKey({ key: keyInfo.spki, format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve;
    if (!curve) return { status: 'unsupported', protocol, reason: 'CA key with explicit domain parameters' };
    const c = curveByName(curve);
    const chipKey = c.Point.fromBytes(new Uint8Array(ecPointFromSpki(keyInfo.spki))); // on the curve, or throws
    chipKey.assertValidity();
    const sk = randomBelow(c.n);
    ephemeral = encodePoint(c.Point.BASE.multiply(sk));
    const shared = chipKey.multiply(sk);
    if (shared.is0()) throw new RangeError('point at infinity');
    k = bigToBytes(shared.toAffine().x, c.size);
  } catch {
    // A DG14 key that cannot be imported or is not on its curve: the chip cannot be authenticated.
    return { status: 'failed', protocol, reason: 'the DG14 chip-authentication key is unusable' };
  }
  const keyRef = keyInfo.keyId !== null ? [tlv(0x84, Buffer.from([keyInfo.keyId]))] : [];
  try {
    if (cipher === '3DES') {
      const r = await channel.send({ cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa6, data: Buffer.concat([tlv(0x91, ephemeral), ...keyRef]) });
      if (r.sw !== 0x9000) return { status: 'failed', protocol, reason: `MSE:Set KAT answered ${r.sw.toString(16).toUpperCase()}` };
    } else {
      const r1 = await channel.send({ cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa4, data: Buffer.concat([tlv(0x80, encodeOidValue(protocol)), ...keyRef]) });
      if (r1.sw !== 0x9000) return { status: 'failed', protocol, reason: `MSE:Set AT answered ${r1.sw.toString(16).toUpperCase()}` };
      const r2 = await channel.send({ cla: 0x00, ins: 0x86, p1: 0, p2: 0, data: tlv(0x7c, tlv(0x80, ephemeral)), le: 256 });
      if (r2.sw !== 0x9000) return { status: 'failed', protocol, reason: `GENERAL AUTHENTICATE answered ${r2.sw.toString(16).toUpperCase()}` };
    }
    channel.sm = new SecureMessaging({ cipher, kEnc: kdf(k, 1, cipher), kMac: kdf(k, 2, cipher) });
    k.fill(0);
    // Implicit authentication: only a chip holding the DG14 private key can MAC this answer.
    const confirm = await channel.send({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([confirmFid >> 8, confirmFid & 0xff]) });
    if (confirm.sw !== 0x9000) return { status: 'failed', protocol, reason: `confirmation SELECT answered ${confirm.sw.toString(16).toUpperCase()}` };
    return { status: 'verified', protocol };
  } catch (e) {
    if (isKioskError(e, ErrorCodes.CARD_SM_FAILED))
      return { status: 'failed', protocol, reason: 'the first response under the chip-authentication keys does not verify' };
    throw e;
  }
}
