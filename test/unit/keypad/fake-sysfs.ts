// A fake /sys/class/gpio tree on disk plus the "kernel side" of it: export creates gpioN/, and a column's
// value reads low while a row wired to it through a pressed key is driven low. Everything else (paths,
// numbers, direction writes) is real files the driver under test reads and writes.
import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../../../core/log.ts';
import type { SysfsIO } from '../../../drivers/keypad/gpio-line.ts';
import { OnoffKeypad } from '../../../drivers/keypad/onoff.ts';
import { LAYOUT_4X3 } from '../../../drivers/keypad/types.ts';

export interface FakeChip {
  name: string;
  base: number;
  ngpio: number;
  label: string;
}

export const PI4_CHIPS: FakeChip[] = [
  { name: 'gpiochip512', base: 512, ngpio: 58, label: 'pinctrl-bcm2711' },
  { name: 'gpiochip570', base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio' },
];
export const PI5_CHIPS: FakeChip[] = [
  { name: 'gpiochip512', base: 512, ngpio: 32, label: 'gpio-brcmstb@107d508500' },
  { name: 'gpiochip544', base: 544, ngpio: 4, label: 'gpio-brcmstb@107d508520' },
  { name: 'gpiochip571', base: 571, ngpio: 54, label: 'pinctrl-rp1' },
];

export class FakeSysfs {
  readonly root: string;
  readonly exported: number[] = [];
  readonly unexported: number[] = [];
  /** pressed keys as sysfs line numbers: `${rowLine},${colLine}` */
  readonly pressed = new Set<string>();
  valueReads = 0;

  constructor(chips: FakeChip[]) {
    this.root = mkdtempSync(join(tmpdir(), 'fake-gpio-'));
    for (const c of chips) {
      const d = join(this.root, c.name);
      fs.mkdirSync(d);
      fs.writeFileSync(join(d, 'base'), `${c.base}\n`);
      fs.writeFileSync(join(d, 'ngpio'), `${c.ngpio}\n`);
      fs.writeFileSync(join(d, 'label'), `${c.label}\n`);
    }
    fs.writeFileSync(join(this.root, 'export'), '');
    fs.writeFileSync(join(this.root, 'unexport'), '');
  }

  press(rowLine: number, colLine: number): void {
    this.pressed.add(`${rowLine},${colLine}`);
  }
  release(rowLine: number, colLine: number): void {
    this.pressed.delete(`${rowLine},${colLine}`);
  }

  direction(n: number): string {
    return fs.readFileSync(join(this.root, `gpio${n}`, 'direction'), 'utf8').trim();
  }

  readonly io: SysfsIO = {
    existsSync: (p) => fs.existsSync(p),
    writeFileSync: (p, data) => {
      const n = Number.parseInt(data, 10);
      if (p === join(this.root, 'export')) {
        if (fs.existsSync(join(this.root, `gpio${n}`))) throw Object.assign(new Error('busy'), { code: 'EBUSY' });
        const d = join(this.root, `gpio${n}`);
        fs.mkdirSync(d);
        fs.writeFileSync(join(d, 'direction'), 'in\n');
        fs.writeFileSync(join(d, 'value'), '1\n');
        this.exported.push(n);
        return;
      }
      if (p === join(this.root, 'unexport')) {
        fs.rmSync(join(this.root, `gpio${n}`), { recursive: true });
        this.unexported.push(n);
        return;
      }
      if (!fs.existsSync(dirname(p))) throw Object.assign(new Error('no such line'), { code: 'ENOENT' });
      fs.writeFileSync(p, data);
    },
    readFileSync: (p, enc) => {
      if (basename(p) === 'value') {
        this.valueReads++;
        const n = Number.parseInt(basename(dirname(p)).slice(4), 10);
        // A column reads 0 when any row line driven low connects to it through a pressed key.
        for (const k of this.pressed) {
          const [r, c] = k.split(',').map(Number);
          if (c === n && this.direction(r!) === 'low') return '0\n';
        }
        return fs.readFileSync(p, enc);
      }
      return fs.readFileSync(p, enc);
    },
  };

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The header pins of the 4×3 test keypad (BCM numbers): rows, then columns. */
export const PAD_ROWS = [5, 6, 13, 19];
export const PAD_COLS = [12, 16, 20];

/** An OnoffKeypad on the fake tree with the test keypad's pins; scans are stepped by hand. */
export function onoffPadOn(fake: FakeSysfs, o: { now: () => number; log?: Logger; debounceScans?: number; stuckMs?: number }): OnoffKeypad {
  return new OnoffKeypad({
    rowPins: PAD_ROWS,
    colPins: PAD_COLS,
    layout: LAYOUT_4X3,
    sysfsRoot: fake.root,
    lines: 'sysfs-files',
    io: fake.io,
    scanIntervalMs: 60_000, // tests step scans by hand
    ...o,
  });
}
