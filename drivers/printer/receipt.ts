// The receipt model (a short list of blocks) and its rendering to ESC/POS for an Epson-compatible
// Japanese printer: Shift_JIS kanji mode, 48 half-width columns on 80 mm paper (font A, 12-dot ANK,
// 24-dot kanji), native QR with a raster fallback, feed and cut.
import { cmd, qrNative, raster, type Align, type QrErrorLevel } from './escpos.ts';
import { qrBitmap } from './qr-raster.ts';
import { displayWidth, encodeShiftJis } from './sjis.ts';

export type ReceiptBlock =
  /** `small`: font B, for what only staff read (an error code under the words) */
  | { kind: 'text'; text: string; align?: Align; bold?: boolean; size?: 1 | 2; small?: boolean }
  /** label on the left, value on the right, padded to the line width */
  | { kind: 'pair'; label: string; value: string; bold?: boolean }
  | { kind: 'rule'; char?: '-' | '=' }
  | { kind: 'qr'; data: string; moduleSize?: number; ec?: QrErrorLevel }
  | { kind: 'feed'; lines: number };

export interface Receipt {
  blocks: ReceiptBlock[];
}

export interface RenderOptions {
  /** Half-width columns per line (48 for 80 mm font A, 32 for 58 mm). */
  columns: number;
  /** 'native' = GS ( k; 'raster' = GS v 0 image (for printers without, or with broken, native QR). */
  qr: 'native' | 'raster';
  /** Dots fed past the cutter before the partial cut. */
  cutFeedDots: number;
}

export const DEFAULT_RENDER: RenderOptions = { columns: 48, qr: 'native', cutFeedDots: 96 };

export interface Rendered {
  bytes: Buffer;
  /** Characters printed as 〓 because CP932 has no code for them (names from chips can contain them). */
  substituted: number;
  controlsRemoved: number;
}

/** Splits text into lines no wider than `cols` half-width columns. */
export function wrap(text: string, cols: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (displayWidth(cur + ch) > cols) {
      lines.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur || lines.length === 0) lines.push(cur);
  return lines;
}

export function renderReceipt(r: Receipt, opts: RenderOptions = DEFAULT_RENDER): Rendered {
  const out: Buffer[] = [cmd.codeTableKatakana(), cmd.internationalUSA(), cmd.kanjiShiftJis(), cmd.kanjiOn()];
  let substituted = 0;
  let controlsRemoved = 0;
  const text = (s: string) => {
    const e = encodeShiftJis(s);
    substituted += e.substituted;
    controlsRemoved += e.controlsRemoved;
    out.push(e.bytes, cmd.lf());
  };
  for (const blk of r.blocks) {
    switch (blk.kind) {
      case 'text': {
        const size = blk.size ?? 1;
        out.push(cmd.align(blk.align ?? 'left'));
        if (blk.bold) out.push(cmd.bold(true));
        if (size !== 1) out.push(cmd.size(size, size));
        if (blk.small) out.push(cmd.font('B'));
        for (const line of wrap(blk.text, Math.floor(opts.columns / size))) text(line);
        if (blk.small) out.push(cmd.font('A'));
        if (size !== 1) out.push(cmd.size(1, 1));
        if (blk.bold) out.push(cmd.bold(false));
        break;
      }
      case 'pair': {
        out.push(cmd.align('left'));
        if (blk.bold) out.push(cmd.bold(true));
        const gap = opts.columns - displayWidth(blk.label) - displayWidth(blk.value);
        if (gap >= 1) text(blk.label + ' '.repeat(gap) + blk.value);
        else {
          for (const l of wrap(blk.label, opts.columns)) text(l);
          out.push(cmd.align('right'));
          for (const l of wrap(blk.value, opts.columns)) text(l);
          out.push(cmd.align('left'));
        }
        if (blk.bold) out.push(cmd.bold(false));
        break;
      }
      case 'rule':
        out.push(cmd.align('left'));
        text((blk.char ?? '-').repeat(opts.columns));
        break;
      case 'qr': {
        const data = Buffer.from(blk.data, 'utf8');
        const ec = blk.ec ?? 'M';
        const moduleSize = blk.moduleSize ?? 5;
        out.push(cmd.align('center'));
        if (opts.qr === 'native') out.push(qrNative(data, { moduleSize, ec }));
        else out.push(raster(qrBitmap(data, ec, moduleSize)), cmd.lf());
        out.push(cmd.align('left'));
        break;
      }
      case 'feed':
        out.push(cmd.feedLines(blk.lines));
        break;
    }
  }
  out.push(cmd.feedLines(1), cmd.cut(opts.cutFeedDots));
  return { bytes: Buffer.concat(out), substituted, controlsRemoved };
}
