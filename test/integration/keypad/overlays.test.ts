// The shipped overlays must agree with the driver: every matrix position's key code maps (through the
// evdev keymap) to the key the layout has at that position; and the files compile with dtc when present.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVDEV_KEYMAP } from '../../../drivers/keypad/evdev-codes.ts';
import { LAYOUT_4X3, LAYOUT_4X4, type KeyLayout } from '../../../drivers/keypad/types.ts';

const dir = new URL('../../../drivers/keypad/overlays/', import.meta.url);
const hasDtc = (() => {
  try {
    execFileSync('dtc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

for (const [name, layout, ncols] of [
  ['4x3', LAYOUT_4X3, 3],
  ['4x4', LAYOUT_4X4, 4],
] as [string, KeyLayout, number][]) {
  describe(`overlay ${name}`, () => {
    const src = readFileSync(new URL(`idkiosk-keypad-${name}-overlay.dts`, dir), 'utf8');
    it('keymap entries cover the layout exactly', () => {
      const block = /linux,keymap = <([^>]*)>/.exec(src)![1]!.replace(/\/\*.*?\*\//g, '');
      const entries = block.match(/0x[0-9a-f]{8}/gi)!.map((h) => Number.parseInt(h, 16));
      expect(entries).toHaveLength(layout.length * ncols);
      for (const e of entries) {
        const row = e >>> 24;
        const col = (e >> 16) & 0xff;
        expect(DEFAULT_EVDEV_KEYMAP[e & 0xffff]).toBe(layout[row]![col]);
      }
      expect(src.match(/<&gpio \d+ 0>/g)).toHaveLength(4 + ncols);
      expect(src).toContain('linux,no-autorepeat');
    });
    it.skipIf(!hasDtc)('compiles with dtc -@', () => {
      const out = mkdtempSync(join(tmpdir(), 'dtbo-'));
      try {
        execFileSync('dtc', ['-@', '-q', '-I', 'dts', '-O', 'dtb', '-o', join(out, 'k.dtbo'), new URL(`idkiosk-keypad-${name}-overlay.dts`, dir).pathname]);
        expect(readFileSync(join(out, 'k.dtbo')).readUInt32BE(0)).toBe(0xd00dfeed);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  });
}

describe('udev rule', () => {
  const rule = readFileSync(new URL('../../../drivers/keypad/udev/65-idkiosk-keypad.rules', import.meta.url), 'utf8');
  it('hides the pad from libinput, gives it a stable name and restricts access to the input group', () => {
    expect(rule).toMatch(/ENV\{LIBINPUT_IGNORE_DEVICE\}="1"/);
    expect(rule).toMatch(/SYMLINK\+="input\/kiosk-keypad"/);
    expect(rule).toMatch(/GROUP="input", MODE="0640"/);
  });
});
