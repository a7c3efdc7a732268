// The one BER-TLV reader/writer (daemon/encoding/ber-tlv.ts) under each set of rules the kiosk uses.
// Examples come from the standards, not from the code: X.690 (08/2015) §8.1.3.4–5 (length 38 → 26,
// 201 → 81 C9), §8.19.5 ({2 100 3} → 81 34 03); ICAO 9303-11 Appendix D.4 (a protected READ BINARY answer:
// DO87 ‖ DO99 ‖ DO8E) and Appendix G.1 (EF.CardAccess holding one PACEInfo); the NZ SOD's indefinite-length
// head (docs/reference/passport.md §8); RFC 8017 A.2.4 (sha256WithRSAEncryption = 1.2.840.113549.1.1.11).
// Properties (the BER tree round trip is test/unit/passport/parsers.property.test.ts'): arbitrary bytes give in-bounds elements or a KioskError of
// the rules' code; DER refuses what BER tolerates (indefinite, non-minimal lengths); nesting is bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../harness/error-code.ts';
import { decodeOid } from '../../../daemon/encoding/asn1.ts';
import { BER, CARD_BER, derCodec, encodeLength, encodeOidValue, type TlvCodec, uniqueTags, type Tlv } from '../../../daemon/encoding/ber-tlv.ts';
import { LICENSE_TLV } from '../../../daemon/documents/license/constants.ts';
import { RESIDENCE_TLV } from '../../../daemon/documents/residence/constants.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const HEX = (b: Buffer) => b.toString('hex').toUpperCase();
const DER = derCodec(ErrorCodes.CRL_MALFORMED, ErrorCodes.CRL_LENGTH);

