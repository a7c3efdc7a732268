// Licence text encodings: the worked text examples of docs/reference/license.md §7.1 value by value, plus property
// tests against the sim's encoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJisX0201, decodeJisX0208, isExpired, parseBcdDate, parseEraDate } from '../../../daemon/documents/license/jis.ts';
import { encodeEraDate, encodeJisX0208 } from '../../../drivers/sim/license/jis-encode.ts';

const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');

describe('docs/reference/license.md §7.1 worked text examples', () => {
  it('raw JIS X 0208 → EUC-JP → 山田太郎', () => {
    expect(decodeJisX0208(hex('3B 33 45 44 42 40 4F 3A')).plain).toBe('山田太郎');
  });
  it('JIS X 0201 half-width katakana', () => {
    expect(decodeJisX0201(hex('D4 CF C0 DE'))).toBe('ﾔﾏﾀﾞ');
  });
  it('FFF1 is 外字 1, FFFA is 欠字 shown as 〓', () => {
    const t = decodeJisX0208(hex('FFF1 3B33 FFFA'));
    expect(t.runs).toEqual([{ kind: 'gaiji', index: 1 }, { kind: 'text', text: '山' }, { kind: 'missing' }]);
    expect(t.plain).toBe('〓山〓');
  });
  it('other FFxx codes are undefined, rendered as a placeholder', () => {
    expect(decodeJisX0208(hex('FFF9')).runs).toEqual([{ kind: 'undefined-code', code: 0xfff9 }]);
  });
  it.each([
    ['4010108', '1989-01-08'],
    ['3640107', '1989-01-07'],
    ['5010501', '2019-05-01'],
    ['5070401', '2025-04-01'],
  ])('era date %s → %s', (s, iso) => expect(parseEraDate(s)).toBe(iso));
  it('BCD 20 25 04 01 → 2025-04-01', () => expect(parseBcdDate(hex('20250401'))).toBe('2025-04-01'));
});

describe('dates', () => {
  it('rejects impossible dates and unknown eras', () => {
    for (const s of ['4010230', '6010101', '4000101', '401013', 'A010101']) expect(parseEraDate(s)).toBeNull();
    expect(parseBcdDate(hex('20250230'))).toBeNull();
    expect(parseBcdDate(hex('2025AA01'))).toBeNull();
  });
  it('a licence is valid through its last day in Japan time and expires at the next JST midnight', () => {
    // 2025-04-01 JST ends at 2025-04-01T15:00:00Z.
    expect(isExpired('2025-04-01', new Date('2025-04-01T14:59:59.999Z'))).toBe(false);
    expect(isExpired('2025-04-01', new Date('2025-04-01T15:00:00.000Z'))).toBe(true);
    expect(isExpired('2025-12-31', new Date('2025-12-31T14:59:59Z'))).toBe(false);
  });
  it('era encoding and decoding agree for every day from 1900 to 2060', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        expect(parseEraDate(encodeEraDate(iso).toString('latin1'))).toBe(iso);
      }),
      { numRuns: 300 },
    );
  });
});

describe('JIS X 0208 decoder (property)', () => {
  // Kanji and kana from JIS rows 16–47 (level 1) and row 4 (hiragana): all must round-trip.
  const jisChar = fc
    .tuple(fc.oneof(fc.constant(0x24), fc.integer({ min: 0x30, max: 0x4e })), fc.integer({ min: 0x21, max: 0x73 }))
    .map(([r, c]) => new TextDecoder('euc-jp').decode(Buffer.from([r + 0x80, c + 0x80])))
    .filter((ch) => ch.length === 1 && ch !== '\uFFFD');
  it('encode → decode is the identity on JIS X 0208 text with 外字 and 欠字 markers', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(jisChar, fc.constantFrom('{外字1}', '{外字7}', '{欠字}')), { maxLength: 30 }), (parts) => {
        const s = parts.join('');
        const t = decodeJisX0208(encodeJisX0208(s));
        expect(t.invalid).toBe(false);
        const back = t.runs.map((r) => (r.kind === 'text' ? r.text : r.kind === 'gaiji' ? `{外字${r.index}}` : '{欠字}')).join('');
        expect(back).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
  it('never throws on arbitrary bytes; plain always has one character per 2-byte code at most', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (a) => {
        const t = decodeJisX0208(Buffer.from(a));
        expect([...t.plain].length).toBeLessThanOrEqual(Math.ceil(a.length / 2));
      }),
      { numRuns: 500 },
    );
  });
  it('JIS X 0201: ASCII digits map to themselves, ¥ and ‾ at 5C/7E', () => {
    expect(decodeJisX0201(Buffer.from('0123456789', 'latin1'))).toBe('0123456789');
    expect(decodeJisX0201(hex('5C7E'))).toBe('¥‾');
  });
});
