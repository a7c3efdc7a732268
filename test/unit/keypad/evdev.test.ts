import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EvdevKeypad, InputEventFramer, decodeInputEvent, encodeInputEvent, nativeLayout, type InputEventLayout } from '../../../drivers/keypad/evdev.ts';
import type { KeyEvent } from '../../../drivers/keypad/types.ts';
import { keyRecord } from './record.ts';

const fixture = (layout: InputEventLayout) =>
  Buffer.from(readFileSync(new URL(`./fixtures/matrix-keypad-${layout}.hex`, import.meta.url), 'utf8').replace(/\s+/g, ''), 'hex');

afterEach(() => vi.useRealTimers());

function padOn(layout: InputEventLayout, stuckMs = 10_000) {
  const stream = new PassThrough();
  const pad = new EvdevKeypad({ device: '/dev/input/test', layout, cols: 3, stuckMs, openStream: () => stream, reopenMs: 5 });
  const keys: string[] = [];
  pad.on('key', (e: KeyEvent) => keys.push(`${e.key}${e.action === 'down' ? 'v' : '^'}`), 'test');
  return { stream, pad, keys };
}

describe('input_event layouts', () => {
  it('decodes the 24-byte (64-bit) and 16-byte (32-bit) layouts at the documented offsets', () => {
    const b24 = Buffer.from('0100000000000000' + '0200000000000000' + '0100' + '0502' + '01000000', 'hex');
    expect(decodeInputEvent(b24, 0, 24)).toEqual({ sec: 1, usec: 2, type: 1, code: 0x205, value: 1 });
    const b16 = Buffer.from('01000000' + '02000000' + '0100' + '0502' + 'ffffffff', 'hex');
    expect(decodeInputEvent(b16, 0, 16)).toEqual({ sec: 1, usec: 2, type: 1, code: 0x205, value: -1 });
  });

  it('picks 24 bytes for arm64 and 16 for armhf', () => {
    expect(nativeLayout('arm64')).toBe(24);
    expect(nativeLayout('arm')).toBe(16);
  });

  it('the framer yields the same records however the stream is cut (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<InputEventLayout>(16, 24),
        fc.array(fc.record({ type: fc.integer({ min: 0, max: 0x1f }), code: fc.integer({ min: 0, max: 0x2ff }), value: fc.integer({ min: -1, max: 2 }) }), {
          maxLength: 20,
        }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 30 }),
        (layout, evs, cuts) => {
          const recs = evs.map((e, i) => ({ sec: 1000 + i, usec: i * 7, ...e }));
          const bytes = Buffer.concat(recs.map((r) => encodeInputEvent(r, layout)));
          const framer = new InputEventFramer(layout);
          const out = [];
          let off = 0;
          for (const c of cuts) {
            out.push(...framer.push(bytes.subarray(off, off + c)));
            off = Math.min(bytes.length, off + c);
          }
          out.push(...framer.push(bytes.subarray(off)));
          expect(out).toEqual(recs);
          expect(framer.pending()).toBe(0);
        },
      ),
    );
  });
});

describe('EvdevKeypad on recorded matrix-keypad captures', () => {
  for (const layout of [16, 24] as const) {
    it(`${layout}-byte capture: presses and releases in order, autorepeat and unknown codes dropped`, async () => {
      const { stream, pad, keys } = padOn(layout);
      await pad.start();
      const bytes = fixture(layout);
      // deliver in awkward 7-byte pieces, as a slow reader might
      for (let i = 0; i < bytes.length; i += 7) stream.write(bytes.subarray(i, i + 7));
      await new Promise((r) => setImmediate(r));
      expect(keys.join(' ')).toBe('2v 2^ 0v 0^ 2v 2^ 6v 6^ #v #^ 1v 1^');
      expect(pad.unknownCodeCount()).toBe(1);
      expect(pad.status()).toBe('ready');
      await pad.stop();
    });
  }

  it('the wrong layout does not produce keys (records misread, nothing invented)', async () => {
    const { stream, pad, keys } = padOn(16);
    await pad.start();
    stream.write(fixture(24));
    await new Promise((r) => setImmediate(r));
    expect(keys.join(' ')).not.toBe('2v 2^ 0v 0^ 2v 2^ 6v 6^ #v #^ 1v 1^');
    await pad.stop();
  });

  it('reports a key held past stuckMs as stuck with its matrix position, and swallows its release', async () => {
    vi.useFakeTimers();
    const { stream, pad, keys } = padOn(24, 3000);
    const stuck: unknown[] = [];
    const unstuck: unknown[] = [];
    pad.on('stuck', (s) => stuck.push({ row: s.row, col: s.col }));
    pad.on('unstuck', (s) => unstuck.push(s));
    await pad.start();
    stream.write(keyRecord(24, 0, (2 << 2) | 1, 0x208, 1)); // '8' at row 2 col 1
    await vi.advanceTimersByTimeAsync(1);
    expect(keys).toEqual(['8v']);
    await vi.advanceTimersByTimeAsync(3000);
    expect(stuck).toEqual([{ row: 2, col: 1 }]);
    expect(pad.stuckKeys()).toEqual([{ row: 2, col: 1 }]);
    stream.write(keyRecord(24, 9000, (2 << 2) | 1, 0x208, 0));
    await vi.advanceTimersByTimeAsync(1);
    expect(unstuck).toEqual([{ row: 2, col: 1 }]);
    expect(keys).toEqual(['8v']);
    await pad.stop();
  });

  it('goes unavailable when the device disappears and reopens it', async () => {
    let opened = 0;
    const streams: PassThrough[] = [];
    const pad = new EvdevKeypad({
      device: '/dev/input/test',
      layout: 24,
      reopenMs: 5,
      openStream: () => {
        opened++;
        const s = new PassThrough();
        streams.push(s);
        return s;
      },
    });
    const statuses: string[] = [];
    pad.on('status', (s) => statuses.push(s.status));
    await pad.start();
    streams[0]!.destroy(Object.assign(new Error('gone'), { code: 'ENODEV' }));
    // The reopen comes after reopenMs; poll for it with a deadline rather than sleep a fixed time.
    for (const end = Date.now() + 10_000; opened < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
    expect(opened).toBeGreaterThanOrEqual(2);
    expect(statuses).toContain('unavailable');
    streams.at(-1)!.write(keyRecord(24, 0, 0, 0x205, 1));
    await new Promise((r) => setImmediate(r));
    expect(pad.status()).toBe('ready');
    await pad.stop();
    expect(pad.status()).toBe('stopped');
  });
});
