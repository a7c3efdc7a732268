// Strict ESC/POS push parser for the virtual printer: exactly the commands idkiosk emits (plus CR), with
// their parameter ranges; anything else is an ESCPOS_INVALID error naming the byte offset. Commands may
// arrive split across serial reads; an incomplete command waits for more bytes.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';

export type Op =
  | { t: 'text'; bytes: Buffer }
  | { t: 'lf' }
  | { t: 'init' }
  | { t: 'code-table'; n: number }
  | { t: 'intl'; n: number }
  | { t: 'kanji-code'; sjis: boolean }
  | { t: 'kanji'; on: boolean }
  | { t: 'align'; v: 'left' | 'center' | 'right' }
  | { t: 'bold'; on: boolean }
  | { t: 'font'; small: boolean }
  | { t: 'size'; w: number; h: number }
  | { t: 'feed'; n: number }
  | { t: 'cut'; partial: boolean; feed: number }
  | { t: 'asb'; mask: number }
  | { t: 'gsr'; n: number }
  | { t: 'rt-status'; n: 1 | 2 | 3 | 4 }
  | { t: 'rt-recover'; n: 1 | 2 }
  | { t: 'qr-model'; model: number }
  | { t: 'qr-size'; n: number }
  | { t: 'qr-ec'; level: 'L' | 'M' | 'Q' | 'H' }
  | { t: 'qr-store'; data: Buffer }
  | { t: 'qr-print' }
  | { t: 'raster'; widthBytes: number; height: number; data: Buffer };

const NEED_MORE = Symbol('need-more');
type Step = { op: Op | null; len: number } | typeof NEED_MORE;

export class EscPosParser {
  private buf: Buffer = Buffer.alloc(0);
  /** Total bytes consumed before buf[0], for error offsets. */
  private consumed = 0;

  /** Parses as much as possible; throws KioskError ESCPOS_INVALID on the first unknown sequence. */
  push(chunk: Buffer): Op[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const ops: Op[] = [];
    for (;;) {
      if (this.buf.length === 0) break;
      const s = this.step(this.buf);
      if (s === NEED_MORE) break;
      if (s.op) ops.push(s.op);
      this.buf = this.buf.subarray(s.len);
      this.consumed += s.len;
    }
    return ops;
  }

  /** Bytes of an incomplete trailing command (should be 0 at the end of a job). */
  pending(): number {
    return this.buf.length;
  }

  private bad(rel: number, what: string): never {
    throw new KioskError(ErrorCodes.ESCPOS_INVALID, `unknown or invalid ESC/POS: ${what}`, {
      offset: this.consumed + rel,
      byte: this.buf[rel] ?? -1,
    });
  }

