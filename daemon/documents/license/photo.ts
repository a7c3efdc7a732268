// DF2/EF01 写真: tag 5F40 holding a JPEG 2000 codestream (starts FF 4F). Browsers do not show JPEG 2000,
// so the screen needs a PNG. The conversion is an injectable step: the kiosk wires `opjPhotoConverter`
// (OpenJPEG's opj_decompress, Debian libopenjp2-tools) and a missing or failing converter gives the honest
// outcome "not-decoded" rather than a broken image.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLicenseTlvs } from './tlv.ts';

export const PHOTO_TAG = 0x5f40;

/** JPEG 2000 → PNG. Resolves with PNG bytes, or null when it cannot decode this image. */
export type PhotoConverter = (jpeg2000: Buffer) => Promise<Buffer | null>;

export interface PhotoOutcome {
  format: 'jpeg2000-codestream' | 'jp2' | 'unknown';
  bytes: number;
  sha256: string;
  /** "decoded": png is set. "not-decoded": no converter or it failed. */
  display: 'decoded' | 'not-decoded';
  png?: Buffer;
}

export function extractPhoto(raw: Buffer): Buffer | null {
  const tlv = parseLicenseTlvs(raw, 'DF2/EF01').find((t) => t.tag === PHOTO_TAG);
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
  if (!png || png.subarray(1, 4).toString('latin1') !== 'PNG') return { ...base, display: 'not-decoded' };
  return { ...base, display: 'decoded', png };
}

/** opj_decompress in a private temp dir; a 5 s limit so a hostile image cannot stall the kiosk. */
export function opjPhotoConverter(binary = 'opj_decompress', timeoutMs = 5000): PhotoConverter {
  return async (img) => {
    const dir = await mkdtemp(join(tmpdir(), 'idkiosk-photo-'));
    try {
      const input = join(dir, formatOf(img) === 'jp2' ? 'in.jp2' : 'in.j2k');
      const output = join(dir, 'out.png');
      await writeFile(input, img, { mode: 0o600 });
      await new Promise<void>((resolve, reject) => {
        execFile(binary, ['-i', input, '-o', output, '-quiet'], { timeout: timeoutMs }, (err) => (err ? reject(err) : resolve()));
      });
      return await readFile(output);
    } catch {
      return null;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
