// PNM (P4 bitmap, P5 greyscale, P6 RGB; maxval 255) parser. The image decoders the kiosk runs as child
// processes (opj_decompress, tifftopnm) write PNM; parsing it here keeps the PNG writer and the pixel
// limits in our hands. Strict: a header that does not add up is rejected, never guessed.

import type { RasterImage } from '../../core/png.ts';

/** A parsed PNM raster, ready for the PNG writer. */
export type PnmImage = RasterImage;

export function parsePnm(data: Buffer, maxPixels: number): PnmImage | null {
  const magic = data.subarray(0, 2).toString('latin1');
  const fields: number[] = [];
  const need = magic === 'P4' ? 2 : magic === 'P5' || magic === 'P6' ? 3 : 0;
  if (need === 0) return null;
  let i = 2;
  while (fields.length < need) {
    // whitespace and comments between header fields
    while (i < data.length && (data[i] === 0x20 || data[i] === 0x0a || data[i] === 0x0d || data[i] === 0x09 || data[i] === 0x23)) {
      if (data[i] === 0x23) while (i < data.length && data[i] !== 0x0a) i++;
      else i++;
    }
    const start = i;
    for (let c = data[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = data[i]) i++;
    if (i === start || i - start > 7) return null;
    fields.push(Number(data.subarray(start, i).toString('latin1')));
  }
  i++; // the single whitespace byte before the raster
  const [width, height, maxval] = fields as [number, number, number?];
  if (width < 1 || height < 1 || width * height > maxPixels) return null;
  if (magic !== 'P4' && maxval !== 255) return null;
  const stride = magic === 'P4' ? Math.ceil(width / 8) : magic === 'P5' ? width : width * 3;
  const raster = data.subarray(i, i + stride * height);
  if (raster.length !== stride * height) return null;
  const rows = Buffer.from(raster);
  if (magic === 'P4') for (const [k, x] of rows.entries()) rows[k] = ~x & 0xff;
  return { width, height, kind: magic === 'P4' ? 'bit' : magic === 'P5' ? 'grey' : 'rgb', rows };
}
