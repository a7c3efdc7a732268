// Decoding over synthetic blobs: every tag 11–33 (round trip through the sim's own encoder), the free files
// and 外字 bitmaps (drawn back out of the PNG). The public-layout vectors (hand-derived bytes) are in
// public-layout.test.ts.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCommonData, parsePinSetting } from '../../../daemon/documents/license/common-data.ts';
import { glyphArt, glyphPng, parseChangedGaijiFile, parseGaijiFile } from '../../../daemon/documents/license/gaiji.ts';
import { MATTERS_TAGS, parseMatters } from '../../../daemon/documents/license/matters.ts';
import { LICENSE_TLV } from '../../../daemon/documents/license/constants.ts';

const tlv = (tag: number, value: Buffer): Buffer => LICENSE_TLV.tlv(tag, value);
import { KioskError } from '../../../core/errors.ts';
import { buildChangedGaiji, buildCommonData, buildGaiji, buildMatters, syntheticHolder } from '../../../drivers/sim/license/holder.ts';
import { GLYPH_TAKA_LADDER_ROWS } from '../../../drivers/sim/license/glyphs.ts';
import { encodeEraDate, encodeJisX0201, encodeJisX0208 } from '../../../drivers/sim/license/jis-encode.ts';

const NOW = new Date('2026-06-01T03:00:00Z');

describe('DF1/EF01 記載事項: every tag of the table', () => {
  it('decodes each tag 11–33 from a blob built tag by tag', () => {
    const parts: Buffer[] = [];
    const expected: Record<string, unknown> = {};
    for (const [tag, info] of MATTERS_TAGS) {
      if (info.kind === 'byte') {
        parts.push(tlv(tag, Buffer.from([0x03])));
        expected[info.key] = 3;
      } else if (info.kind === 'jis0208') {
        const text = `見本${'０１２３４５６７８９'[tag % 10]}号`;
        parts.push(tlv(tag, encodeJisX0208(text)));
        expected[info.key] = text;
      } else if (info.kind === 'jis0201') {
        parts.push(tlv(tag, encodeJisX0201(String(tag))));
        expected[info.key] = String(tag);
      } else {
        const iso = `20${10 + (tag & 0x0f)}-0${1 + (tag % 9)}-1${tag % 10}`;
        parts.push(tlv(tag, encodeEraDate(iso)));
        expected[info.key] = info.kind === 'date' ? iso : { held: true, date: iso, raw: encodeEraDate(iso).toString('latin1') };
      }
    }
    parts.push(tlv(0x34, Buffer.from('beef', 'hex')), Buffer.from([0xff, 0, 0]));
    const m = parseMatters(Buffer.concat(parts));
    expect(Object.keys(m.fields)).toHaveLength(35);
    for (const [key, want] of Object.entries(expected)) {
      const f = m.fields[key]!;
      const got = f.kind === 'text' ? f.value.plain : f.value;
      expect(got, key).toEqual(want);
    }
    expect(m.unknownTags).toEqual([{ tag: 0x34, hex: 'beef' }]);
  });
  it('an empty class tag or (era)000000 means "not held"; a value that is neither a date nor that is unknown, not held', () => {
    const m = parseMatters(Buffer.concat([tlv(0x25, Buffer.alloc(0)), tlv(0x26, encodeJisX0201('5000000')), tlv(0x27, encodeJisX0201('5zz0101'))]));
    expect(m.fields.large).toEqual({ kind: 'class-date', value: { held: false, date: null, raw: '' } });
    expect(m.fields.ordinary).toEqual({ kind: 'class-date', value: { held: false, date: null, raw: '5000000' } });
    expect(m.fields.largeSpecial).toEqual({ kind: 'class-date', value: { held: null, date: null, raw: '5zz0101' } });
  });
  it('a tag twice is malformed', () => {
    expect(() => parseMatters(Buffer.concat([tlv(0x12, encodeJisX0208('山')), tlv(0x12, encodeJisX0208('田'))]))).toThrow(KioskError);
  });
  it('the virtual card file (880 bytes, padded) decodes to the holder', () => {
    const h = syntheticHolder({ now: NOW });
    const raw = buildMatters(h);
    expect(raw).toHaveLength(880);
    const m = parseMatters(raw);
    const name = m.fields.name;
    expect(name?.kind === 'text' && name.value.runs[0]).toEqual({ kind: 'gaiji', index: 1 });
    expect(m.fields.licenseNumber).toEqual({ kind: 'jis0201', value: '990000000001' });
    expect(m.fields.expiryDate).toMatchObject({ value: h.expiryDate });
  });
});

describe('MF files', () => {
  it('EF01: version, BCD dates, ids', () => {
    const h = syntheticHolder({ now: NOW });
    expect(parseCommonData(buildCommonData(h))).toEqual({
      specVersion: '008',
      issueDate: h.issueDate,
      expiryDate: h.expiryDate,
      manufacturerId: 1,
      cryptoFunctionId: 1,
    });
    expect(buildCommonData(h)).toHaveLength(17);
  });
  it('EF01 with a non-BCD date is malformed', () => {
    expect(() => parseCommonData(Buffer.from('450B303038' + '2025AA01' + '20300101', 'hex'))).toThrow(KioskError);
  });
  it('EF02: 00 default, 01 holder-set, anything else refused', () => {
    expect(parsePinSetting(Buffer.from('c10100', 'hex'))).toBe('default');
    expect(parsePinSetting(Buffer.from('c10101', 'hex'))).toBe('holder-set');
    expect(() => parsePinSetting(Buffer.from('c10102', 'hex'))).toThrow(KioskError);
  });
});

/** Decode an 8-bit greyscale, filter-0 PNG made by encodeGreyPng back to rows of '#'/'.'. */
function pngArt(png: Buffer): string[] {
  const w = png.readUInt32BE(16);
  const h = png.readUInt32BE(20);
  const idatLen = png.readUInt32BE(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLen));
  const rows: string[] = [];
  for (let y = 0; y < h; y++) {
    let r = '';
    for (let x = 0; x < w; x++) r += raw[y * (w + 1) + 1 + x] === 0 ? '#' : '.';
    rows.push(r);
  }
  return rows;
}

describe('外字', () => {
  it('EF03 (264 bytes, tags 48/49) yields glyph 1 with the drawn bitmap, and its PNG shows the same dots', () => {
    const raw = buildGaiji(syntheticHolder({ now: NOW }));
    expect(raw).toHaveLength(264);
    const glyphs = parseGaijiFile(raw);
    expect(glyphs.map((g) => g.index)).toEqual([1]);
    expect(glyphArt(glyphs[0]!)).toEqual(GLYPH_TAKA_LADDER_ROWS);
    expect(pngArt(glyphPng(glyphs[0]!))).toEqual(GLYPH_TAKA_LADDER_ROWS);
  });
  it('EF05 (663 bytes) numbers its glyphs from 3 and skips 追記の有無; the two-TLV form is accepted too', () => {
    expect(buildChangedGaiji()).toHaveLength(663);
    const bitmap = Buffer.alloc(128, 0x81);
    const raw = Buffer.concat([tlv(0x50, Buffer.from([1])), tlv(0x70, Buffer.from([2])), tlv(0x71, bitmap)]);
    const [g] = parseChangedGaijiFile(raw);
    expect(g).toMatchObject({ index: 3, composition: 2 });
    expect(g!.bitmap.equals(bitmap)).toBe(true);
  });
});
