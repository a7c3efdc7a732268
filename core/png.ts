// The one PNG writer of the project: the screen gets every image (decoded card photos, licence 外字,
// synthetic test images) as PNG, which every browser shows, without an image library.
import { deflateSync } from 'node:zlib';

/** Packed pixel rows without PNG filter bytes. 'bit': 1 bit per pixel, 1 = white. */
export interface RasterImage {
  width: number;
  height: number;
  kind: 'bit' | 'grey' | 'rgb';
  rows: Buffer;
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
  for (const x of b) c = (CRC_TABLE[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8); // the index is a byte: in the 256-entry table
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

export function encodePng(img: RasterImage): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = img.kind === 'bit' ? 1 : 8; // bit depth
  ihdr[9] = img.kind === 'rgb' ? 2 : 0; // colour type
  const stride = img.rows.length / img.height;
  const filtered = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) img.rows.copy(filtered, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([Buffer.from('89504E470D0A1A0A', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(filtered)), chunk('IEND', Buffer.alloc(0))]);
}

/** 8-bit greyscale PNG from a pixel function (0 = black, 255 = white). */
export function encodeGreyPng(width: number, height: number, pixel: (x: number, y: number) => number): Buffer {
  const rows = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y * width + x] = pixel(x, y) & 0xff;
  return encodePng({ width, height, kind: 'grey', rows });
}
