// Card images → PNG through the Debian tools (opj_decompress, tifftopnm), the "not decoded" outcomes,
// and the PNM → PNG writer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { noImageConverter, toolImageConverter } from '../../../daemon/images/tool-converter.ts';
import { encodePng } from '../../../core/png.ts';
import { parsePnm } from '../../../daemon/images/pnm.ts';
import { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF, SYNTHETIC_NAME_TIFF } from '../../../drivers/sim/residence/index.ts';

function pngInfo(png: Buffer) {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), depth: png[24], colour: png[25] };
}

describe('toolImageConverter', () => {
  const conv = toolImageConverter();
  it('decodes the synthetic JPEG 2000 face', async () => {
    const r = await conv.toPng('jpeg2000', SYNTHETIC_FACE_JP2);
    expect(r).toMatchObject({ status: 'decoded', width: 24, height: 32 });
    if (r.status === 'decoded') expect(pngInfo(r.png)).toEqual({ width: 24, height: 32, depth: 8, colour: 0 });
  });
  it('decodes the MMR (G4) TIFF front side and name images', async () => {
    for (const tiff of [SYNTHETIC_FRONT_TIFF, SYNTHETIC_NAME_TIFF]) {
      const r = await conv.toPng('tiff-g4', tiff);
      expect(r.status).toBe('decoded');
      if (r.status === 'decoded') expect(pngInfo(r.png)).toMatchObject({ depth: 1, colour: 0 });
    }
  });
  it('garbage, oversize and empty input are "not decoded", never an exception', async () => {
    expect(await conv.toPng('jpeg2000', Buffer.alloc(300, 0x41))).toEqual({ status: 'not-decoded', reason: 'decode-failed' });
    expect(await conv.toPng('tiff-g4', Buffer.alloc(300, 0x41))).toEqual({ status: 'not-decoded', reason: 'decode-failed' });
    expect(await conv.toPng('tiff-g4', Buffer.alloc(20_000))).toEqual({ status: 'not-decoded', reason: 'too-large' });
    expect(await conv.toPng('jpeg2000', Buffer.alloc(0))).toEqual({ status: 'not-decoded', reason: 'empty' });
  });
  it('a missing tool is "not decoded: tool-missing"', async () => {
    const absent = toolImageConverter({ opjDecompress: '/nonexistent/opj_decompress', tifftopnm: '/nonexistent/tifftopnm' });
    expect(await absent.toPng('jpeg2000', SYNTHETIC_FACE_JP2)).toEqual({ status: 'not-decoded', reason: 'tool-missing' });
    expect(await absent.toPng('tiff-g4', SYNTHETIC_FRONT_TIFF)).toEqual({ status: 'not-decoded', reason: 'tool-missing' });
    expect(await noImageConverter.toPng('jpeg2000', SYNTHETIC_FACE_JP2)).toMatchObject({ status: 'not-decoded' });
  });
  it('a decoded image over the pixel limit is refused', async () => {
    const small = toolImageConverter({ maxPixels: 100 });
    expect((await small.toPng('jpeg2000', SYNTHETIC_FACE_JP2)).status).toBe('not-decoded');
  });
  it('a hanging decoder is killed at the time limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-hang-'));
    const hang = join(dir, 'hang.sh');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 10\n', { mode: 0o755 });
    const t = Date.now();
    expect(await toolImageConverter({ tifftopnm: hang, timeoutMs: 200 }).toPng('tiff-g4', SYNTHETIC_FRONT_TIFF)).toEqual({
      status: 'not-decoded',
      reason: 'timeout',
    });
    expect(Date.now() - t).toBeLessThan(2000);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('PNM → PNG', () => {
  it('P4 bitmaps become 1-bit greyscale with black = 0', () => {
    const pbm = Buffer.concat([Buffer.from('P4\n# c\n9 2\n', 'latin1'), Buffer.from([0xff, 0x80, 0x00, 0x00])]);
    const img = parsePnm(pbm, 1000)!;
    expect(img).toMatchObject({ width: 9, height: 2, kind: 'bit' });
    const png = encodePng(img);
    const idat = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    expect([...raw]).toEqual([0, 0x00, 0x7f, 0, 0xff, 0xff]);
  });
  it('rejects truncated rasters, bad maxval and oversize headers', () => {
    expect(parsePnm(Buffer.from('P5\n2 2\n255\n\x01\x02\x03', 'latin1'), 100)).toBeNull();
    expect(parsePnm(Buffer.from('P5\n1 1\n65535\n\x01\x02', 'latin1'), 100)).toBeNull();
    expect(parsePnm(Buffer.from('P6\n99999 99999\n255\n', 'latin1'), 100)).toBeNull();
    expect(parsePnm(Buffer.from('GIF89a', 'latin1'), 100)).toBeNull();
  });
});
