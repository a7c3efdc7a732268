// One GPIO line as the matrix scanner needs it. Two bindings: onoff (the design card's library; real
// /sys/class/gpio, epoll-capable) and a plain-file sysfs binding with an injectable root and file I/O
// (what the tests use against a fake tree — onoff hard-codes /sys/class/gpio and its epoll watch needs
// real sysfs files, and the scanner polls anyway).
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

/** 'in' = input / high impedance; 'low' and 'high' = output driven to that level. */
export type LineDirection = 'in' | 'low' | 'high';

export interface GpioLine {
  readonly number: number;
  setDirection(dir: LineDirection): void;
  /** Raw electrical level. */
  read(): 0 | 1;
  release(): void;
}

export type GpioLineFactory = (sysfsNumber: number) => Promise<GpioLine>;

/** The subset of node:fs the sysfs binding touches; tests wrap it to emulate the kernel side. */
export interface SysfsIO {
  existsSync(p: string): boolean;
  readFileSync(p: string, enc: 'utf8'): string;
  writeFileSync(p: string, data: string): void;
}

const nodeIO: SysfsIO = {
  existsSync: (p) => fs.existsSync(p),
  readFileSync: (p, enc) => fs.readFileSync(p, enc),
  writeFileSync: (p, d) => fs.writeFileSync(p, d),
};

export function sysfsLineFactory(root: string, io: SysfsIO = nodeIO, exportWaitMs = 1000): GpioLineFactory {
  return async (n) => {
    const dir = join(root, `gpio${n}`);
    if (!io.existsSync(dir)) {
      try {
        io.writeFileSync(join(root, 'export'), String(n));
      } catch (e) {
        throw new KioskError(ErrorCodes.KEYPAD_UNAVAILABLE, 'GPIO export failed', { gpio: n, errno: (e as NodeJS.ErrnoException).code });
      }
    }
    // udev fixes the permissions of a freshly exported line a moment later; retry until writable.
    const deadline = Date.now() + exportWaitMs;
    for (;;) {
      try {
        io.writeFileSync(join(dir, 'direction'), 'in');
        break;
      } catch (e) {
        if (Date.now() > deadline) {
          throw new KioskError(ErrorCodes.KEYPAD_UNAVAILABLE, 'GPIO line not writable after export', {
            gpio: n,
            errno: (e as NodeJS.ErrnoException).code,
          });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    return {
      number: n,
      setDirection: (d) => io.writeFileSync(join(dir, 'direction'), d),
      read: () => (io.readFileSync(join(dir, 'value'), 'utf8').trim() === '0' ? 0 : 1),
      release: () => {
        try {
          io.writeFileSync(join(dir, 'direction'), 'in');
          io.writeFileSync(join(root, 'unexport'), String(n));
        } catch {
          // already gone
        }
      },
    };
  };
}

/** onoff binding, loaded lazily: its native epoll addon must not load in processes that do not use it. */
export async function onoffLineFactory(): Promise<GpioLineFactory> {
  const { Gpio } = await import('onoff');
  if (!Gpio.accessible) {
    throw new KioskError(ErrorCodes.KEYPAD_UNAVAILABLE, 'sysfs GPIO not accessible (onoff)');
  }
  return async (n) => {
    const g = new Gpio(n, 'in');
    return {
      number: n,
      setDirection: (d) => g.setDirection(d),
      read: () => (g.readSync() === 0 ? 0 : 1),
      release: () => g.unexport(),
    };
  };
}