  private step(b: Buffer): Step {
    const c = b.readUInt8(0);
    if (c >= 0x20 && c !== 0x7f) {
      let i = 1;
      while (i < b.length && (b[i] ?? 0) >= 0x20 && b[i] !== 0x7f) i++;
      return { op: { t: 'text', bytes: Buffer.from(b.subarray(0, i)) }, len: i };
    }
    if (c === 0x0a) return { op: { t: 'lf' }, len: 1 };
    if (c === 0x0d) return { op: null, len: 1 };
    const need = (n: number) => b.length < n;
    const p = (i: number) => b.readUInt8(i); // after need(): in b
    if (c === 0x1b) {
      if (need(2)) return NEED_MORE;
      switch (p(1)) {
        case 0x40:
          return { op: { t: 'init' }, len: 2 };
        case 0x74:
          if (need(3)) return NEED_MORE;
          if (p(2) !== 0 && p(2) !== 1) this.bad(2, 'ESC t: only tables 0 and 1 (Katakana)');
          return { op: { t: 'code-table', n: p(2) }, len: 3 };
        case 0x52:
          if (need(3)) return NEED_MORE;
          if (p(2) > 17) this.bad(2, 'ESC R range');
          return { op: { t: 'intl', n: p(2) }, len: 3 };
        case 0x61: {
          if (need(3)) return NEED_MORE;
          const align = (['left', 'center', 'right'] as const)[p(2) % 48];
          if (align === undefined || (p(2) > 2 && p(2) < 48) || p(2) > 50) this.bad(2, 'ESC a range');
          return { op: { t: 'align', v: align }, len: 3 };
        }
        case 0x45:
          if (need(3)) return NEED_MORE;
          return { op: { t: 'bold', on: (p(2) & 1) === 1 }, len: 3 };
        case 0x4d:
          if (need(3)) return NEED_MORE;
          if (![0, 1, 48, 49].includes(p(2))) this.bad(2, 'ESC M range');
          return { op: { t: 'font', small: p(2) % 48 === 1 }, len: 3 };
        case 0x64:
          if (need(3)) return NEED_MORE;
          return { op: { t: 'feed', n: p(2) }, len: 3 };
        default:
          this.bad(1, 'ESC command');
      }
    }
    if (c === 0x1c) {
      if (need(2)) return NEED_MORE;
      if (p(1) === 0x26) return { op: { t: 'kanji', on: true }, len: 2 };
      if (p(1) === 0x2e) return { op: { t: 'kanji', on: false }, len: 2 };
      if (p(1) === 0x43) {
        if (need(3)) return NEED_MORE;
        const n = p(2);
        if (![0, 1, 48, 49].includes(n)) this.bad(2, 'FS C: only JIS (0) and Shift_JIS (1)');
        return { op: { t: 'kanji-code', sjis: n === 1 || n === 49 }, len: 3 };
      }
      this.bad(1, 'FS command');
    }
    if (c === 0x10) {
      if (need(3)) return NEED_MORE;
      if (p(1) === 0x04 && p(2) >= 1 && p(2) <= 4) return { op: { t: 'rt-status', n: p(2) as 1 | 2 | 3 | 4 }, len: 3 };
      if (p(1) === 0x05 && (p(2) === 1 || p(2) === 2)) return { op: { t: 'rt-recover', n: p(2) as 1 | 2 }, len: 3 };
      this.bad(1, 'DLE command');
    }
    if (c === 0x1d) {
      if (need(2)) return NEED_MORE;
      switch (p(1)) {
        case 0x21:
          if (need(3)) return NEED_MORE;
          if ((p(2) & 0x88) !== 0) this.bad(2, 'GS ! size above 8');
          return { op: { t: 'size', w: (p(2) >> 4) + 1, h: (p(2) & 7) + 1 }, len: 3 };
        case 0x56: {
          if (need(3)) return NEED_MORE;
          const m = p(2);
          if (m === 0 || m === 48 || m === 1 || m === 49) return { op: { t: 'cut', partial: m % 48 === 1, feed: 0 }, len: 3 };
          if (m === 65 || m === 66) {
            if (need(4)) return NEED_MORE;
            return { op: { t: 'cut', partial: m === 66, feed: p(3) }, len: 4 };
          }
          return this.bad(2, 'GS V mode');
        }
        case 0x61:
          if (need(3)) return NEED_MORE;
          return { op: { t: 'asb', mask: p(2) }, len: 3 };
        case 0x72:
          if (need(3)) return NEED_MORE;
          if (![1, 2, 49, 50].includes(p(2))) this.bad(2, 'GS r n');
          return { op: { t: 'gsr', n: p(2) % 48 }, len: 3 };
        case 0x28:
          return this.gsParen(b);
        case 0x76: {
          if (need(8)) return NEED_MORE;
          if (p(2) !== 0x30 || (p(3) !== 0 && p(3) !== 48)) this.bad(2, 'GS v 0 mode (only normal size)');
          const wb = p(4) + 256 * p(5);
          const h = p(6) + 256 * p(7);
          if (wb < 1 || wb > 128 || h < 1 || h > 2303) this.bad(4, 'GS v 0 size');
          const total = 8 + wb * h;
          if (need(total)) return NEED_MORE;
          return { op: { t: 'raster', widthBytes: wb, height: h, data: Buffer.from(b.subarray(8, total)) }, len: total };
        }
        default:
          this.bad(1, 'GS command');
      }
    }
    this.bad(0, 'control byte');
  }

  private gsParen(b: Buffer): Step {
    if (b.length < 5) return NEED_MORE;
    if (b[2] !== 0x6b) this.bad(2, 'GS ( function other than k (QR)');
    const len = b.readUInt16LE(3);
    if (len < 2) this.bad(3, 'GS ( k length');
    if (b.length < 5 + len) return NEED_MORE;
    const cn = b.readUInt8(5);
    const fn = b.readUInt8(6);
    const args = b.subarray(7, 5 + len);
    const a0 = args[0] ?? -1; // -1: no argument, refused below as out of range
    if (cn !== 0x31) this.bad(5, 'GS ( k symbol other than QR');
    const total = 5 + len;
    const exact = (n: number) => {
      if (args.length !== n) this.bad(3, `GS ( k fn ${fn}: length ${len} does not fit`);
    };
    switch (fn) {
      case 0x41:
        exact(2);
        if (![0x31, 0x32, 0x33].includes(a0) || args[1] !== 0) this.bad(7, 'QR model');
        return { op: { t: 'qr-model', model: a0 - 0x30 }, len: total };
      case 0x43:
        exact(1);
        if (a0 < 1 || a0 > 16) this.bad(7, 'QR module size');
        return { op: { t: 'qr-size', n: a0 }, len: total };
      case 0x45: {
        exact(1);
        const level = (['L', 'M', 'Q', 'H'] as const)[a0 - 0x30];
        if (level === undefined) this.bad(7, 'QR error correction');
        return { op: { t: 'qr-ec', level }, len: total };
      }
      case 0x50:
        if (args.length < 2 || args[0] !== 0x30) this.bad(7, 'QR store');
        return { op: { t: 'qr-store', data: Buffer.from(args.subarray(1)) }, len: total };
      case 0x51:
        exact(1);
        if (args[0] !== 0x30) this.bad(7, 'QR print');
        return { op: { t: 'qr-print' }, len: total };
      default:
        this.bad(6, 'GS ( k QR function');
    }
  }
}
