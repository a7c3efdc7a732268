// The PACE domain parameters the virtual chip offers (ICAO 9303-11 §9.5.1, standardized domain parameters):
// ECDH on secp256r1 (parameterId 12) and brainpoolP256r1 (13), with the point arithmetic of @noble/curves
// (MIT, constant-time scalar multiplication); DH in the RFC 5114 MODP subgroups (parameterIds 0, 1, 2 =
// RFC 5114 §2.1, §2.2, §2.3), whose p, g, q below were printed by OpenSSL (`openssl genpkey -genparam
// -algorithm DHX -pkeyopt dh_rfc5114:N | openssl asn1parse`). Generic mapping (9303-11 §4.4.3.3.1):
// G~ = s·G + H on a curve, g~ = g^s · h mod p in a group, H/h the mapping agreement value.
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { brainpoolP256r1 } from '@noble/curves/misc.js';

type EcPoint = ReturnType<typeof p256.Point.fromBytes>;
export type GroupElement = EcPoint | bigint;

export interface CardPaceGroup {
  order: bigint;
  /** Public-key tag inside the authentication token's 7F49 template: 86 (EC point) or 84 (DH value). */
  tokenTag: 0x86 | 0x84;
  generator: GroupElement;
  publicKey(k: bigint, generator: GroupElement): Buffer;
  /** The host's public value, validated (on the curve and not the identity / inside the subgroup). */
  decode(b: Buffer): GroupElement;
  agree(k: bigint, peer: GroupElement): GroupElement;
  map(s: bigint, h: GroupElement): GroupElement;
  /** Shared-secret octets: the x-coordinate (EC) or the value in |p| bytes (DH). */
  secret(e: GroupElement): Buffer;
}

const big = (b: Buffer | Uint8Array) => (b.length ? BigInt('0x' + Buffer.from(b).toString('hex')) : 0n);
const bytes = (v: bigint, size: number) => Buffer.from(v.toString(16).padStart(size * 2, '0'), 'hex');

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}

/** A uniformly random scalar in [1, n). */
export function randomScalar(n: bigint): bigint {
  const size = Math.ceil(n.toString(16).length / 2) + 8;
  for (;;) {
    const k = big(randomBytes(size)) % n;
    if (k > 0n) return k;
  }
}

function ecGroup(curve: typeof p256, size: number): CardPaceGroup {
  const P = curve.Point;
  const nonZero = (p: EcPoint) => {
    if (p.is0()) throw new RangeError('point at infinity');
    return p;
  };
  return {
    order: P.Fn.ORDER,
    tokenTag: 0x86,
    generator: P.BASE,
    publicKey: (k, g) => Buffer.from(nonZero((g as EcPoint).multiply(k)).toBytes(false)),
    decode: (b) => {
      const p = P.fromBytes(new Uint8Array(b)); // rejects points off the curve
      p.assertValidity();
      return nonZero(p);
    },
    agree: (k, p) => nonZero((p as EcPoint).multiply(k)),
    map: (s, h) => nonZero(P.BASE.multiply(s).add(h as EcPoint)),
    secret: (e) => bytes((e as EcPoint).toAffine().x, size),
  };
}

interface Modp {
  p: bigint;
  g: bigint;
  q: bigint;
}

const MODP: Readonly<Record<number, Modp>> = {
  0: {
    p: BigInt(
      '0x' +
        'B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C0' +
        '13ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0' +
        'A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371',
    ),
    g: BigInt(
      '0x' +
        'A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213' +
        '160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28A' +
        'D662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5',
    ),
    q: BigInt('0xF518AA8781A8DF278ABA4E7D64B7CB9D49462353'),
  },
  1: {
    p: BigInt(
      '0x' +
        'AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15' +
        'EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207' +
        'C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330' +
        '278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8' +
        'BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71' +
        'CF9DE5384E71B81C0AC4DFFE0C10E64F',
    ),
    g: BigInt(
      '0x' +
        'AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFA' +
        'AB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98A' +
        'E247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EF' +
        'BB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381' +
        'B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC0179' +
        '81BC087F2A7065B384B890D3191F2BFA',
    ),
    q: BigInt('0x801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB'),
  },
  2: {
    p: BigInt(
      '0x' +
        '87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA30' +
        '16C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B' +
        '6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0E' +
        'F13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026' +
        'C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F' +
        '693877FAD7EF09CADB094AE91E1A1597',
    ),
    g: BigInt(
      '0x' +
        '3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555' +
        'BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B' +
        '777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55' +
        'A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915' +
        'B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D4795451' +
        '5E2327CFEF98C582664B4C0F6CC41659',
    ),
    q: BigInt('0x8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3'),
  },
};

function dhGroup(m: Modp): CardPaceGroup {
  const size = Math.ceil(m.p.toString(16).length / 2);
  return {
    order: m.q,
    tokenTag: 0x84,
    generator: m.g,
    publicKey: (k, g) => bytes(modPow(g as bigint, k, m.p), size),
    decode: (b) => {
      const y = big(b);
      // 1 < y < p−1 and of order q: no small-subgroup confinement of the card's secret.
      if (b.length > size || y <= 1n || y >= m.p - 1n || modPow(y, m.q, m.p) !== 1n) throw new RangeError('DH value outside the subgroup');
      return y;
    },
    agree: (k, y) => modPow(y as bigint, k, m.p),
    map: (s, h) => (modPow(m.g, s, m.p) * (h as bigint)) % m.p,
    secret: (e) => bytes(e as bigint, size),
  };
}

/** The group of a standardized parameterId the virtual chip supports, or null. */
export function cardPaceGroup(agreement: 'ECDH' | 'DH', parameterId: number): CardPaceGroup | null {
  if (agreement === 'ECDH') {
    if (parameterId === 12) return ecGroup(p256, 32);
    if (parameterId === 13) return ecGroup(brainpoolP256r1 as unknown as typeof p256, 32);
    return null;
  }
  const m = MODP[parameterId];
  return m ? dhGroup(m) : null;
}
