// Property/fuzz tests of the passport parsers and the SM framing (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KioskError } from '../../../core/errors.ts';
import { checkDigit, mrzInformation, parseMrz } from '../../../daemon/documents/passport/datagroups/mrz.ts';
import { decodeOid } from '../../../daemon/encoding/asn1.ts';
import { children, encodeOidValue, readAll, readTlv, tlv } from '../../../daemon/encoding/ber-tlv.ts';
import { SecureMessaging, type SmCipher } from '../../../daemon/documents/passport/access/secure-messaging.ts';
import { parseSignedData } from '../../../daemon/documents/passport/pki/cms.ts';
import { parseSecurityInfos } from '../../../daemon/documents/passport/datagroups/security-infos.ts';
import { parseDg2, parseEfCom } from '../../../daemon/documents/passport/datagroups/data-groups.ts';
import { CardSm } from '../../../drivers/sim/passport/card-sm.ts';
import { td3 } from '../../../drivers/sim/passport/lds.ts';

const onlyKioskErrors = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof KioskError)) throw e;
  }
};

type Tree = { tag: number; value: Buffer } | { tag: number; kids: Tree[] };
const primTag = fc.constantFrom(0x04, 0x02, 0x80, 0x5f1f, 0x5f2e, 0x9f01);
const consTag = fc.constantFrom(0x30, 0x31, 0x61, 0x7f61, 0xa0, 0x7c);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ tag: primTag, value: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) }),
    fc.record({ tag: consTag, kids: fc.array(tie('t'), { maxLength: 4 }) }),
  ),
})).t;

function encode(t: Tree, indefinite: boolean): Buffer {
  if ('value' in t) return tlv(t.tag, t.value);
  const inner = Buffer.concat(t.kids.map((k) => encode(k, indefinite)));
  if (!indefinite) return tlv(t.tag, inner);
  const tagBytes = tlv(t.tag).subarray(0, -1);
  return Buffer.concat([tagBytes, Buffer.from([0x80]), inner, Buffer.from([0, 0])]);
}

function decode(b: Buffer): Tree {
  const t = readTlv(b);
  return t.constructed ? { tag: t.tag, kids: children(t).map((c) => decode(c.raw)) } : { tag: t.tag, value: Buffer.from(t.value) };
}

