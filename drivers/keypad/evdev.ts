// evdev backend: reads struct input_event records from /dev/input/event* (the kernel gpio-matrix-keypad
// driver scans and debounces; we only decode). Recommended on current Raspberry Pi OS.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { BaseKeypad } from './base.ts';
import { DEFAULT_EVDEV_KEYMAP, EV_KEY, EV_MSC, EV_SYN } from './evdev-codes.ts';
import { nullLogger, type Logger } from '../../core/log.ts';
import { KeyEvent, type KeyName } from './types.ts';

export interface InputEvent {
  sec: number;
  usec: number;
  type: number;
  code: number;
  value: number;
}

/** 24 bytes for a 64-bit process, 16 for a 32-bit one (also with 64-bit time userspace). */
export type InputEventLayout = 16 | 24;

const ARCH_64 = new Set(['arm64', 'x64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el']);
export function nativeLayout(arch: string = process.arch): InputEventLayout {
  return ARCH_64.has(arch) ? 24 : 16;
}

export function decodeInputEvent(buf: Buffer, offset: number, layout: InputEventLayout): InputEvent {
  if (layout === 24) {
    return {
      sec: Number(buf.readBigInt64LE(offset)),
      usec: Number(buf.readBigInt64LE(offset + 8)),
      type: buf.readUInt16LE(offset + 16),
      code: buf.readUInt16LE(offset + 18),
      value: buf.readInt32LE(offset + 20),
    };
  }
  return {
    sec: buf.readUInt32LE(offset),
    usec: buf.readUInt32LE(offset + 4),
    type: buf.readUInt16LE(offset + 8),
    code: buf.readUInt16LE(offset + 10),
    value: buf.readInt32LE(offset + 12),
  };
}

export function encodeInputEvent(ev: InputEvent, layout: InputEventLayout): Buffer {
  const b = Buffer.alloc(layout);
  if (layout === 24) {
    b.writeBigInt64LE(BigInt(ev.sec), 0);
    b.writeBigInt64LE(BigInt(ev.usec), 8);
    b.writeUInt16LE(ev.type, 16);
    b.writeUInt16LE(ev.code, 18);
    b.writeInt32LE(ev.value, 20);
  } else {
    b.writeUInt32LE(ev.sec, 0);
    b.writeUInt32LE(ev.usec, 4);
    b.writeUInt16LE(ev.type, 8);
    b.writeUInt16LE(ev.code, 10);
    b.writeInt32LE(ev.value, 12);
  }
  return b;
}

/** Fixed-size framer: reads can end mid-record, so the remainder is carried into the next chunk. */
export class InputEventFramer {
  private rest: Buffer = Buffer.alloc(0);
  constructor(readonly layout: InputEventLayout) {}

  push(chunk: Buffer): InputEvent[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: InputEvent[] = [];
    let off = 0;
    for (; off + this.layout <= buf.length; off += this.layout) out.push(decodeInputEvent(buf, off, this.layout));
    this.rest = Buffer.from(buf.subarray(off));
    return out;
  }

  pending(): number {
    return this.rest.length;
  }
}

export interface EvdevKeypadOptions {
  /** e.g. /dev/input/kiosk-keypad (the udev symlink) */
  device: string;
  layout?: InputEventLayout;
  keymap?: Readonly<Record<number, KeyName>>;
  /** Columns of the matrix, to turn MSC_SCAN codes into row/col for stuck-key reports (default 4). */
  cols?: number;
  /** A key held this long is reported stuck and ignored until released (default 10 s). */
  stuckMs?: number;
  /** Retry interval after the device disappears (default 2 s). */
  reopenMs?: number;
  openStream?: (device: string) => Readable;
  now?: () => number;
  log?: Logger;
}

export class EvdevKeypad extends BaseKeypad {
  readonly backend = 'evdev' as const;
  private readonly opts: Required<Omit<EvdevKeypadOptions, 'log'>>;
  private stream: Readable | null = null;
  private framer: InputEventFramer;
  private lastScan: number | null = null;
  /** code → press bookkeeping; used for stuck detection and for dropping releases of suppressed keys. */
  private readonly held = new Map<number, { timer: NodeJS.Timeout; row: number; col: number; stuck: boolean }>();
  private reopenTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private unknownCodes = 0;