describe('examples from the standards', () => {
  it('X.690 §8.1.3: short and long length forms', () => {
    expect(HEX(encodeLength(38))).toBe('26');
    expect(HEX(encodeLength(201))).toBe('81C9');
    // Both forms of 38 are BER (§8.1.3.5 allows the long form); only the short one is DER (§10.1).
    const long = Buffer.concat([h('04 81 26'), Buffer.alloc(38, 0x41)]);
    expect(BER.read(long).value.length).toBe(38);
    expect(codeOf(() => DER.read(long))).toBe(ErrorCodes.CRL_LENGTH);
  });

  it('X.690 §8.19.5: OID {2 100 3} is 81 34 03', () => {
    expect(HEX(encodeOidValue('2.100.3'))).toBe('813403');
    expect(decodeOid(h('813403'))).toBe('2.100.3');
    expect(decodeOid(h('2A864886F70D01010B'))).toBe('1.2.840.113549.1.1.11');
    // §8.19.2: each subidentifier in the fewest octets — a leading 80 octet is not an encoding of it.
    expect(codeOf(() => decodeOid(h('2A80864886F70D')))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(codeOf(() => decodeOid(h('2A86')))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
  });

  it('ICAO 9303-11 D.4: a protected READ BINARY answer is DO87 ‖ DO99 ‖ DO8E', () => {
    const dos = BER.all(h('8709019FF0EC34F9922651990290008E08AD55CC17140B2DED'));
    expect(dos.map((d) => [d.tag, HEX(d.value)])).toEqual([
      [0x87, '019FF0EC34F9922651'],
      [0x99, '9000'],
      [0x8e, 'AD55CC17140B2DED'],
    ]);
  });

  it('ICAO 9303-11 G.1: EF.CardAccess, a SET of one PACEInfo SEQUENCE', () => {
    const set = BER.read(h('31 14 30 12 06 0A 04 00 7F 00 07 02 02 04 02 02 02 01 02 02 01 0D'));
    const [info] = BER.children(set);
    const [oid, version, param] = BER.children(info!);
    expect(decodeOid(oid!.value)).toBe('0.4.0.127.0.7.2.2.4.2.2');
    expect([version!.value[0], param!.value[0]]).toEqual([2, 0x0d]);
  });

  it('an indefinite-length SignedData inside a definite DO77, as a real NZ SOD starts (77 82 …, 30 80 …)', () => {
    const inner = h('30 80 06 03 2A 03 04 A0 80 04 01 AA 00 00 00 00');
    const sod = Buffer.concat([h('77 82 00'), Buffer.from([inner.length]), inner]);
    const seq = BER.read(BER.read(sod).value);
    expect(seq).toMatchObject({ tag: 0x30, indefinite: true, end: inner.length });
    const [oid, ctx] = BER.children(seq);
    expect(decodeOid(oid!.value)).toBe('1.2.3.4');
    expect(HEX(BER.children(ctx!)[0]!.value)).toBe('AA');
    expect(codeOf(() => CARD_BER.read(inner))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(codeOf(() => DER.read(inner))).toBe(ErrorCodes.CRL_LENGTH);
  });

  it('multi-octet tags: BER reads 5F1F and 7F49; DER (X.509, CRL, OCSP) refuses them', () => {
    expect(BER.read(h('5F1F 02 4142')).tag).toBe(0x5f1f);
    expect(BER.read(h('7F49 03 860100')).constructed).toBe(true);
    expect(codeOf(() => DER.read(h('5F1F 02 4142')))).toBe(ErrorCodes.CRL_MALFORMED);
  });

  it('per-document tag rules: the licence 1F is one octet, the residence card DF D1 is two', () => {
    expect(LICENSE_TLV.all(h('1F 01 41 5F40 01 42')).map((t) => t.tag)).toEqual([0x1f, 0x5f40]);
    expect(RESIDENCE_TLV.all(h('DF D1 01 41')).map((t) => t.tag)).toEqual([0xdfd1]);
    // strict BER would read DF D1 01 as a three-octet tag (D1 has bit 8 set)
    expect(BER.read(h('DF D1 01 01 41')).tag).toBe(0xdfd101);
  });

  it('padding rules: between (LDS), trailing (card), strict-trailing (residence), end marker (licence)', () => {
    expect(BER.all(h('FF 04 01 41 00 00 04 01 42')).length).toBe(2);
    expect(CARD_BER.all(h('04 01 41 FF FF'), 't', 0, 5, 'trailing').length).toBe(1);
    expect(codeOf(() => CARD_BER.all(h('04 01 41 FF FF')))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(codeOf(() => RESIDENCE_TLV.all(h('C1 01 41 00 01')))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(LICENSE_TLV.all(h('12 01 41 FF 99 99')).length).toBe(1);
  });

  it('a spliced file with one tag twice is refused', () => {
    expect(codeOf(() => uniqueTags(RESIDENCE_TLV.all(h('C1 01 41 C1 01 42')), 't'))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
  });
});

// ---- properties ----

describe('properties', () => {
  it('a non-minimal length is BER but not DER; the value read is the same', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 3 }), (v, extra) => {
        const n = v.length;
        const octets = [...encodeLength(n).subarray(n < 0x80 ? 0 : 1)];
        const padded = Buffer.from([0x04, 0x80 | (octets.length + extra), ...Array<number>(extra).fill(0), ...octets, ...v]);
        expect(BER.read(padded).value.equals(Buffer.from(v))).toBe(true);
        expect(codeOf(() => DER.read(padded))).toBe(ErrorCodes.CRL_LENGTH);
      }),
    );
  });

  const codecs: Array<[string, TlvCodec, string[]]> = [
    ['BER', BER, [ErrorCodes.CARD_MALFORMED_RESPONSE]],
    ['card BER', CARD_BER, [ErrorCodes.CARD_MALFORMED_RESPONSE]],
    ['DER (CRL)', DER, [ErrorCodes.CRL_MALFORMED, ErrorCodes.CRL_LENGTH]],
    ['licence', LICENSE_TLV, [ErrorCodes.CARD_MALFORMED_RESPONSE]],
    ['residence', RESIDENCE_TLV, [ErrorCodes.CARD_MALFORMED_RESPONSE]],
  ];
  it.each(codecs)('%s: arbitrary bytes give elements inside the buffer or a KioskError of the rules’ code', (_n, c, codes) => {
    const inside = (t: Tlv, lim: number) => {
      expect(t.start <= t.valueStart && t.valueStart <= t.valueEnd && t.valueEnd <= t.end && t.end <= lim).toBe(true);
      if (t.constructed && t.depth < 3) for (const k of c.children(t)) inside(k, t.valueEnd);
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (a) => {
        const b = Buffer.from(a);
        try {
          for (const t of c.all(b)) inside(t, b.length);
        } catch (e) {
          expect(e).toBeInstanceOf(KioskError);
          expect(codes).toContain((e as KioskError).code);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('nesting is bounded: 200 nested indefinite SEQUENCEs end in a KioskError, not a stack overflow', () => {
    const deep = Buffer.concat([h('3080'.repeat(200)), Buffer.alloc(400)]);
    expect(codeOf(() => BER.read(deep))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
  });

  it('the writer refuses a value longer than the rules can say (licence: 82 xx xx at most)', () => {
    expect(() => LICENSE_TLV.tlv(0x41, Buffer.alloc(0x10000))).toThrow(RangeError);
    expect(HEX(LICENSE_TLV.tlv(0x41, Buffer.alloc(0xffff)).subarray(0, 4))).toBe('4182FFFF');
  });
});
