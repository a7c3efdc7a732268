// Legacy sysfs GPIO numbers are offset by the chip base (512 on a Pi 4 with kernel 6.6+, 571 on a Pi 5,
// 0 on older kernels). Read base/label/ngpio from <root>/gpiochip*/ instead of hard-coding; the root is
// injectable so tests can point at a fake tree.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

export const DEFAULT_SYSFS_GPIO_ROOT = '/sys/class/gpio';

/** Labels of the chip that drives the 40-pin header, best first. */
export const HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'];

export interface GpioChip {
  name: string;
  base: number;
  ngpio: number;
  label: string;
}

export function readGpioChips(root = DEFAULT_SYSFS_GPIO_ROOT): GpioChip[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith('gpiochip'));
  } catch (e) {
    throw new KioskError(ErrorCodes.KEYPAD_UNAVAILABLE, 'sysfs GPIO is not available (removed on newer OS releases: use the evdev backend)', {
      root,
      errno: (e as NodeJS.ErrnoException).code,
    });
  }
  const chips: GpioChip[] = [];
  for (const name of names) {
    try {
      const rd = (f: string) => readFileSync(join(root, name, f), 'utf8').trim();
      chips.push({ name, base: Number.parseInt(rd('base'), 10), ngpio: Number.parseInt(rd('ngpio'), 10), label: rd('label') });
    } catch {
      // a chip directory without the attributes is not usable; skip it
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/** Picks the header chip: the configured label, else the first known Raspberry Pi header label found. */
export function pickHeaderChip(chips: GpioChip[], label?: string): GpioChip {
  const wanted = label ? [label] : HEADER_CHIP_LABELS;
  for (const l of wanted) {
    const c = chips.find((x) => x.label === l);
    if (c) return c;
  }
  throw new KioskError(ErrorCodes.KEYPAD_UNAVAILABLE, 'no GPIO chip with the expected label', {
    wanted: wanted.join(','),
    found: chips.map((c) => `${c.name}:${c.label}`).join(','),
  });
}

/** Header (BCM) line offset → sysfs number. */
export function sysfsNumber(chip: GpioChip, offset: number): number {
  if (!Number.isInteger(offset) || offset < 0 || offset >= chip.ngpio) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, 'GPIO offset outside the chip', { offset, chip: chip.label, ngpio: chip.ngpio });
  }
  return chip.base + offset;
}
