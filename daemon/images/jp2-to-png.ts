// JPEG 2000 → PNG for card-face photos (browsers cannot show JPEG 2000). Injectable: flows take any
// Jp2ToPng; without a decoder the result says "not decoded" rather than showing nothing silently.
//
// The decoding itself is the shared Debian-tool converter (tool-converter.ts:
// opj_decompress from libopenjp2-tools in a child process with input-size, pixel, time limits and a private
// temp directory). This module keeps the narrow Jp2ToPng shape the My Number and passport flows use.
import { existsSync } from 'node:fs';
import { toolImageConverter } from './tool-converter.ts';

/** Resolves with PNG bytes, or null when it cannot decode (never throws). */
export type Jp2ToPng = (jpeg2000: Buffer) => Promise<Buffer | null>;

export const noJp2Decoder: Jp2ToPng = async () => null;

const OPJ = ['/usr/bin/opj_decompress', '/usr/local/bin/opj_decompress'];

/** opj_decompress-backed converter, or null when the tool is not installed. */
export function openJpeg2000Converter(o: { binary?: string; timeoutMs?: number; maxInputBytes?: number } = {}): Jp2ToPng | null {
  const bin = o.binary ?? OPJ.find((p) => existsSync(p));
  if (!bin) return null;
  const tool = toolImageConverter({ opjDecompress: bin, timeoutMs: o.timeoutMs ?? 5000, maxInputBytes: o.maxInputBytes ?? 512 * 1024 });
  return async (jp2) => {
    try {
      const out = await tool.toPng('jpeg2000', jp2);
      return out.status === 'decoded' ? out.png : null;
    } catch {
      return null;
    }
  };
}

/** The converter the daemon uses: opj_decompress when installed, else none ("not decoded"). */
export function defaultJp2ToPng(): Jp2ToPng {
  return openJpeg2000Converter() ?? noJp2Decoder;
}
