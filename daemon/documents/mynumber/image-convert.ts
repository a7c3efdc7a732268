// JPEG 2000 → PNG for the card-face photo (browsers cannot show JPEG 2000). Injectable: the flow takes any
// Jp2ToPng; without a decoder the result says "not decoded" rather than showing nothing silently.
//
// openJpeg2000Converter runs opj_decompress (Debian libopenjp2-tools) in a child process with a time
// and size limit: the photo is untrusted input, and a decoder crash must not take the daemon with it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Resolves with PNG bytes, or null when it cannot decode (never throws). */
export type Jp2ToPng = (jpeg2000: Buffer) => Promise<Buffer | null>;

export const noJp2Decoder: Jp2ToPng = async () => null;

const OPJ = ['/usr/bin/opj_decompress', '/usr/local/bin/opj_decompress'];

export function openJpeg2000Converter(o: { binary?: string; timeoutMs?: number; maxInputBytes?: number } = {}): Jp2ToPng | null {
  const bin = o.binary ?? OPJ.find((p) => existsSync(p));
  if (!bin) return null;
  return async (jp2) => {
    if (jp2.length === 0 || jp2.length > (o.maxInputBytes ?? 512 * 1024)) return null;
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-face-'));
    try {
      // The codestream form decides the input extension opj_decompress expects.
      const input = join(dir, jp2[0] === 0xff ? 'face.j2k' : 'face.jp2');
      const output = join(dir, 'face.png');
      writeFileSync(input, jp2, { mode: 0o600 });
      const ok = await new Promise<boolean>((resolve) => {
        execFile(bin, ['-i', input, '-o', output, '-quiet'], { timeout: o.timeoutMs ?? 5000, maxBuffer: 64 * 1024 }, (err) => resolve(!err));
      });
      if (!ok || !existsSync(output)) return null;
      const png = readFileSync(output);
      return png.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')) ? png : null;
    } catch {
      return null;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The converter the daemon uses: opj_decompress when installed, else none ("not decoded"). */
export function defaultJp2ToPng(): Jp2ToPng {
  return openJpeg2000Converter() ?? noJp2Decoder;
}
