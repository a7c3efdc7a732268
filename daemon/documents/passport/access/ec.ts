// Elliptic-curve arithmetic for the passport (PACE generic mapping, PACE and chip-authentication key
// agreement) on @noble/curves: a maintained library whose secret-scalar multiplication is constant-time
// (fixed windows, scalar blinding). PACE generic mapping needs what node:crypto cannot give — G~ = s·G + H
// (a point addition) and key agreement on the non-standard generator G~ — so every passport EC operation
// goes through noble, one way for all of them. Signatures (SOD, AA) stay in node:crypto.
//
// Domain parameters are not typed in: they are read from OpenSSL itself (a key generated with explicit
// parameter encoding carries p, a, b, G, n, h in its SubjectPublicKeyInfo) and handed to noble's generic
// short-Weierstrass constructor, so a typo cannot creep in and every standardized PACE curve (9303-11
// §9.5.1, brainpool included) works alike. docs/reference/passport.md §11.2 cross-checks brainpoolP256r1;
// test/unit/passport/ec-curves.test.ts checks each curve against OpenSSL's own k·G.
import { at } from '../../../../core/checked.ts';
import { generateKeyPairSync } from 'node:crypto';
import { weierstrass, type WeierstrassPoint, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { children, readTlv } from '../../../encoding/ber-tlv.ts';

export type EcPoint = WeierstrassPoint<bigint>;

export interface Curve {
  name: string;
  p: bigint;
  a: bigint;
  b: bigint;
  g: { x: bigint; y: bigint };
  n: bigint;
  h: bigint;
  /** Field element size in bytes. */
  size: number;
  /** noble's point class for this curve (constant-time `multiply`, validated `fromBytes`). */
  Point: WeierstrassPointCons<bigint>;
}

export const bytesToBig = (b: Buffer | Uint8Array): bigint =>
  b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex'));

export function bigToBytes(n: bigint, size: number): Buffer {
  const hex = n.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new RangeError('integer does not fit');
  return Buffer.from(hex, 'hex');
}

/** Modular exponentiation (DH groups of PACE, RSA of active authentication: public or per-session values). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = ((base % m) + m) % m;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

const cache = new Map<string, Curve>();

/** Domain parameters of a named prime curve known to OpenSSL (e.g. 'brainpoolP256r1', 'prime256v1'). */
export function curveByName(name: string): Curve {
  const hit = cache.get(name);
  if (hit) return hit;
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: name, paramEncoding: 'explicit' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const algo = children(at(children(readTlv(spki)), 0));
  const params = children(at(algo, 1)); // version, fieldID, curve, base, order, cofactor
  const p = bytesToBig(at(children(at(params, 1)), 1).value);
  const ab = children(at(params, 2));
  const base = at(params, 3).value;
  const size = (base.length - 1) / 2;
  const g = { x: bytesToBig(base.subarray(1, 1 + size)), y: bytesToBig(base.subarray(1 + size)) };
  const a = bytesToBig(at(ab, 0).value);
  const b = bytesToBig(at(ab, 1).value);
  const n = bytesToBig(at(params, 4).value);
  const h = params[5] ? bytesToBig(params[5].value) : 1n;
  const Point = weierstrass({ p, n, h, a, b, Gx: g.x, Gy: g.y });
  const curve: Curve = { name, p, a, b, g, n, h, size, Point };
  cache.set(name, curve);
  return curve;
}

/** Uncompressed encoding 04 ‖ x ‖ y. */
export function encodePoint(P: EcPoint): Buffer {
  if (P.is0()) throw new RangeError('cannot encode the point at infinity');
  return Buffer.from(P.toBytes(false));
}

/** Decode an uncompressed point and check it lies on the curve (an invalid-curve point is refused). */
export function decodeEcPoint(c: Curve, b: Buffer): EcPoint {
  if (b.length !== 1 + 2 * c.size || b[0] !== 0x04) {
    throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'EC point is not an uncompressed point of the domain');
  }
  let P: EcPoint;
  try {
    P = c.Point.fromBytes(new Uint8Array(b)); // checks x, y < p and the curve equation
    P.assertValidity();
  } catch {
    throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'EC point is not on the curve');
  }
  if (P.is0()) throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'EC point is the point at infinity');
  return P;
}

/** The public point (04 ‖ x ‖ y) of an EC SubjectPublicKeyInfo (JWK export cannot do brainpool). */
export function ecPointFromSpki(spki: Buffer): Buffer {
  const bits = children(readTlv(spki))[1];
  if (bits?.tag !== 0x03 || bits.value[0] !== 0) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'EC key without a public point');
  return Buffer.from(bits.value.subarray(1));
}
