// What the virtual printer put on paper: receipts (one per cut) made of printed lines, QR symbols, raster
// images and feeds. Rendered to SVG (svg.ts) and to a text transcript (here).

export type Align = 'left' | 'center' | 'right';

export interface Run {
  text: string;
  bold: boolean;
  /** font B (ESC M 1) */
  small?: boolean;
  w: number;
  h: number;
}

export type PaperItem =
  | { kind: 'line'; align: Align; runs: Run[] }
  | { kind: 'feed'; lines: number }
  | { kind: 'qr'; align: Align; data: Buffer; ec: 'L' | 'M' | 'Q' | 'H'; moduleSize: number }
  | { kind: 'raster'; align: Align; widthBytes: number; height: number; data: Buffer }
  /** printing stopped here (paper end, cover open) and resumed later */
  | { kind: 'interruption'; cause: string };

export interface PrintedReceipt {
  items: PaperItem[];
  cut: boolean;
}

export function transcript(r: PrintedReceipt): string {
  const out: string[] = [];
  for (const it of r.items) {
    switch (it.kind) {
      case 'line': {
        const text = it.runs.map((x) => x.text).join('');
        const tags = [it.align === 'left' ? '' : it.align === 'center' ? 'C' : 'R'];
        if (it.runs.some((x) => x.bold)) tags.push('B');
        if (it.runs.some((x) => x.small)) tags.push('S');
        const big = Math.max(1, ...it.runs.map((x) => x.h));
        if (big > 1) tags.push(`${big}x`);
        const t = tags.filter(Boolean).join(',');
        out.push(t ? `[${t}] ${text}` : text);
        break;
      }
      case 'feed':
        for (let i = 0; i < it.lines; i++) out.push('');
        break;
      case 'qr':
        out.push(`[QR ${it.ec} ${it.moduleSize}] ${it.data.toString('latin1')}`);
        break;
      case 'raster':
        out.push(`[RASTER ${it.widthBytes * 8}x${it.height}]`);
        break;
      case 'interruption':
        out.push(`[INTERRUPTED: ${it.cause}]`);
        break;
    }
  }
  if (r.cut) out.push('[CUT]');
  return out.join('\n') + '\n';
}