describe('BER-TLV reader', () => {
  it('round-trips DER and indefinite-length encodings of random trees', () => {
    fc.assert(
      fc.property(tree, fc.boolean(), (t, indef) => {
        const enc = encode(t, indef);
        const r = readTlv(enc);
        expect(r.raw.length).toBe(enc.length);
        expect(decode(enc)).toEqual(t);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but KioskError and never over-reads on arbitrary or truncated input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (a) => {
        const b = Buffer.from(a);
        onlyKioskErrors(() => {
          for (const t of readAll(b)) {
            expect(t.raw.length).toBeLessThanOrEqual(b.length);
            if (t.constructed) children(t);
          }
        });
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(tree, fc.nat(), (t, cut) => {
        const enc = encode(t, false);
        const part = enc.subarray(0, cut % Math.max(1, enc.length));
        onlyKioskErrors(() => readTlv(part));
      }),
      { numRuns: 300 },
    );
  });

  it('OIDs round-trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 39 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 31 }), { maxLength: 8 }),
        (a, b, rest) => {
          const oid = [a, b, ...rest].join('.');
          expect(decodeOid(encodeOidValue(oid))).toBe(oid);
        },
      ),
    );
  });

  it('LDS/CMS parsers survive mutated input with KioskError only', () => {
    const com = tlv(0x60, tlv(0x5f01, Buffer.from('0107')), tlv(0x5c, Buffer.from([0x61, 0x75])));
    const cardAccess = Buffer.from('3114301206 0A04007F00070202040202020102 02010D'.replace(/ /g, ''), 'hex');
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom(com, cardAccess), (pos, byte, base) => {
        const m = Buffer.from(base);
        m[pos % m.length] = byte;
        onlyKioskErrors(() => parseEfCom(m));
        onlyKioskErrors(() => parseSecurityInfos(m));
        onlyKioskErrors(() => parseSignedData(m));
        onlyKioskErrors(() => parseDg2(m));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('MRZ', () => {
  const alnum = fc.stringMatching(/^[A-Z0-9]{1,9}$/);
  const date = fc
    .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
    .map(([y, m, d]) => [y, m, d].map((n) => String(n).padStart(2, '0')).join(''));
  it('a generated TD3 parses back with valid check digits; any single-character change is caught', () => {
    fc.assert(
      fc.property(alnum, date, date, fc.nat(), (doc, dob, exp, pos) => {
        const mrz = td3({
          documentNumber: doc,
          dateOfBirth: dob,
          dateOfExpiry: exp,
          surname: 'TEST',
          givenNames: 'A',
          nationality: 'JPN',
          sex: 'F',
          issuingState: 'JPN',
        });
        const f = parseMrz(mrz);
        expect(f).toMatchObject({ documentNumber: doc, dateOfBirth: dob, dateOfExpiry: exp, checkDigitsValid: true });
        // Change one character of line 2 inside a check-digit-covered field (digits stay digits).
        const i = 44 + [0, 1, 2, 13, 14, 21, 22][pos % 7]!;
        const c = mrz[i]!;
        // A value change of ±1 (weights 7/3/1 never make it a multiple of 10): '<'(0)→'1', digit ±1, letter ±1.
        const repl = c === '<' ? '1' : c === '9' ? '8' : c === 'Z' ? 'Y' : String.fromCharCode(c.charCodeAt(0) + 1);
        expect(parseMrz(mrz.slice(0, i) + repl + mrz.slice(i + 1)).checkDigitsValid).toBe(false);
      }),
    );
  });

  it('the access key always carries the three check digits', () => {
    fc.assert(
      fc.property(alnum, date, date, (doc, dob, exp) => {
        const s = mrzInformation({ documentNumber: Buffer.from(doc), dateOfBirth: Buffer.from(dob), dateOfExpiry: Buffer.from(exp) }).toString();
        const d = doc.padEnd(9, '<');
        expect(s).toBe(`${d}${checkDigit(d)}${dob}${checkDigit(dob)}${exp}${checkDigit(exp)}`);
      }),
    );
  });
});

describe('SM framing: host and chip implementations agree', () => {
  it.each<[SmCipher, 8 | 16]>([
    ['3DES', 8],
    ['AES-128', 16],
  ])('%s: commands and responses round-trip, any flipped bit is refused', (cipher, block) => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.option(fc.integer({ min: 1, max: 256 })),
        fc.uint8Array({ maxLength: 230 }),
        fc.constantFrom(0xb0, 0xb1, 0xa4, 0x88),
        fc.nat(),
        (ke, km, data, le, resp, ins, flip) => {
          const kEnc = Buffer.from(ke);
          const kMac = Buffer.from(km);
          const ssc = Buffer.alloc(block, 7);
          const host = new SecureMessaging({ cipher, kEnc, kMac }, ssc);
          const chip = new CardSm(cipher === '3DES' ? '3DES' : 'AES-128', kEnc, kMac, ssc);
          const p = host.protect({ cla: 0x00, ins, p1: 1, p2: 2, data: Buffer.from(data), le: le ?? undefined });
          const plain = chip.unwrap(Buffer.from([p.cla, p.ins, p.p1, p.p2]), p.data!, p.data!.length > 255);
          expect(plain).not.toBeNull();
          expect(plain!.subarray(0, 4)).toEqual(Buffer.from([0x00, ins, 1, 2]));
          const wrapped = chip.wrap(ins, Buffer.from(resp), 0x9000);
          const bad = Buffer.from(wrapped);
          bad[flip % bad.length]! ^= 1 << (flip % 8);
          const spare = new SecureMessaging({ cipher, kEnc, kMac }, host.ssc);
          expect(() => spare.unprotect({ data: bad, sw: 0x9000 })).toThrow();
          expect(host.unprotect({ data: wrapped, sw: 0x9000 })).toEqual({ data: Buffer.from(resp), sw: 0x9000 });
        },
      ),
      { numRuns: 150 },
    );
  });
});