  constructor(opts: EvdevKeypadOptions) {
    super(opts.log ?? nullLogger);
    this.opts = {
      device: opts.device,
      layout: opts.layout ?? nativeLayout(),
      keymap: opts.keymap ?? DEFAULT_EVDEV_KEYMAP,
      cols: opts.cols ?? 4,
      stuckMs: opts.stuckMs ?? 10_000,
      reopenMs: opts.reopenMs ?? 2_000,
      openStream: opts.openStream ?? ((d) => createReadStream(d, { highWaterMark: 24 * 64 })),
      now: opts.now ?? (() => performance.now()),
    };
    this.framer = new InputEventFramer(this.opts.layout);
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.setStatus('starting');
    this.open();
  }

  private open(): void {
    this.framer = new InputEventFramer(this.opts.layout);
    let s: Readable;
    try {
      s = this.opts.openStream(this.opts.device);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.stream = s;
    s.on('open', () => this.setStatus('ready'));
    s.on('ready', () => this.setStatus('ready'));
    s.on('data', (chunk: Buffer | string) => {
      this.setStatus('ready');
      for (const ev of this.framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) this.handle(ev);
    });
    s.on('error', (e) => this.fail(e));
    s.on('end', () => this.fail(new Error('device closed')));
  }

  private fail(e: unknown): void {
    if (this.stopping) return;
    const code = (e as NodeJS.ErrnoException)?.code ?? 'closed';
    this.stream?.removeAllListeners();
    this.stream?.destroy();
    this.stream = null;
    this.releaseAllHeld();
    this.setStatus('unavailable', String(code));
    if (!this.reopenTimer) {
      this.reopenTimer = setTimeout(() => {
        this.reopenTimer = null;
        if (!this.stopping) this.open();
      }, this.opts.reopenMs);
    }
  }

  /** Feeds one decoded record; public so recorded captures can be replayed without a device. */
  handle(ev: InputEvent): void {
    if (ev.type === EV_MSC && ev.code === 4) {
      this.lastScan = ev.value;
      return;
    }
    if (ev.type === EV_SYN) {
      this.lastScan = null;
      return;
    }
    if (ev.type !== EV_KEY) return;
    const key = this.opts.keymap[ev.code];
    if (!key) {
      // Count, do not log the code: on a mis-wired pad the code is as good as the digit.
      this.unknownCodes++;
      return;
    }
    if (ev.value === 2) return; // autorepeat: a PIN pad must not repeat
    const at = this.opts.now();
    if (ev.value === 1) {
      if (this.held.has(ev.code)) return;
      const shift = Math.ceil(Math.log2(Math.max(2, this.opts.cols)));
      const row = this.lastScan === null ? -1 : this.lastScan >> shift;
      const col = this.lastScan === null ? -1 : this.lastScan & ((1 << shift) - 1);
      const entry = {
        row,
        col,
        stuck: false,
        timer: setTimeout(() => {
          entry.stuck = true;
          this.stuck.set(String(ev.code), { row, col });
          this.log.warn('keypad key stuck', { backend: 'evdev', row, col });
          this.events.emit('stuck', { row, col, since: at });
        }, this.opts.stuckMs),
      };
      this.held.set(ev.code, entry);
      this.emitKey(new KeyEvent(key, 'down', at, 'evdev'));
    } else if (ev.value === 0) {
      const entry = this.held.get(ev.code);
      if (!entry) return;
      clearTimeout(entry.timer);
      this.held.delete(ev.code);
      if (entry.stuck) {
        this.stuck.delete(String(ev.code));
        this.log.info('keypad key released after stuck', { backend: 'evdev', row: entry.row, col: entry.col });
        this.events.emit('unstuck', { row: entry.row, col: entry.col });
        return;
      }
      this.emitKey(new KeyEvent(key, 'up', at, 'evdev'));
    }
  }

  private releaseAllHeld(): void {
    for (const e of this.held.values()) clearTimeout(e.timer);
    this.held.clear();
    this.stuck.clear();
  }

  /** Records whose code is not in the keymap (counted, never logged). */
  unknownCodeCount(): number {
    return this.unknownCodes;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    this.releaseAllHeld();
    this.stream?.removeAllListeners();
    this.stream?.destroy();
    this.stream = null;
    this.setStatus('stopped');
  }
}
