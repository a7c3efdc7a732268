// DF2/EF01 写真: tag 5F40 holding a JPEG 2000 codestream (starts FF 4F). Browsers do not show JPEG 2000,
// so the screen needs a PNG. The conversion is an injectable step: the kiosk wires the shared
// `defaultJp2ToPng` (daemon/images: opj_decompress with size, pixel and time limits) and a missing or
// failing converter gives the honest outcome "not-decoded" rather than a broken image.
import { createHash } from 'node:crypto';
import type { Jp2ToPng } from '../../images/jp2-to-png.ts';
import { LICENSE_TLV } from './constants.ts';

export const PHOTO_TAG = 0x5f40;

/** JPEG 2000 → PNG. Resolves with PNG bytes, or null when it cannot decode this image. */
export type PhotoConverter = Jp2ToPng;

export interface PhotoOutcome {
  format: 'jpeg2000-codestream' | 'jp2' | 'unknown';
  bytes: number;
  sha256: string;
  /** "decoded": png is set. "not-decoded": no converter or it failed. */
  display: 'decoded' | 'not-decoded';
  png?: Buffer;
}

export function extractPhoto(raw: Buffer): Buffer | null {
  const tlv = LICENSE_TLV.all(raw, 'DF2/EF01').find((t) => t.tag === PHOTO_TAG);
  return tlv && tlv.value.length > 0 ? Buffer.from(tlv.value) : null;
}

function formatOf(img: Buffer): PhotoOutcome['format'] {
  if (img[0] === 0xff && img[1] === 0x4f) return 'jpeg2000-codestream';
  if (img.subarray(4, 8).toString('latin1') === 'jP  ') return 'jp2';
  return 'unknown';
}

export async function describePhoto(img: Buffer, convert: PhotoConverter | null): Promise<PhotoOutcome> {
  const base = { format: formatOf(img), bytes: img.length, sha256: createHash('sha256').update(img).digest('hex') } as const;
  if (!convert || base.format === 'unknown') return { ...base, display: 'not-decoded' };
  let png: Buffer | null = null;
  try {
    png = await convert(img);
  } catch {
    png = null;
  }
  if (png?.subarray(1, 4).toString('latin1') !== 'PNG') return { ...base, display: 'not-decoded' };
  return { ...base, display: 'decoded', png };
}
