// Renders a printed receipt to SVG at printer resolution (1 unit = 1 dot, 203 dpi, 576 printable dots on
// 80 mm paper). Text uses the viewer's Japanese fonts (IPAGothic / Noto Sans CJK JP are named first), so
// kanji show up in any browser; QR symbols are redrawn from their data with the same `qrcode` matrix the
// printer driver uses; raster images are drawn dot-exact.
import { qrMatrix } from '../../printer/qr-raster.ts';
import type { Align, PaperItem, PrintedReceipt } from './document.ts';

const WIDTH = 576;
const MARGIN = 16;
const LINE = 30; // default line spacing (font A 24 dots + gap)
const FONT = "'IPAGothic','IPAexGothic','Noto Sans CJK JP','Noto Sans JP','MS Gothic',monospace";

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function xFor(align: Align, width: number): number {
  return align === 'left' ? 0 : align === 'center' ? Math.floor((WIDTH - width) / 2) : WIDTH - width;
}

/** Runs of black dots in one bitmap row, as SVG path segments. */
function rowPath(y: number, x0: number, isBlack: (x: number) => boolean, width: number, scale = 1): string {
  let d = '';
  let start = -1;
  for (let x = 0; x <= width; x++) {
    const on = x < width && isBlack(x);
    if (on && start < 0) start = x;
    if (!on && start >= 0) {
      d += `M${x0 + start * scale} ${y}h${(x - start) * scale}v${scale}h${-(x - start) * scale}z`;
      start = -1;
    }
  }
  return d;
}

export function renderSvg(r: PrintedReceipt): string {
  const parts: string[] = [];
  let y = 0;
  const item = (it: PaperItem) => {
    switch (it.kind) {
      case 'line': {
        const h = Math.max(1, ...it.runs.map((x) => x.h));
        const text = it.runs
          .map((run) => {
            const attrs = [`font-size="${(run.small ? 17 : 24) * run.h}"`];
            if (run.bold) attrs.push('font-weight="bold"');
            return `<tspan ${attrs.join(' ')}>${esc(run.text)}</tspan>`;
          })
          .join('');
        const anchor = it.align === 'left' ? 'start' : it.align === 'center' ? 'middle' : 'end';
        const x = it.align === 'left' ? 0 : it.align === 'center' ? WIDTH / 2 : WIDTH;
        y += LINE * h;
        if (text) parts.push(`<text x="${x}" y="${y - 6 * h}" text-anchor="${anchor}" xml:space="preserve">${text}</text>`);
        break;
      }
      case 'feed':
        y += LINE * it.lines;
        break;
      case 'qr': {
        const m = qrMatrix(it.data, it.ec);
        const s = it.moduleSize;
        const x0 = xFor(it.align, m.size * s);
        let d = '';
        for (let my = 0; my < m.size; my++) d += rowPath(y + my * s, x0, (mx) => m.dark(mx, my), m.size, s);
        parts.push(`<path d="${d}" fill="#000" data-qr="${esc(it.data.toString('latin1'))}"/>`);
        y += m.size * s + 8;
        break;
      }
      case 'raster': {
        const wd = it.widthBytes * 8;
        const x0 = xFor(it.align, wd);
        let d = '';
        for (let ry = 0; ry < it.height; ry++) {
          d += rowPath(y + ry, x0, (x) => (((it.data[ry * it.widthBytes + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1) === 1, wd);
        }
        parts.push(`<path d="${d}" fill="#000"/>`);
        y += it.height;
        break;
      }
      case 'interruption':
        y += 12;
        parts.push(`<line x1="0" x2="${WIDTH}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="8 6"/>`);
        parts.push(`<text x="${WIDTH / 2}" y="${y + 20}" text-anchor="middle" font-size="16" fill="#c00">(${esc(it.cause)})</text>`);
        y += 28;
        break;
    }
  };
  for (const it of r.items) item(it);
  y += 24;
  const H = y + 2 * MARGIN;
  const W = WIDTH + 2 * MARGIN;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">\n` +
    `<rect width="${W}" height="${H}" fill="#fff"/>\n` +
    `<g transform="translate(${MARGIN} ${MARGIN})" font-family="${esc(FONT)}" fill="#000">\n` +
    parts.join('\n') +
    `\n</g>\n` +
    (r.cut ? `<line x1="0" x2="${W}" y1="${H - 1}" y2="${H - 1}" stroke="#999" stroke-dasharray="4 4"/>\n` : '') +
    `</svg>\n`
  );
}
