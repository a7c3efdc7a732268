// QR as a raster image (the fallback for printers without native GS ( k, or clones that mis-handle it):
// the matrix comes from the `qrcode` package, each module becomes a square of dots.
import { createRequire } from 'node:module';
import type QRCodeModule from 'qrcode';
import type { Bitmap, QrErrorLevel } from './escpos.ts';

// Loaded on the first QR drawn, not when the daemon starts (issue 20: start-up loads only what READY needs).
let qrcode: typeof QRCodeModule | null = null;
function QRCode(): typeof QRCodeModule {
  qrcode ??= createRequire(import.meta.url)('qrcode') as typeof QRCodeModule;
  return qrcode;
}

export interface QrMatrix {
  size: number;
  /** row-major, true = dark */
  dark: (x: number, y: number) => boolean;
}

export function qrMatrix(data: Buffer, ec: QrErrorLevel): QrMatrix {
  // Alphanumeric mode when the data allows it (the receipt token is designed to), as a printer's native
  // QR would choose; byte mode otherwise.
  const latin = data.toString('latin1');
  const qr = /^[0-9A-Z $%*+\-./:]+$/.test(latin)
    ? QRCode().create([{ data: latin, mode: 'alphanumeric' }], { errorCorrectionLevel: ec })
    : QRCode().create([{ data: new Uint8ClampedArray(data), mode: 'byte' }], { errorCorrectionLevel: ec });
  const size = qr.modules.size;
  return { size, dark: (x, y) => qr.modules.get(y, x) === 1 || (qr.modules.get(y, x) as unknown) === true };
}

/** Renders the matrix with a 4-module quiet zone, `moduleDots` dots per module. */
export function qrBitmap(data: Buffer, ec: QrErrorLevel, moduleDots: number): Bitmap {
  return matrixBitmap(qrMatrix(data, ec), moduleDots);
}

export function matrixBitmap(m: QrMatrix, moduleDots: number, quiet = 4): Bitmap {
  const modules = m.size + 2 * quiet;
  const width = modules * moduleDots;
  const bpr = Math.ceil(width / 8);
  const data = Buffer.alloc(bpr * width);
  for (let y = 0; y < width; y++) {
    const my = Math.floor(y / moduleDots) - quiet;
    for (let x = 0; x < width; x++) {
      const mx = Math.floor(x / moduleDots) - quiet;
      if (mx >= 0 && my >= 0 && mx < m.size && my < m.size && m.dark(mx, my)) {
        const i = y * bpr + (x >> 3); // inside data: x < width ≤ 8 · bpr
        data[i] = (data[i] ?? 0) | (0x80 >> (x & 7));
      }
    }
  }
  return { widthDots: width, height: width, data };
}
