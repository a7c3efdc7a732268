// Synthetic name/address/number images for the virtual card (PNG via the project's writer). No font
// rendering: each image is a deterministic bar pattern derived from its text, so tests can tell images
// apart without any real glyphs or data.
import { createHash } from 'node:crypto';
import { encodeGreyPng } from '../../../core/png.ts';

/** A "text image": one dark bar per character, heights from the text's hash. */
export function syntheticTextPng(text: string, height = 24): Buffer {
  const chars = [...text];
  const h = createHash('sha256').update(text, 'utf8').digest();
  const w = Math.max(8, chars.length * 12);
  return encodeGreyPng(w, height, (x, y) => {
    const i = Math.floor(x / 12);
    const bar = 4 + (h.readUInt8(i % h.length) % (height - 6));
    return x % 12 < 9 && y >= height - 2 - bar && y < height - 2 ? 30 : 250;
  });
}
