import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommandApdu, parseCommandApdu } from '../../../drivers/sim/iso7816/apdu.ts';
import { createMf, Iso7816Card } from '../../../drivers/sim/iso7816/index.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('command APDU parser', () => {
  it('recognises the four cases in short form', () => {
    expect(parseCommandApdu(h('00A40000'))).toMatchObject({ ok: true, apdu: { case: 1, ne: null, extended: false } });
    const c2 = parseCommandApdu(h('00B0000000'));
    expect(c2).toMatchObject({ ok: true, apdu: { case: 2, ne: 256 } });
    const c3 = parseCommandApdu(h('00A4020C020018'));
    expect(c3).toMatchObject({ ok: true, apdu: { case: 3, ne: null, p1: 2, p2: 0x0c } });
    if (c3.ok) expect(c3.apdu.data.toString('hex')).toBe('0018');
    const c4 = parseCommandApdu(h('802A008003010203 00'));
    expect(c4).toMatchObject({ ok: true, apdu: { case: 4, ne: 256, cla: 0x80, ins: 0x2a } });
    expect(parseCommandApdu(h('00B0000004'))).toMatchObject({ ok: true, apdu: { ne: 4 } });
  });

  it('recognises extended forms, with Le 0000 meaning 65536', () => {
    expect(parseCommandApdu(h('00B00000 000000'))).toMatchObject({ ok: true, apdu: { case: 2, ne: 65536, extended: true } });
    expect(parseCommandApdu(h('00B00000 000123'))).toMatchObject({ ok: true, apdu: { case: 2, ne: 0x123, extended: true } });
    const data = Buffer.alloc(300, 0xab);
    const c3 = parseCommandApdu(Buffer.concat([h('002A9E9A 00012C'), data]));
    expect(c3).toMatchObject({ ok: true, apdu: { case: 3, ne: null, extended: true } });
    const c4 = parseCommandApdu(Buffer.concat([h('002A9E9A 00012C'), data, h('0000')]));
    expect(c4).toMatchObject({ ok: true, apdu: { case: 4, ne: 65536, extended: true } });
    if (c4.ok) expect(c4.apdu.data.equals(data)).toBe(true);
  });

  it('rejects malformed lengths', () => {
    for (const bad of [
      '',
      '00',
      '00A400',
      '00A4040C05D392',
      '00A4040C01AABBCC',
      '00B0000000 00',
      '00B00000 0000',
      '00B00000 000000 00',
      '002A0000 000002 AA',
    ]) {
      expect(parseCommandApdu(h(bad)).ok, bad).toBe(false);
    }
  });

  it('round-trips encode → parse for every legal shape', () => {
    fc.assert(
      fc.property(
        fc.record({
          cla: fc.integer({ min: 0, max: 255 }),
          ins: fc.integer({ min: 0, max: 255 }),
          p1: fc.integer({ min: 0, max: 255 }),
          p2: fc.integer({ min: 0, max: 255 }),
          data: fc.uint8Array({ minLength: 0, maxLength: 400 }).map((a) => Buffer.from(a)),
          ne: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: null }),
          extended: fc.boolean(),
        }),
        (a) => {
          const ext = a.extended || a.data.length > 255 || (a.ne !== null && a.ne > 256);
          const r = parseCommandApdu(encodeCommandApdu({ ...a, extended: ext }));
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.apdu.data.equals(a.data)).toBe(true);
          expect(r.apdu.ne).toBe(a.ne);
          // Case 1 has no length field, so it has no extended form.
          expect(r.apdu.extended).toBe(ext && (a.data.length > 0 || a.ne !== null));
          expect(r.apdu.case).toBe(a.data.length === 0 ? (a.ne === null ? 1 : 2) : a.ne === null ? 3 : 4);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('parse never throws, and the card answers any byte string with a status word', () => {
    const card = new Iso7816Card({ atr: h('3B00'), mf: createMf() });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (arr) => {
        const bytes = Buffer.from(arr);
        expect(() => parseCommandApdu(bytes)).not.toThrow();
        const r = card.process(bytes);
        expect(r.length).toBeGreaterThanOrEqual(2);
        const sw1 = r[r.length - 2]!;
        expect([0x61, 0x62, 0x63, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x90]).toContain(sw1);
        if (!parseCommandApdu(bytes).ok) expect(r.toString('hex')).toBe('6700');
      }),
      { numRuns: 2000 },
    );
  });
});
