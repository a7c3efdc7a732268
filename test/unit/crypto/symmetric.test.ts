// Shared symmetric crypto (core/crypto): RFC 4493 AES-CMAC vectors, the ICAO 9303-11 Appendix D BAC
// worked example for 2-key 3DES-CBC + retail MAC, padding laws (fast-check), and the single-DES-as-EDE3
// identity the retail MAC relies on.
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aesCbcDecrypt,
  aesCbcEncrypt,
  aesCmac,
  cmacSubkeys,
  desCbcEncrypt,
  desEcbDecrypt,
  desEcbEncrypt,
  padIso9797M2,
  retailMac,
  tdesCbcDecrypt,
  tdesCbcEncrypt,
  tdesEcbEncrypt,
  unpadIso9797M2,
  xor,
} from '../../../core/crypto/index.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const hex = (b: Buffer) => b.toString('hex').toUpperCase();

describe('AES-CMAC (RFC 4493, docs/reference/vectors.md §1)', () => {
  const key = h('2B7E151628AED2A6ABF7158809CF4F3C');
  const M = h('6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710');
  it('derives the RFC subkeys', () => {
    const { k1, k2 } = cmacSubkeys(key);
    expect(hex(k1)).toBe('FBEED618357133667C85E08F7236A8DE');
    expect(hex(k2)).toBe('F7DDAC306AE266CCF90BC11EE46D513B');
  });
  it.each([
    [0, 'BB1D6929E95937287FA37D129B756746'],
    [16, '070A16B46B4D4144F79BDD9DD04A287C'],
    [40, 'DFA66747DE9AE63030CA32611497C827'],
    [64, '51F0BEBF7E3B9D92FC49741779363CFE'],
  ])('len %i', (n, mac) => {
    expect(hex(aesCmac(key, M.subarray(0, n)))).toBe(mac);
    expect(hex(aesCmac(key, M.subarray(0, n), 8))).toBe(mac.slice(0, 16));
  });
  it('any single-bit change of the message changes the MAC', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.nat(), (m, pos) => {
        const msg = Buffer.from(m);
        const flipped = Buffer.from(msg);
        flipped[pos % msg.length]! ^= 1 << (pos % 8);
        expect(aesCmac(key, msg).equals(aesCmac(key, flipped))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('2-key 3DES-CBC and the retail MAC (ICAO Doc 9303-11 Appendix D, BAC worked example)', () => {
  const kEnc = h('AB94FDECF2674FDFB9B391F85D7F76F2');
  const kMac = h('7962D9ECE03D1ACD4C76089DCE131543');
  const S = h('781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B');
  it('E.IFD = 3DES-CBC(KEnc, 0, S)', () => {
    const e = tdesCbcEncrypt(kEnc, S);
    expect(hex(e)).toBe('72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2');
    expect(tdesCbcDecrypt(kEnc, e).equals(S)).toBe(true);
  });
  it('M.IFD = retail MAC(KMAC, E.IFD) with method-2 padding', () => {
    expect(hex(retailMac(kMac, h('72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2')))).toBe('5F1448EEA8AD90A7');
  });
  it('prePadded skips the padding (ICAO SM pads its MAC input itself)', () => {
    const data = h('0102030405');
    expect(retailMac(kMac, padIso9797M2(data, 8), { prePadded: true }).equals(retailMac(kMac, data))).toBe(true);
    expect(() => retailMac(kMac, data, { prePadded: true })).toThrow();
  });
  it('equals single-DES CBC with Ka then one 2-key 3DES-EDE on the last block (an independent formulation)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 50 }), (k, m) => {
        const key = Buffer.from(k);
        const padded = padIso9797M2(Buffer.from(m), 8);
        const head = padded.subarray(0, padded.length - 8);
        const chain = head.length ? desCbcEncrypt(key.subarray(0, 8), head).subarray(-8) : Buffer.alloc(8);
        const last = tdesEcbEncrypt(key, xor(chain, padded.subarray(-8)));
        expect(retailMac(key, Buffer.from(m)).equals(last)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('single DES through DES-EDE3 with K‖K‖K', () => {
  it('matches the FIPS 81 / classic DES vector (key 0123456789ABCDEF)', () => {
    // "Now is the time for all " — the textbook DES ECB example.
    const key = h('0123456789ABCDEF');
    expect(hex(desEcbEncrypt(key, Buffer.from('Now is t', 'latin1')))).toBe('3FA40E8A984D4815');
    expect(desEcbDecrypt(key, h('3FA40E8A984D4815')).toString('latin1')).toBe('Now is t');
  });
});

describe('AES-CBC helpers', () => {
  it('agree with node:crypto and round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 6 }), (k, blocks) => {
        const key = Buffer.from(k);
        const data = Buffer.alloc(blocks * 16, blocks);
        const ref = createCipheriv('aes-128-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
        const want = Buffer.concat([ref.update(data), ref.final()]);
        expect(aesCbcEncrypt(key, data).equals(want)).toBe(true);
        expect(aesCbcDecrypt(key, want).equals(data)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
  it('refuse partial blocks and bad key sizes', () => {
    expect(() => aesCbcEncrypt(Buffer.alloc(16), Buffer.alloc(15))).toThrow();
    expect(() => aesCbcEncrypt(Buffer.alloc(15), Buffer.alloc(16))).toThrow();
    expect(() => tdesCbcEncrypt(Buffer.alloc(8), Buffer.alloc(8))).toThrow();
  });
});

describe('ISO/IEC 9797-1 padding method 2', () => {
  it('pads to whole blocks with at least one byte and unpads back (8 and 16)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.constantFrom(8, 16), (m, block) => {
        const data = Buffer.from(m);
        const p = padIso9797M2(data, block);
        expect(p.length % block).toBe(0);
        expect(p.length).toBeGreaterThan(data.length);
        expect(p.length - data.length).toBeLessThanOrEqual(block);
        expect(unpadIso9797M2(p, block).equals(data)).toBe(true);
      }),
    );
  });
  it('rejects malformed padding', () => {
    expect(() => unpadIso9797M2(Buffer.alloc(16), 16)).toThrow(/padding/);
    expect(() => unpadIso9797M2(h('01020304050607'), 8)).toThrow(/blocks/);
    expect(() => unpadIso9797M2(h('0102030405060708'), 8)).toThrow(/padding/);
    // 0x80 further back than one block: not padding of the last block
    expect(() => unpadIso9797M2(Buffer.concat([h('80'), Buffer.alloc(15)]), 8)).toThrow(/padding/);
  });
});
