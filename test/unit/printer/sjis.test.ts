import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeShiftJis, displayWidth, encodeShiftJis } from '../../../drivers/printer/sjis.ts';

describe('Shift_JIS encoder', () => {
  it('encodes kana, kanji and ASCII to the CP932 bytes', () => {
    expect(encodeShiftJis('日本 ABC').bytes.toString('hex')).toBe('93fa967b20414243');
    expect(encodeShiftJis('ｱｲｳ').bytes.toString('hex')).toBe('b1b2b3');
    // IBM extension kanji (髙 FB FC, 﨑 FA B1) are preferred over the NEC-selected duplicates
    expect(encodeShiftJis('髙﨑').bytes.toString('hex')).toBe('fbfcfab1');
  });

  it('round-trips every character the decoder produces from a valid double-byte code (property)', () => {
    const codes = fc.tuple(
      fc.oneof(fc.integer({ min: 0x81, max: 0x9f }), fc.integer({ min: 0xe0, max: 0xef }), fc.integer({ min: 0xfa, max: 0xfc })),
      fc.oneof(fc.integer({ min: 0x40, max: 0x7e }), fc.integer({ min: 0x80, max: 0xfc })),
    );
    fc.assert(
      fc.property(codes, ([lead, trail]) => {
        const s = decodeShiftJis(Uint8Array.of(lead, trail));
        fc.pre(s.length === 1 && s !== '\ufffd' && !(s >= '\ue000' && s <= '\uf8ff'));
        const e = encodeShiftJis(s);
        expect(e.substituted).toBe(0);
        expect(decodeShiftJis(e.bytes)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('maps JIS-style code points to their CP932 glyphs and ¥ to full-width', () => {
    expect(decodeShiftJis(encodeShiftJis('〜−¥').bytes)).toBe('～－￥');
  });

  it('substitutes characters outside CP932 with 〓 and counts them', () => {
    const e = encodeShiftJis('𠮷野 麵 😀');
    expect(decodeShiftJis(e.bytes)).toBe('〓野 〓 〓');
    expect(e.substituted).toBe(3);
  });

  it('never passes a control character through (no ESC/POS injection from card text)', () => {
    fc.assert(
      fc.property(
        // code points, biased to C0/C1 controls, then the string (fc.string's binary unit is slow to generate)
        fc
          .array(fc.oneof(fc.integer({ min: 0, max: 0xa0 }), fc.integer({ min: 0xa0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff })), {
            maxLength: 64,
          })
          .map((cps) => String.fromCodePoint(...cps)),
        (s) => {
          const { bytes } = encodeShiftJis(s);
          // every byte is printable ASCII, a half-width kana, or part of a double-byte pair
          let control = -1;
          for (let i = 0; i < bytes.length; i++) {
            const b = bytes[i]!;
            if ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) i++;
            else if (b < 0x20 || b === 0x7f) control = i;
          }
          expect(control).toBe(-1);
        },
      ),
    );
    expect(encodeShiftJis('A\x1b@\x1dV\x00').controlsRemoved).toBe(3);
  });

  it('measures display width in half-width columns', () => {
    expect(displayWidth('山田 TARO ｶﾅ')).toBe(4 + 1 + 4 + 1 + 2);
  });
});
