import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_STATUS, StatusReader, applyReply, isUsableState, stateOf, type StatusReply } from '../../../drivers/printer/status.ts';

const connected = { ...INITIAL_STATUS, connected: true };

describe('StatusReader', () => {
  it('classifies DLE EOT, ASB and GS r replies delivered one byte at a time', () => {
    const r = new StatusReader();
    r.rtPending = 2;
    r.gsrPending = 1;
    const bytes = [0x16 /* DLE EOT 2: cover open */, 0x10, 0x00, 0x0c, 0x00 /* ASB paper end */, 0x03 /* GS r near end */];
    const out: StatusReply[] = [];
    for (const b of bytes) out.push(...r.push(Uint8Array.of(b)));
    expect(out).toEqual([
      { kind: 'rt', n: 2, byte: 0x16 },
      { kind: 'asb', bytes: [0x10, 0x00, 0x0c, 0x00] },
      { kind: 'gsr', byte: 0x03 },
    ]);
    expect(r.rtPending).toBeNull();
    expect(r.gsrPending).toBe(0);
  });

  it('skips XON/XOFF interleaved inside an ASB frame', () => {
    const r = new StatusReader();
    expect(r.push(Uint8Array.of(0x30, 0x13, 0x00, 0x11, 0x03, 0x00))).toEqual([{ kind: 'asb', bytes: [0x30, 0x00, 0x03, 0x00] }]);
  });

  it('reports unsolicited bytes as stray instead of guessing', () => {
    const r = new StatusReader();
    expect(r.push(Uint8Array.of(0x12, 0x03))).toEqual([
      { kind: 'stray', byte: 0x12 },
      { kind: 'stray', byte: 0x03 },
    ]);
  });

  it('yields the same replies however the stream is fragmented (property)', () => {
    const asb = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
      .map(([a, b, c]) => ({ kind: 'asb' as const, bytes: [(a & 0x6c) | 0x10, b & 0x6f, c & 0x6f, 0] as [number, number, number, number] }));
    const gsr = fc.integer({ min: 0, max: 255 }).map((b) => ({ kind: 'gsr' as const, byte: b & 0x6f }));
    fc.assert(
      fc.property(fc.array(fc.oneof(asb, gsr), { maxLength: 15 }), fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 40 }), (replies, cuts) => {
        const stream = Buffer.from(replies.flatMap((x) => (x.kind === 'asb' ? x.bytes : [x.byte])));
        const r = new StatusReader();
        r.gsrPending = replies.filter((x) => x.kind === 'gsr').length;
        const out: StatusReply[] = [];
        let off = 0;
        for (const c of cuts) {
          out.push(...r.push(stream.subarray(off, off + c)));
          off = Math.min(stream.length, off + c);
        }
        out.push(...r.push(stream.subarray(off)));
        expect(out).toEqual(replies);
      }),
    );
  });
});

describe('status model', () => {
  const asb = (b1: number, b2: number, b3: number): StatusReply => ({ kind: 'asb', bytes: [b1, b2, b3, 0] });
  it('maps ASB bits (peripherals §2.2)', () => {
    expect(stateOf(applyReply(connected, asb(0x10, 0, 0)))).toBe('ready');
    expect(stateOf(applyReply(connected, asb(0x10, 0, 0x03)))).toBe('paper-near-end');
    expect(stateOf(applyReply(connected, asb(0x18, 0, 0x0f)))).toBe('paper-end');
    expect(stateOf(applyReply(connected, asb(0x38, 0, 0)))).toBe('cover-open');
    expect(applyReply(connected, asb(0x18, 0x08, 0)).error).toBe('autocutter');
    expect(stateOf(applyReply(connected, asb(0x18, 0, 0)))).toBe('offline');
  });
  it('maps DLE EOT 1..4 replies', () => {
    let s = applyReply(connected, { kind: 'rt', n: 1, byte: 0x1a });
    expect(s.offline).toBe(true);
    s = applyReply(s, { kind: 'rt', n: 2, byte: 0x16 });
    expect(s.coverOpen).toBe(true);
    s = applyReply(s, { kind: 'rt', n: 2, byte: 0x32 });
    expect(s).toMatchObject({ coverOpen: false, paperEnd: true });
    s = applyReply(s, { kind: 'rt', n: 4, byte: 0x12 | 0x0c });
    expect(s).toMatchObject({ paperNearEnd: true, paperEnd: false });
    s = applyReply(s, { kind: 'rt', n: 3, byte: 0x12 | 0x20 });
    expect(s.error).toBe('unrecoverable');
  });
  it('orders states: disconnected > unresponsive > unknown > cover > paper end > error', () => {
    expect(stateOf(INITIAL_STATUS)).toBe('disconnected');
    expect(stateOf(connected)).toBe('unknown');
    expect(stateOf({ ...connected, unresponsive: true })).toBe('offline');
    expect(stateOf({ ...connected, known: true, coverOpen: true, paperEnd: true })).toBe('cover-open');
    expect(isUsableState('paper-near-end')).toBe(true);
    expect(isUsableState('unknown')).toBe(false);
  });
});
