// BER-TLV parser of the residence card with property tests. The cases are the TLV heads of the public
// tag reference and the Appendix 2 example (docs/reference/residence.md "Encoding", "Worked example").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESIDENCE_TLV } from '../../../daemon/documents/residence/constants.ts';
import { KioskError } from '../../../core/errors.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('published TLV heads (tlv_tag_reference.md, Appendix 2)', () => {
  it.each([
    ['C1 02 30 35', 0xc1, '05'],
    ['C1 02 30 36', 0xc1, '06'],
    ['C1 01 31', 0xc1, '1'],
    ['C1 01 32', 0xc1, '2'],
  ])('%s', (input, tag, value) => {
    expect(RESIDENCE_TLV.all(h(input), 't').map(({ tag, value }) => ({ tag, value }))).toEqual([{ tag, value: Buffer.from(value, 'latin1') }]);
  });
  it.each([
    ['D0 82 09 C4', 0xd0, 2500],
    ['D1 82 0B B8', 0xd1, 3000],
    ['DF D1 82 09 C4', 0xdfd1, 2500],
    ['DC 60', 0xdc, 96],
    ['DD 82 02 56', 0xdd, 598],
  ])('%s + value', (head, tag, len) => {
    const [t] = RESIDENCE_TLV.all(Buffer.concat([h(head), Buffer.alloc(len, 7)]), 't');
    expect(t!.tag).toBe(tag);
    expect(t!.value.length).toBe(len);
  });
  it('trailing 00 padding is ignored; data after padding is not', () => {
    expect(RESIDENCE_TLV.all(h('C1 02 30 35 00 00 00'), 't')).toHaveLength(1);
    expect(() => RESIDENCE_TLV.all(h('C1 02 30 35 00 00 01'), 't')).toThrow(/after padding/);
  });
  it('rejects overruns and unsupported length forms', () => {
    expect(() => RESIDENCE_TLV.all(h('D0 82 09 C4 00'), 't')).toThrow(/runs past/);
    expect(() => RESIDENCE_TLV.all(h('D0 83 00 00 01 00'), 't')).toThrow(/length form/);
    expect(() => RESIDENCE_TLV.all(h('DF'), 't')).toThrow(/truncated/);
    expect(() => RESIDENCE_TLV.all(h('DF D1'), 't')).toThrow(/without length/);
  });
});

describe('properties', () => {
  const tlvArb = fc.record({
    tag: fc.oneof(
      fc.integer({ min: 0x01, max: 0xfe }).filter((t) => (t & 0x1f) !== 0x1f),
      fc.integer({ min: 0x00, max: 0xff }).map((b) => 0xdf00 | b),
    ),
    value: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  });
  it('encode → parse is the identity, with any amount of 00 padding', () => {
    fc.assert(
      fc.property(fc.array(tlvArb, { maxLength: 6 }), fc.nat(20), (tlvs, pad) => {
        const bytes = Buffer.concat([...tlvs.map((t) => RESIDENCE_TLV.tlv(t.tag, t.value)), Buffer.alloc(pad)]);
        expect(RESIDENCE_TLV.all(bytes, 't').map(({ tag, value }) => ({ tag, value }))).toEqual(tlvs);
      }),
    );
  });
  it('arbitrary bytes either parse within bounds or throw a KioskError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (a) => {
        const data = Buffer.from(a);
        try {
          const tlvs = RESIDENCE_TLV.all(data, 't');
          expect(tlvs.reduce((n, t) => n + t.value.length, 0)).toBeLessThanOrEqual(data.length);
        } catch (e) {
          expect(e).toBeInstanceOf(KioskError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
