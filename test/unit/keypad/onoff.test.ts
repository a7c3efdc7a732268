import { afterEach, describe, expect, it } from 'vitest';
import { pickHeaderChip, readGpioChips } from '../../../drivers/keypad/gpiochip.ts';
import { memoryLogger } from '../../../core/log.ts';
import { OnoffKeypad } from '../../../drivers/keypad/onoff.ts';
import { LAYOUT_4X3, type KeyEvent } from '../../../drivers/keypad/types.ts';
import { FakeSysfs, onoffPadOn, PAD_COLS, PAD_ROWS, PI4_CHIPS, PI5_CHIPS } from './fake-sysfs.ts';

const ROWS = PAD_ROWS;
const COLS = PAD_COLS;

const trees: FakeSysfs[] = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.cleanup();
});

function setup(chips = PI4_CHIPS, opts: { debounceScans?: number; stuckMs?: number } = {}) {
  const fake = new FakeSysfs(chips);
  trees.push(fake);
  let now = 0;
  const log = memoryLogger();
  const pad = onoffPadOn(fake, { now: () => now, log, debounceScans: opts.debounceScans ?? 3, stuckMs: opts.stuckMs ?? 1000 });
  const keys: { key: string; action: string }[] = [];
  const stuck: { row: number; col: number }[] = [];
  pad.on('key', (e: KeyEvent) => keys.push({ key: e.key, action: e.action }), 'test');
  pad.on('stuck', (s) => stuck.push({ row: s.row, col: s.col }), 'test');
  const scan = (n = 1, dt = 10) => {
    for (let i = 0; i < n; i++) {
      now += dt;
      pad.scanOnce();
    }
  };
  return { fake, pad, keys, stuck, scan, log, base: chips === PI5_CHIPS ? 571 : 512 };
}

describe('gpiochip base translation', () => {
  it('reads base and label and picks the header chip on a Pi 4 (512) and a Pi 5 (571)', () => {
    const pi4 = new FakeSysfs(PI4_CHIPS);
    const pi5 = new FakeSysfs(PI5_CHIPS);
    trees.push(pi4, pi5);
    expect(pickHeaderChip(readGpioChips(pi4.root)).base).toBe(512);
    const c5 = pickHeaderChip(readGpioChips(pi5.root));
    expect(c5).toMatchObject({ base: 571, label: 'pinctrl-rp1', ngpio: 54 });
  });

  it('refuses a tree without a known header chip, naming what it found', () => {
    const t = new FakeSysfs([{ name: 'gpiochip0', base: 0, ngpio: 8, label: 'some-expander' }]);
    trees.push(t);
    expect(() => pickHeaderChip(readGpioChips(t.root))).toThrow(/expected label/);
  });

  it('reports KEYPAD_UNAVAILABLE when sysfs GPIO does not exist (Trixie)', async () => {
    const pad = new OnoffKeypad({ rowPins: ROWS, colPins: COLS, layout: LAYOUT_4X3, sysfsRoot: '/nonexistent/gpio', lines: 'sysfs-files' });
    await expect(pad.start()).rejects.toMatchObject({ code: 'KEYPAD_UNAVAILABLE' });
    expect(pad.status()).toBe('unavailable');
  });

  for (const chips of [PI4_CHIPS, PI5_CHIPS]) {
    it(`exports base + BCM offset (base ${chips === PI4_CHIPS ? 512 : 571}) and unexports on stop`, async () => {
      const { fake, pad, base } = setup(chips);
      await pad.start();
      expect(fake.exported).toEqual([...ROWS, ...COLS].map((p) => base + p));
      await pad.stop();
      expect(fake.unexported.sort()).toEqual([...ROWS, ...COLS].map((p) => base + p).sort());
    });
  }
});

describe('matrix scan over the fake tree', () => {
  it('drives one row at a time and decodes every key of the 4×3 layout', async () => {
    const { fake, pad, keys, scan, base } = setup(PI5_CHIPS);
    await pad.start();
    scan(5);
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 3; c++) {
        fake.press(base + ROWS[r]!, base + COLS[c]!);
        scan(3);
        fake.release(base + ROWS[r]!, base + COLS[c]!);
        scan(3);
      }
    expect(
      keys
        .filter((k) => k.action === 'down')
        .map((k) => k.key)
        .join(''),
    ).toBe('123456789*0#');
    expect(keys.filter((k) => k.action === 'up')).toHaveLength(12);
    // rows are left high-impedance between scans
    for (const r of ROWS) expect(fake.direction(base + r)).toBe('in');
    await pad.stop();
  });

  it('debounces: a contact shorter than debounceScans is ignored, a steady one is accepted once', async () => {
    const { fake, pad, keys, scan, base } = setup(PI4_CHIPS, { debounceScans: 3 });
    await pad.start();
    scan(4);
    const r = base + ROWS[1]!;
    const c = base + COLS[1]!; // '5'
    // bounce: on, off, on, off, on-off… never three equal scans in a row while pressed
    for (const on of [1, 0, 1, 1, 0, 1, 0]) {
      if (on) fake.press(r, c);
      else fake.release(r, c);
      scan(1);
    }
    expect(keys).toEqual([]);
    fake.press(r, c);
    scan(2);
    expect(keys).toEqual([]);
    scan(1);
    expect(keys).toEqual([{ key: '5', action: 'down' }]);
    // release bounce does not produce a second press
    for (const on of [0, 1, 0, 0]) {
      if (on) fake.press(r, c);
      else fake.release(r, c);
      scan(1);
    }
    scan(3);
    expect(keys).toEqual([
      { key: '5', action: 'down' },
      { key: '5', action: 'up' },
    ]);
    await pad.stop();
  });

  it('reports a key held past stuckMs as stuck (once), ignores it until released, then recovers', async () => {
    const { fake, pad, keys, stuck, scan, base, log } = setup(PI4_CHIPS, { stuckMs: 500 });
    const unstuck: unknown[] = [];
    pad.on('unstuck', (u) => unstuck.push(u), 'test');
    await pad.start();
    scan(4);
    fake.press(base + ROWS[2]!, base + COLS[0]!); // '7'
    scan(3);
    expect(keys).toEqual([{ key: '7', action: 'down' }]);
    scan(60); // 600 ms
    expect(stuck).toEqual([{ row: 2, col: 0 }]);
    expect(pad.stuckKeys()).toEqual([{ row: 2, col: 0 }]);
    fake.release(base + ROWS[2]!, base + COLS[0]!);
    scan(3);
    expect(unstuck).toEqual([{ row: 2, col: 0 }]);
    expect(pad.stuckKeys()).toEqual([]);
    expect(keys).toEqual([{ key: '7', action: 'down' }]); // no 'up' for a stuck key
    expect(log.text()).toMatch(/stuck/);
    await pad.stop();
  });

  it('a key already down when scanning starts is stuck, not a key press', async () => {
    const { fake, pad, keys, stuck, scan, base } = setup(PI4_CHIPS);
    fake.press(base + ROWS[3]!, base + COLS[2]!);
    await pad.start();
    scan(10);
    expect(keys).toEqual([]);
    expect(stuck).toEqual([{ row: 3, col: 2 }]);
    await pad.stop();
  });

  it('removes listeners by owner', async () => {
    const { pad } = setup();
    pad.on('key', () => {}, 'ui');
    pad.on('status', () => {}, 'ui');
    pad.removeOwner('ui');
    pad.removeOwner('test');
    // nothing left to deliver to: a press must not throw and must not reach anyone
    expect((pad as unknown as { events: { listenerCount(): number } }).events.listenerCount()).toBe(0);
  });
});
