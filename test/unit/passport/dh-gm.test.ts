// PACE DH generic mapping (standard parameterIds 0–2, RFC 5114 groups) host ↔ virtual chip, and the
// domain parameters themselves.
import { describe, expect, it } from 'vitest';
import { modPow } from '../../../daemon/documents/passport/access/ec.ts';
import { modpGroup } from '../../../daemon/documents/passport/access/modp-groups.ts';
import { paceGroup } from '../../../daemon/documents/passport/access/pace-groups.ts';
import { readPassport } from '../../../daemon/documents/passport/passport-read.ts';
import { accessKey, card, session } from './helpers.ts';

function probablePrime(n: bigint): boolean {
  let d = n - 1n;
  let r = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    r++;
  }
  for (const a of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n]) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let i = 1; i < r; i++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

describe('MODP groups (RFC 5114 via OpenSSL)', () => {
  it.each([
    [0, 1024, 160],
    [1, 2048, 224],
    [2, 2048, 256],
  ])('parameterId %d: %d-bit p, %d-bit prime q dividing p−1, g of order q', (id, pBits, qBits) => {
    const g = modpGroup(id)!;
    expect(g.p.toString(2).length).toBe(pBits);
    expect(g.q.toString(2).length).toBe(qBits);
    expect(probablePrime(g.p) && probablePrime(g.q)).toBe(true);
    expect((g.p - 1n) % g.q).toBe(0n);
    expect(modPow(g.g, g.q, g.p)).toBe(1n);
    expect(g.g).not.toBe(1n);
  });

  it('refuses public values outside the subgroup', () => {
    const grp = paceGroup('DH', 0)!;
    const m = modpGroup(0)!;
    expect(() => grp.decode(Buffer.from([1]))).toThrow();
    expect(() => grp.decode(Buffer.from((m.p - 1n).toString(16), 'hex'))).toThrow(); // order 2
    expect(grp.decode(grp.publicKey(12345n, grp.generator))).toBe(modPow(m.g, 12345n, m.p));
  });
});

describe('PACE DH-GM against the virtual chip', () => {
  it.each([
    [0, 'AES-128'],
    [2, '3DES'],
  ] as const)('parameterId %d with %s', async (id, cipher) => {
    const c = card({ pace: { cipher, dhParameterId: id }, ca: false, aa: false });
    const { session: s } = session(c);
    const ev = await readPassport(s, { accessKey: accessKey(), readFace: false });
    expect(ev.access).toBe('PACE');
    expect(ev.paceProtocol).toBe(`0.4.0.127.0.7.2.2.4.1.${cipher === '3DES' ? 1 : 2}`);
    expect(ev.smCipher).toBe(cipher);
    expect(c.stats.pace).toBe(1);
  });

  it('a wrong password fails the token check (chip answers 6300) and BAC then refuses too', async () => {
    const c = card({ pace: { cipher: 'AES-128', dhParameterId: 0 }, ca: false, aa: false });
    const { session: s } = session(c);
    await expect(
      readPassport(s, { accessKey: accessKey({ documentNumber: 'TZ1234560', dateOfBirth: '900115', dateOfExpiry: '341231' }) }),
    ).rejects.toMatchObject({ code: 'PASSPORT_ACCESS_DENIED' });
    expect(c.log.entries.some((e) => e.ins === 0x86 && e.sw === 0x6300)).toBe(true);
  });
});
