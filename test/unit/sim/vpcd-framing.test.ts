import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../../../drivers/sim/vpcd-client.ts';

const h = (s: string) => Buffer.from(s, 'hex');

describe('vpcd framing', () => {
  it('encodes 2-byte big-endian length ‖ payload', () => {
    expect(encodeFrame(h('04')).toString('hex')).toBe('000104');
    expect(encodeFrame(Buffer.alloc(0x1234)).subarray(0, 2).toString('hex')).toBe('1234');
    expect(() => encodeFrame(Buffer.alloc(0x10000))).toThrow(RangeError);
  });

  it('reassembles frames split at every byte and several frames in one chunk', () => {
    const frames = [h('01'), h('00A4040C02AABB'), Buffer.alloc(300, 7), Buffer.alloc(0), h('04')];
    const wire = Buffer.concat(frames.map(encodeFrame));
    for (const step of [1, 2, 3, 7, wire.length]) {
      const d = new FrameDecoder();
      const out: Buffer[] = [];
      for (let i = 0; i < wire.length; i += step) out.push(...d.push(wire.subarray(i, i + step)));
      expect(out.map((b) => b.toString('hex'))).toEqual(frames.map((b) => b.toString('hex')));
      expect(d.buffered).toBe(0);
    }
  });

  it('any chunking of any frame sequence decodes to the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const frames = payloads.map((p) => Buffer.from(p));
          const wire = Buffer.concat(frames.map(encodeFrame));
          const d = new FrameDecoder();
          const out: Buffer[] = [];
          let i = 0;
          let k = 0;
          while (i < wire.length) {
            const n = cuts[k++ % cuts.length]!;
            out.push(...d.push(wire.subarray(i, i + n)));
            i += n;
          }
          expect(out.map((b) => b.toString('hex'))).toEqual(frames.map((b) => b.toString('hex')));
          expect(d.buffered).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
