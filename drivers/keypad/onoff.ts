// onoff backend: userspace matrix scanning over sysfs GPIO. For kernels/images where the
// gpio-matrix-keypad overlay cannot be used; sysfs GPIO is gone on Raspberry Pi OS Trixie, and onoff
// cannot set pull-ups (put `gpio=<cols>=ip,pu` in config.txt or fit external pull-ups).
import { at } from '../../core/checked.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { BaseKeypad } from './base.ts';
import { DEFAULT_SYSFS_GPIO_ROOT, pickHeaderChip, readGpioChips, sysfsNumber } from './gpiochip.ts';
import { onoffLineFactory, sysfsLineFactory, type GpioLine, type GpioLineFactory, type SysfsIO } from './gpio-line.ts';
import { nullLogger, type Logger } from '../../core/log.ts';
import { MatrixScanner, type ScanChange } from './matrix-scan.ts';
import { KeyEvent, type KeyLayout } from './types.ts';

export interface OnoffKeypadOptions {
  /** Header (BCM) line offsets, e.g. rows [5, 6, 13, 19], cols [12, 16, 20] */
  rowPins: number[];
  colPins: number[];
  layout: KeyLayout;
  /** Sysfs root (tests: a fake tree). Default /sys/class/gpio. */
  sysfsRoot?: string;
  /** Header chip label override (default: pinctrl-rp1 / pinctrl-bcm2711 / pinctrl-bcm2835). */
  chipLabel?: string;
  /** 'onoff' for real hardware; 'sysfs-files' to poll plain files (fake trees in tests). Default 'onoff'. */
  lines?: 'onoff' | 'sysfs-files';
  io?: SysfsIO;
  scanIntervalMs?: number;
  debounceScans?: number;
  stuckMs?: number;
  now?: () => number;
  log?: Logger;
}

export class OnoffKeypad extends BaseKeypad {
  readonly backend = 'onoff' as const;
  private scanner: MatrixScanner | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: OnoffKeypadOptions) {
    super(opts.log ?? nullLogger);
    if (opts.layout.length !== opts.rowPins.length || opts.layout.some((r) => r.length !== opts.colPins.length)) {
      throw new KioskError(ErrorCodes.CONFIG_INVALID, 'keypad layout does not match the row/column pin counts');
    }
  }

  async start(): Promise<void> {
    this.setStatus('starting');
    const root = this.opts.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT;
    try {
      const chip = pickHeaderChip(readGpioChips(root), this.opts.chipLabel);
      const factory: GpioLineFactory = this.opts.lines === 'sysfs-files' ? sysfsLineFactory(root, this.opts.io) : await onoffLineFactory();
      const made: GpioLine[] = [];
      try {
        for (const p of [...this.opts.rowPins, ...this.opts.colPins]) made.push(await factory(sysfsNumber(chip, p)));
      } catch (e) {
        for (const l of made) l.release();
        throw e;
      }
      this.log.info('keypad gpio lines', {
        chip: chip.label,
        base: chip.base,
        rows: made
          .slice(0, this.opts.rowPins.length)
          .map((l) => l.number)
          .join(','),
        cols: made
          .slice(this.opts.rowPins.length)
          .map((l) => l.number)
          .join(','),
      });
      this.scanner = new MatrixScanner(made.slice(0, this.opts.rowPins.length), made.slice(this.opts.rowPins.length), {
        debounceScans: this.opts.debounceScans ?? 3,
        stuckMs: this.opts.stuckMs ?? 10_000,
      });
    } catch (e) {
      this.setStatus('unavailable', (e as { code?: string }).code ?? 'error');
      throw e;
    }
    this.setStatus('ready');
    this.timer = setInterval(() => this.scanOnce(), this.opts.scanIntervalMs ?? 10);
  }

  /** One scan step (the interval calls it; tests may call it directly). */
  scanOnce(): void {
    if (!this.scanner) return;
    let changes: ScanChange[];
    try {
      changes = this.scanner.scan((this.opts.now ?? (() => performance.now()))());
    } catch (e) {
      this.setStatus('unavailable', (e as NodeJS.ErrnoException).code ?? 'read-failed');
      return;
    }
    if (this.current === 'unavailable') this.setStatus('ready');
    for (const ch of changes) {
      const key = at(at(this.opts.layout, ch.row), ch.col); // the layout matches the pins (checked at construction)
      if (ch.kind === 'down' || ch.kind === 'up') this.emitKey(new KeyEvent(key, ch.kind, ch.at, 'onoff'));
      else if (ch.kind === 'stuck') {
        this.stuck.set(`${ch.row},${ch.col}`, { row: ch.row, col: ch.col });
        this.log.warn('keypad key stuck', { backend: 'onoff', row: ch.row, col: ch.col });
        this.events.emit('stuck', ch);
      } else {
        this.stuck.delete(`${ch.row},${ch.col}`);
        this.log.info('keypad key released after stuck', { backend: 'onoff', row: ch.row, col: ch.col });
        this.events.emit('unstuck', { row: ch.row, col: ch.col });
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.scanner?.release();
    this.scanner = null;
    this.setStatus('stopped');
  }
}
