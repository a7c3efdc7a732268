// Short-Weierstrass elliptic-curve arithmetic over prime fields, in BigInt: what PACE generic mapping
// needs beyond node:crypto (G~ = s·G + H needs point addition, and key agreement then runs on the
// non-standard generator G~). Not constant-time — acceptable for ephemeral, per-session values on a
// kiosk; every long-term key operation (signatures, CA) stays in node:crypto.
//
// Domain parameters are not typed in: they are read from OpenSSL itself (a key generated with explicit
// parameter encoding carries p, a, b, G, n, h in its SubjectPublicKeyInfo), so a typo cannot creep in.
// docs/reference/passport.md §11.2 cross-checks brainpoolP256r1.
import { generateKeyPairSync } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../errors.ts';
import { children, readTlv } from './tlv.ts';

export type Point = { x: bigint; y: bigint } | null; // null = point at infinity

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
}

export const bytesToBig = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt('0x' + b.toString('hex')));

export function bigToBytes(n: bigint, size: number): Buffer {
  const hex = n.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new RangeError('integer does not fit');
  return Buffer.from(hex, 'hex');
}

export const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

export function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, m);
}

export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = mod(base, m);
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
  const algo = children(children(readTlv(spki))[0]!);
  const params = children(algo[1]!); // version, fieldID, curve, base, order, cofactor
  const p = bytesToBig(children(params[1]!)[1]!.value);
  const ab = children(params[2]!);
  const base = params[3]!.value;
  const size = (base.length - 1) / 2;
  const curve: Curve = {
    name,
    p,
    a: bytesToBig(ab[0]!.value),
    b: bytesToBig(ab[1]!.value),
    g: { x: bytesToBig(base.subarray(1, 1 + size)), y: bytesToBig(base.subarray(1 + size)) },
    n: bytesToBig(params[4]!.value),
    h: params[5] ? bytesToBig(params[5].value) : 1n,
    size,
  };
  cache.set(name, curve);
  return curve;
}

export function onCurve(c: Curve, P: Point): boolean {
  if (!P) return false;
  if (P.x < 0n || P.x >= c.p || P.y < 0n || P.y >= c.p) return false;
  return mod(P.y * P.y - (P.x * P.x * P.x + c.a * P.x + c.b), c.p) === 0n;
}

export function add(c: Curve, P: Point, Q: Point): Point {
  if (!P) return Q;
  if (!Q) return P;
  const p = c.p;
  let l: bigint;
  if (P.x === Q.x) {
    if (mod(P.y + Q.y, p) === 0n) return null;
    l = mod((3n * P.x * P.x + c.a) * modInv(2n * P.y, p), p);
  } else {
    l = mod((Q.y - P.y) * modInv(Q.x - P.x, p), p);
  }
  const x = mod(l * l - P.x - Q.x, p);
  return { x, y: mod(l * (P.x - x) - P.y, p) };
}

// Jacobian coordinates for the ladder: one inversion per multiplication instead of one per step.
type Jac = { X: bigint; Y: bigint; Z: bigint };

function jDouble(c: Curve, P: Jac): Jac {
  const p = c.p;
  if (P.Z === 0n || P.Y === 0n) return { X: 1n, Y: 1n, Z: 0n };
  const YY = (P.Y * P.Y) % p;
  const S = (4n * P.X * YY) % p;
  const ZZ = (P.Z * P.Z) % p;
  const M = mod(3n * P.X * P.X + c.a * ZZ * ZZ, p);
  const X = mod(M * M - 2n * S, p);
  return { X, Y: mod(M * (S - X) - 8n * YY * YY, p), Z: (2n * P.Y * P.Z) % p };
}

function jAdd(c: Curve, P: Jac, Q: Jac): Jac {
  const p = c.p;
  if (P.Z === 0n) return Q;
  if (Q.Z === 0n) return P;
  const Z1Z1 = (P.Z * P.Z) % p;
  const Z2Z2 = (Q.Z * Q.Z) % p;
  const U1 = (P.X * Z2Z2) % p;
  const U2 = (Q.X * Z1Z1) % p;
  const S1 = (P.Y * Q.Z * Z2Z2) % p;
  const S2 = (Q.Y * P.Z * Z1Z1) % p;
  if (U1 === U2) return S1 === S2 ? jDouble(c, P) : { X: 1n, Y: 1n, Z: 0n };
  const H = mod(U2 - U1, p);
  const R = mod(S2 - S1, p);
  const HH = (H * H) % p;
  const HHH = (H * HH) % p;
  const V = (U1 * HH) % p;
  const X = mod(R * R - HHH - 2n * V, p);
  return { X, Y: mod(R * (V - X) - S1 * HHH, p), Z: (P.Z * Q.Z * H) % p };
}

export function mul(c: Curve, k: bigint, P: Point): Point {
  if (!P) return null;
  const e = mod(k, c.n);
  if (e === 0n) return null;
  let R: Jac = { X: 1n, Y: 1n, Z: 0n };
  const B: Jac = { X: P.x, Y: P.y, Z: 1n };
  for (let i = e.toString(2).length - 1; i >= 0; i--) {
    R = jDouble(c, R);
    if ((e >> BigInt(i)) & 1n) R = jAdd(c, R, B);
  }
  if (R.Z === 0n) return null;
  const zi = modInv(R.Z, c.p);
  const zi2 = (zi * zi) % c.p;
  return { x: (R.X * zi2) % c.p, y: (R.Y * zi2 * zi) % c.p };
}

/** Uncompressed encoding 04 ‖ x ‖ y. */
export function encodePoint(c: Curve, P: Point): Buffer {
  if (!P) throw new RangeError('cannot encode the point at infinity');
  return Buffer.concat([Buffer.from([0x04]), bigToBytes(P.x, c.size), bigToBytes(P.y, c.size)]);
}

/** Decode an uncompressed point and check it lies on the curve (an invalid-curve point is refused). */
export function decodePoint(c: Curve, b: Buffer): { x: bigint; y: bigint } {
  if (b.length !== 1 + 2 * c.size || b[0] !== 0x04) {
    throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'EC point is not an uncompressed point of the domain');
  }
  const P = { x: bytesToBig(b.subarray(1, 1 + c.size)), y: bytesToBig(b.subarray(1 + c.size)) };
  if (!onCurve(c, P)) throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'EC point is not on the curve');
  return P;
}

/** The public point (04 ‖ x ‖ y) of an EC SubjectPublicKeyInfo (JWK export cannot do brainpool). */
export function ecPointFromSpki(spki: Buffer): Buffer {
  const bits = children(readTlv(spki))[1];
  if (!bits || bits.tag !== 0x03 || bits.value[0] !== 0) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'EC key without a public point');
  return Buffer.from(bits.value.subarray(1));
}

/** The private scalar of an EC key in PKCS#8 DER (sim side; test keys only). */
export function ecPrivateScalar(pkcs8: Buffer): Buffer {
  const inner = children(readTlv(pkcs8))[2]!; // OCTET STRING holding ECPrivateKey
  return Buffer.from(children(readTlv(inner.value))[1]!.value);
}
