// Decoding over synthetic blobs built from the tag table: every tag 11–33, the free files, 外字 bitmaps
// (drawn back out of the PNG), EF04 change records and the EF07 check's honest statuses.
import { createSign } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { currentValue, parseChangeRecords } from '../../../daemon/documents/license/changes.ts';
import { parseCommonData, parsePinSetting } from '../../../daemon/documents/license/common-data.ts';
import { glyphArt, glyphPng, parseChangedGaijiFile, parseGaijiFile } from '../../../daemon/documents/license/gaiji.ts';
import { MATTERS_TAGS, parseMatters, textField } from '../../../daemon/documents/license/matters.ts';
import { checkEf07, parseDigestInfo } from '../../../daemon/documents/license/signature.ts';
import { encodeLicenseTlv as tlv } from '../../../daemon/documents/license/tlv.ts';
import { KioskError } from '../../../daemon/errors.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { buildChangedGaiji, buildChangeRecords, buildCommonData, buildGaiji, buildMatters, syntheticHolder } from '../../../drivers/sim/license/holder.ts';
import { GLYPH_TAKA_LADDER_ROWS } from '../../../drivers/sim/license/glyphs.ts';
import { encodeEraDate, encodeJisX0201, encodeJisX0208 } from '../../../drivers/sim/license/jis-encode.ts';
import { buildSignatureEf, createLicenseSigningKey } from '../../../drivers/sim/license/signer.ts';

const NOW = new Date('2026-06-01T03:00:00Z');

describe('DF1/EF01 記載事項: every tag of the table', () => {
  it('decodes each tag 11–33 from a blob built tag by tag', () => {
    const parts: Buffer[] = [];
    const expected: Record<string, unknown> = {};
    for (const [tag, info] of MATTERS_TAGS) {
      if (info.kind === 'jis0208') {
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
  it('an empty class tag means "not held"; a non-date value means held without a date', () => {
    const m = parseMatters(Buffer.concat([tlv(0x25, Buffer.alloc(0)), tlv(0x26, encodeJisX0201('0000000'))]));
    expect(m.fields.large).toEqual({ kind: 'class-date', value: { held: false, date: null, raw: '' } });
    expect(m.fields.ordinary).toEqual({ kind: 'class-date', value: { held: true, date: null, raw: '0000000' } });
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
    expect(parseCommonData(buildCommonData(h))).toEqual({ specVersion: '008', issueDate: h.issueDate, expiryDate: h.expiryDate, manufacturerId: 1, cryptoFunctionId: 1 });
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
  it('EF03 (264 bytes) yields glyph 1 with the drawn bitmap, and its PNG shows the same dots', () => {
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

describe('EF04 change records', () => {
  const h = syntheticHolder({ now: NOW });
  it('the last 新住所 in write order is the current address; other kinds do not touch it', () => {
    const raw = buildChangeRecords(
      [
        { kind: 'newAddress', date: '2026-01-10', value: '大阪府見本市一丁目', commission: '大阪府公安委員会' },
        { kind: 'newCondition', date: '2026-02-01', value: '眼鏡等', commission: '大阪府公安委員会' },
        { kind: 'newAddress', date: '2026-03-05', value: '京都府見本市二丁目', commission: '京都府公安委員会' },
      ],
      640,
    );
    expect(raw).toHaveLength(640);
    const rec = parseChangeRecords(raw, 'EF04');
    expect(rec.appended).toBe(true);
    expect(rec.entries.map((e) => [e.kind, e.date, e.value.plain, e.commission?.plain])).toEqual([
      ['newAddress', '2026-01-10', '大阪府見本市一丁目', '大阪府公安委員会'],
      ['newCondition', '2026-02-01', '眼鏡等', '大阪府公安委員会'],
      ['newAddress', '2026-03-05', '京都府見本市二丁目', '京都府公安委員会'],
    ]);
    const atIssue = textField(parseMatters(buildMatters(h)), 'address');
    expect(atIssue?.plain).toBe(h.address);
    const cur = currentValue(atIssue, rec.entries, 'newAddress');
    expect(cur).toMatchObject({ changed: true, changedOn: '2026-03-05' });
    expect(cur.value?.plain).toBe('京都府見本市二丁目');
    expect(currentValue(null, rec.entries, 'newName')).toEqual({ value: null, changedOn: null, changed: false });
  });
  it('no change: 追記の有無 = 00 and no entries', () => {
    const rec = parseChangeRecords(buildChangeRecords([], 640), 'EF04');
    expect(rec).toEqual({ appended: false, entries: [], unplaced: [] });
  });
});

describe('EF07 (honest statuses only)', () => {
  const h = syntheticHolder({ now: NOW });
  const files = { matters: buildMatters(h), honseki: Buffer.from('41024a4a', 'hex'), gaiji: buildGaiji(h), photo: Buffer.from('5f400100', 'hex') };
  const key = createLicenseSigningKey();
  const other = createLicenseSigningKey();
  const ef07 = buildSignatureEf(key, files);
  it('valid only with the key that signed, naming the layout that matched', () => {
    const r = checkEf07(ef07, files, new TrustStore([other.x509, key.x509]));
    expect(r).toMatchObject({ status: 'valid', signedData: 'DF1/EF01‖DF1/EF02‖DF1/EF03‖DF2/EF01', hash: 'sha256', subjectKeyId: key.subjectKeyId.toString('hex') });
    expect(r.note).toMatch(/UNVERIFIED/);
  });
  it('no configured key: "no-key", never valid', () => {
    expect(checkEf07(ef07, files, new TrustStore([])).status).toBe('no-key');
  });
  it('wrong key, corrupted signature or changed data: "unmatched", not "valid"', () => {
    expect(checkEf07(ef07, files, new TrustStore([other.x509])).status).toBe('unmatched');
    expect(checkEf07(buildSignatureEf(key, files, { corrupt: true }), files, new TrustStore([key.x509])).status).toBe('unmatched');
    const tampered = { ...files, matters: Buffer.from(files.matters) };
    tampered.matters[10]! ^= 1;
    expect(checkEf07(ef07, tampered, new TrustStore([key.x509])).status).toBe('unmatched');
  });
  it('without PIN2 files the signature over the full layout cannot match: a shorter layout signed by the key still can', () => {
    const sig = createSign('sha256').update(Buffer.concat([files.matters, files.gaiji])).sign(key.privateKey);
    const ef = Buffer.concat([tlv(0x61, sig), tlv(0x62, encodeJisX0201('1'))]);
    expect(checkEf07(ef, { ...files, honseki: null, photo: null }, new TrustStore([key.x509]))).toMatchObject({ status: 'valid', signedData: 'DF1/EF01‖DF1/EF03' });
  });
  it('not read / malformed', () => {
    expect(checkEf07(null, files, new TrustStore([key.x509])).status).toBe('not-read');
    expect(checkEf07(Buffer.from('6105aa', 'hex'), files, new TrustStore([key.x509])).status).toBe('malformed');
  });
  it('DigestInfo parser is strict', () => {
    expect(parseDigestInfo(Buffer.from('3031300d060960864801650304020105000420' + '00'.repeat(32), 'hex'))?.hash).toBe('sha256');
    expect(parseDigestInfo(Buffer.from('3031300d060960864801650304020105000420' + '00'.repeat(31), 'hex'))).toBeNull();
  });
});
