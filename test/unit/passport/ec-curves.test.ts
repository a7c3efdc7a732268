// Every standardized PACE curve (9303-11 §9.5.1) on @noble/curves agrees with OpenSSL: the public point
// k·G and the ECDH x-coordinate, for a random k. OpenSSL is the independent implementation; the domain
// parameters come from it too, so this checks that they reach noble intact.
import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bigToBytes, bytesToBig, curveByName, decodeEcPoint, encodePoint } from '../../../daemon/documents/passport/access/ec.ts';
import { PACE_CURVES } from '../../../daemon/documents/passport/datagroups/security-infos.ts';

describe('passport EC curves on noble agree with OpenSSL', () => {
  it.each(Object.entries(PACE_CURVES))('parameterId %s (%s)', (_id, name) => {
    const c = curveByName(name);
    const host = createECDH(name);
    host.generateKeys();
    const chip = createECDH(name);
    chip.generateKeys();
    const k = bytesToBig(host.getPrivateKey());
    expect(encodePoint(c.Point.BASE.multiply(k)).toString('hex')).toBe(host.getPublicKey('hex'));
    const shared = decodeEcPoint(c, chip.getPublicKey()).multiply(k).toAffine().x;
    expect(bigToBytes(shared, c.size).toString('hex')).toBe(host.computeSecret(chip.getPublicKey()).toString('hex'));
  });

  it('refuses a point off the curve and a compressed point', () => {
    const c = curveByName('brainpoolP256r1');
    const good = encodePoint(c.Point.BASE.multiply(7n));
    const bad = Buffer.from(good);
    bad[bad.length - 1]! ^= 1;
    expect(() => decodeEcPoint(c, bad)).toThrow(/not on the curve/);
    expect(() => decodeEcPoint(c, Buffer.from(c.Point.BASE.toBytes(true)))).toThrow(/uncompressed/);
  });
});
