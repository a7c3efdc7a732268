// The two PACE group families behind one interface (9303-11 §4.4.3.3): ECDH on a standard curve and DH
// in a standard MODP subgroup. Generic mapping: G~ = s·G + H (EC) or g~ = g^s · h mod p (DH), with H/h
// the Diffie–Hellman value of the mapping keys. Curve arithmetic is @noble/curves' (ec.ts): every
// multiplication by a secret scalar (the ephemeral keys, the nonce s) is its constant-time `multiply`.
import { randomBytes } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { bigToBytes, bytesToBig, curveByName, decodeEcPoint, encodePoint, modPow, type EcPoint } from './ec.ts';
import { modpGroup } from './modp-groups.ts';
import { PACE_CURVES } from '../datagroups/security-infos.ts';

type Element = EcPoint | bigint;

export interface PaceGroup {
  kind: 'ECDH' | 'DH';
  name: string;
  order: bigint;
  /** Public-key tag inside the authentication token's 7F49 template: 86 (EC point) or 84 (DH value). */
  tokenTag: 0x86 | 0x84;
  generator: Element;
  /** k·G (EC) or G^k (DH), encoded. */
  publicKey(k: bigint, generator: Element): Buffer;
  /** Decode and validate the other side's public value (on the curve / in the subgroup). */
  decode(b: Buffer): Element;
  /** k·P (EC) or P^k (DH). */
  agree(k: bigint, peer: Element): Element;
  /** Generic mapping of the nonce s with the mapping agreement value h. */
  map(s: bigint, h: Element): Element;
  /** The shared secret's octet string (EC: x-coordinate; DH: the value, |p| bytes). */
  secret(e: Element): Buffer;
}

export function randomBelow(n: bigint): bigint {
  const size = Math.ceil(n.toString(16).length / 2) + 8;
  for (;;) {
    const k = bytesToBig(randomBytes(size)) % n;
    if (k > 0n) return k;
  }
}

function ecGroup(name: string): PaceGroup {
  const c = curveByName(name);
  const atInfinity = (what: string) => new KioskError(ErrorCodes.CARD_AUTH_FAILED, `PACE: ${what} gave the point at infinity`);
  const times = (k: bigint, P: EcPoint, what: string): EcPoint => {
    // The scalars are randomBelow's (in [1, n)) and the chip's nonce s (one or two cipher blocks, shorter than n).
    if (k <= 0n || k >= c.n) throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, `PACE: ${what} scalar outside [1, n)`);
    const r = P.multiply(k);
    if (r.is0()) throw atInfinity(what);
    return r;
  };
  return {
    kind: 'ECDH',
    name,
    order: c.n,
    tokenTag: 0x86,
    generator: c.Point.BASE,
    publicKey: (k, g) => encodePoint(times(k, g as EcPoint, 'the public key')),
    decode: (b) => decodeEcPoint(c, b),
    agree: (k, p) => times(k, p as EcPoint, 'agreement'),
    map: (s, h) => {
      const g = times(s, c.Point.BASE, 'mapping').add(h as EcPoint);
      if (g.is0()) throw atInfinity('mapping');
      return g;
    },
    secret: (e) => bigToBytes((e as EcPoint).toAffine().x, c.size),
  };
}

function dhGroup(m: NonNullable<ReturnType<typeof modpGroup>>, parameterId: number): PaceGroup {
  return {
    kind: 'DH',
    name: `MODP-${parameterId}`,
    order: m.q,
    tokenTag: 0x84,
    generator: m.g,
    publicKey: (k, g) => bigToBytes(modPow(g as bigint, k, m.p), m.size),
    decode: (b) => {
      const y = bytesToBig(b);
      // 1 < y < p−1 and y in the order-q subgroup (no small-subgroup confinement).
      if (b.length > m.size || y <= 1n || y >= m.p - 1n || modPow(y, m.q, m.p) !== 1n) {
        throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'PACE: DH public value outside the subgroup');
      }
      return y;
    },
    agree: (k, y) => modPow(y as bigint, k, m.p),
    map: (s, h) => (modPow(m.g, s, m.p) * (h as bigint)) % m.p,
    secret: (e) => bigToBytes(e as bigint, m.size),
  };
}

/** The group of a PACEInfo's standard parameterId, or null when unsupported. */
export function paceGroup(agreement: 'DH' | 'ECDH', parameterId: number | null): PaceGroup | null {
  if (parameterId === null) return null;
  if (agreement === 'ECDH') {
    const curve = PACE_CURVES[parameterId];
    return curve ? ecGroup(curve) : null;
  }
  const modp = modpGroup(parameterId);
  return modp ? dhGroup(modp, parameterId) : null;
}
