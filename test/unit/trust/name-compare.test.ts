// RFC 5280 §7.1 name comparison: the string type and case/space variations that real issuers produce
// match; a different value, a different attribute or a different RDN structure never does.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { namesMatch } from '../../../daemon/trust/name-compare.ts';

const tlv = (tag: number, v: Buffer) => {
  const l = v.length < 0x80 ? Buffer.from([v.length]) : Buffer.from([0x81, v.length]);
  return Buffer.concat([Buffer.from([tag]), l, v]);
};
const CN = Buffer.from('0603550403', 'hex');
const O = Buffer.from('060355040a', 'hex');
const atv = (type: Buffer, tag: number, text: string) => tlv(0x30, Buffer.concat([type, tlv(tag, Buffer.from(text, tag === 0x0c ? 'utf8' : 'ascii'))]));
const name = (...rdns: Buffer[][]) => tlv(0x30, Buffer.concat(rdns.map((r) => tlv(0x31, Buffer.concat(r)))));

describe('namesMatch (RFC 5280 §7.1)', () => {
  it('UTF8String and PrintableString of the same value match', () => {
    expect(namesMatch(name([atv(O, 0x13, 'JPKI')], [atv(CN, 0x13, 'Test CA')]), name([atv(O, 0x0c, 'JPKI')], [atv(CN, 0x0c, 'Test CA')]))).toBe(true);
  });
  it('case and runs of space do not matter', () => {
    expect(namesMatch(name([atv(CN, 0x13, 'Test  CA ')]), name([atv(CN, 0x0c, 'test ca')]))).toBe(true);
  });
  it('a different value, attribute type or RDN order does not match', () => {
    expect(namesMatch(name([atv(CN, 0x13, 'Test CA')]), name([atv(CN, 0x13, 'Test CB')]))).toBe(false);
    expect(namesMatch(name([atv(CN, 0x13, 'Test CA')]), name([atv(O, 0x13, 'Test CA')]))).toBe(false);
    expect(namesMatch(name([atv(O, 0x13, 'A')], [atv(CN, 0x13, 'B')]), name([atv(CN, 0x13, 'B')], [atv(O, 0x13, 'A')]))).toBe(false);
  });
  it('a multi-valued RDN is a set: its order does not matter', () => {
    expect(namesMatch(name([atv(O, 0x13, 'A'), atv(CN, 0x13, 'B')]), name([atv(CN, 0x13, 'B'), atv(O, 0x13, 'A')]))).toBe(true);
  });
  it('arbitrary bytes never throw and match only themselves or an equal name', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const r = namesMatch(Buffer.from(a), Buffer.from(b));
        expect(typeof r).toBe('boolean');
        expect(namesMatch(Buffer.from(a), Buffer.from(a))).toBe(true);
      }),
    );
  });
});
