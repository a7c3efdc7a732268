// ESC/POS command encoding for Epson-compatible Japanese printers. Only the commands the project emits;
// the virtual printer (drivers/sim/printer) accepts exactly these and rejects anything else.

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const LF = 0x0a;

export type Align = 'left' | 'center' | 'right';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

const b = (...xs: number[]) => Buffer.from(xs);

export const cmd = {
  /** ESC @ — initialise (clears state another tool may have left). */
  init: () => b(ESC, 0x40),
  /** ESC t 1 — Katakana code table for single bytes A1–DF. */
  codeTableKatakana: () => b(ESC, 0x74, 0x01),
  /** ESC R 0 — international set USA (0x5C stays a backslash; ¥ is printed full-width). */
  internationalUSA: () => b(ESC, 0x52, 0x00),
  /** FS C 1 — Shift_JIS kanji code system; FS & — kanji mode on. */
  kanjiShiftJis: () => b(FS, 0x43, 0x01),
  kanjiOn: () => b(FS, 0x26),
  kanjiOff: () => b(FS, 0x2e),
  /** ESC a n */
  align: (a: Align) => b(ESC, 0x61, a === 'left' ? 0 : a === 'center' ? 1 : 2),
  /** ESC M n — character font: A (12×24, the body) or B (9×17, small type for staff notes). */
  font: (f: 'A' | 'B') => b(ESC, 0x4d, f === 'A' ? 0 : 1),
  /** ESC E n — emphasis. */
  bold: (on: boolean) => b(ESC, 0x45, on ? 1 : 0),
  /** GS ! n — character size, width and height multipliers 1–8 (applies to ANK and kanji). */
  size: (w: number, h: number) => b(GS, 0x21, (((clamp(w, 1, 8) - 1) << 4) | (clamp(h, 1, 8) - 1)) & 0xff),
  /** ESC d n — print and feed n lines. */
  feedLines: (n: number) => b(ESC, 0x64, clamp(n, 0, 255)),
  lf: () => b(LF),
  /** GS V 66 n — feed n dots past the cutter, then partial cut (must start a line). */
  cut: (feedDots = 0) => b(GS, 0x56, 0x42, clamp(feedDots, 0, 255)),
  /** GS a n — automatic status back. 0x0E = online/offline + error + roll paper sensor. */
  asb: (mask: number) => b(GS, 0x61, mask & 0xff),
  /** GS r 1 — paper sensor status; its reply means "everything before has been processed". */
  transmitPaperStatus: () => b(GS, 0x72, 0x01),
  /** DLE EOT n — real-time status (processed even while offline). */
  realtimeStatus: (n: 1 | 2 | 3 | 4) => b(DLE, 0x04, n),
  /** DLE ENQ 2 — recover from a recoverable error and clear buffers. */
  realtimeRecoverClear: () => b(DLE, 0x05, 0x02),
};

export function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(v)));
}

/** GS ( k pL pH cn fn … with the length computed over bytes (not JS string length). */
function gsK(fn: number, params: Buffer): Buffer {
  const len = params.length + 2; // cn + fn
  if (len > 0xffff) throw new RangeError('GS ( k parameter too long');
  return Buffer.concat([b(GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, fn), params]);
}

const EC: Record<QrErrorLevel, number> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };

/** Native QR: model 2, module size, error correction, store data (byte-correct length), print. */
export function qrNative(data: Buffer, opts: { moduleSize: number; ec: QrErrorLevel }): Buffer {
  if (data.length === 0 || data.length > 7089) throw new RangeError('QR data length out of range');
  return Buffer.concat([
    gsK(0x41, b(0x32, 0x00)), // fn 165: model 2
    gsK(0x43, b(clamp(opts.moduleSize, 1, 16))), // fn 167: module size
    gsK(0x45, b(EC[opts.ec])), // fn 169: error correction
    gsK(0x50, Buffer.concat([b(0x30), data])), // fn 180: store
    gsK(0x51, b(0x30)), // fn 181: print
  ]);
}

/** A 1-bit image: rows of bytes, MSB = leftmost dot, 1 = black. */
export interface Bitmap {
  widthDots: number;
  height: number;
  /** bytesPerRow * height bytes */
  data: Buffer;
}

export function bytesPerRow(widthDots: number): number {
  return Math.ceil(widthDots / 8);
}

/** GS v 0 raster in bands (the printer buffers a band at a time; tall images must be split). */
export function raster(img: Bitmap, bandRows = 128): Buffer {
  const bpr = bytesPerRow(img.widthDots);
  const parts: Buffer[] = [];
  for (let y = 0; y < img.height; y += bandRows) {
    const rows = Math.min(bandRows, img.height - y);
    parts.push(b(GS, 0x76, 0x30, 0x00, bpr & 0xff, bpr >> 8, rows & 0xff, rows >> 8));
    parts.push(img.data.subarray(y * bpr, (y + rows) * bpr));
  }
  return Buffer.concat(parts);
}
