// The licence TLV reader: round trip, malformed input, and the licence's tag rules (1F is one byte, 5F40 two).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LICENSE_TLV } from '../../../daemon/documents/license/constants.ts';
import { KioskError } from '../../../core/errors.ts';

const tag = fc.oneof(
  fc.integer({ min: 0x01, max: 0xfe }).filter((t) => t !== 0x5f && t !== 0x7f),
  fc.integer({ min: 0x00, max: 0xff }).map((t) => 0x5f00 | t),
);
const tlvs = fc.array(fc.record({ tag, value: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) }), { maxLength: 12 });

describe('LICENSE_TLV', () => {
  it('encode → parse is the identity (property)', () => {
    fc.assert(
      fc.property(tlvs, fc.constantFrom('none', 'ff', 'zeros'), (list, end) => {
        const body = Buffer.concat(list.map((t) => LICENSE_TLV.tlv(t.tag, t.value)));
        const tail = end === 'ff' ? Buffer.from([0xff, 0x12, 0x34]) : end === 'zeros' ? Buffer.alloc(17) : Buffer.alloc(0);
        const parsed = LICENSE_TLV.all(Buffer.concat([body, tail]), 't');
        expect(parsed.map((p) => ({ tag: p.tag, value: p.value }))).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });
  it('arbitrary bytes: either a list whose values fit the buffer, or a KioskError — never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (a) => {
        const buf = Buffer.from(a);
        try {
          for (const t of LICENSE_TLV.all(buf, 't')) expect(t.start + t.value.length).toBeLessThanOrEqual(buf.length);
        } catch (e) {
          expect(e).toBeInstanceOf(KioskError);
          expect((e as KioskError).code).toBe('CARD_MALFORMED_RESPONSE');
        }
      }),
      { numRuns: 1000 },
    );
  });
  it('tag 1F (免許の条件4) is a one-byte tag, unlike BER', () => {
    expect(LICENSE_TLV.all(Buffer.from('1f02abcd20014a', 'hex'), 't').map((t) => t.tag)).toEqual([0x1f, 0x20]);
  });
  it('the photo tag 5F40 with an 82 length', () => {
    const img = Buffer.alloc(300, 7);
    const [t] = LICENSE_TLV.all(Buffer.concat([Buffer.from('5f4082012c', 'hex'), img]), 't');
    expect(t!.tag).toBe(0x5f40);
    expect(t!.value.equals(img)).toBe(true);
  });
  it.each([
    ['value past the end', '1205aabb'],
    ['truncated long length', '1282 01'],
    ['unsupported length form', '1283010000'],
    ['missing length', '12'],
  ])('%s is malformed', (_n, h) => {
    expect(() => LICENSE_TLV.all(Buffer.from(h.replace(/ /g, ''), 'hex'), 't')).toThrow(KioskError);
  });
});
