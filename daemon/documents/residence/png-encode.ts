// PNM (P4 bitmap, P5 greyscale, P6 RGB; maxval 255) → PNG, so the screen gets a format every browser
// shows. The decoders (opj_decompress, tifftopnm) write PNM; parsing that here keeps the PNG writer and
// the pixel limits in our hands. Strict: a header that does not add up is rejected, never guessed.
import { deflateSync } from 'node:zlib';

export interface PnmImage {
  width: number;
  height: number;
  /** 'bit' = 1 bit per pixel, 0 = white (PNG greyscale 1-bit, inverted from PBM's 1 = black). */
  kind: 'bit' | 'grey' | 'rgb';
  /** Packed rows as PNG wants them (without filter bytes). */
  rows: Buffer;
}

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
    while (i < data.length && data[i]! >= 0x30 && data[i]! <= 0x39) i++;
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
  if (magic === 'P4') for (let k = 0; k < rows.length; k++) rows[k] = ~rows[k]! & 0xff;
  return { width, height, kind: magic === 'P4' ? 'bit' : magic === 'P5' ? 'grey' : 'rgb', rows };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])));
  return Buffer.concat([head, body, crc]);
}

export function encodePng(img: PnmImage): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = img.kind === 'bit' ? 1 : 8; // bit depth
  ihdr[9] = img.kind === 'rgb' ? 2 : 0; // colour type
  const stride = img.rows.length / img.height;
  const filtered = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) img.rows.copy(filtered, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([
    Buffer.from('89504E470D0A1A0A', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(filtered)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
