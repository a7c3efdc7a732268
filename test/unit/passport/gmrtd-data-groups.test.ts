// Data-group samples published by gmrtd (test/conformance/gmrtd/, MIT): ICAO's ISO/IEC 39794-5 DG2
// application-profile samples with the face image they carry, and gmrtd's EF.COM/DG1/DG2/DG11/DG12/DG14/
// DG15 vectors (ICAO 9303-10 examples and real chips) with the values gmrtd decodes from them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dg14Set, parseDg1, parseDg15, parseDg2, parseEfCom, parseTextDg } from '../../../daemon/documents/passport/datagroups/data-groups.ts';
import { parseSecurityInfos } from '../../../daemon/documents/passport/datagroups/security-infos.ts';
import { GMRTD, gmrtdJson } from './gmrtd-data.ts';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('ISO/IEC 39794-5 DG2 (ICAO application-profile samples)', () => {
  const face = readFileSync(join(GMRTD, 'ICAO_39794_5_AP_DG2_Face.jpg'));
  it.each(['AllFields', 'MandFields'])('%s: the face image is the published one', (name) => {
    const img = parseDg2(readFileSync(join(GMRTD, `ICAO_39794_5_AP_DG2_${name}.dat`)));
    expect(img.data.equals(face)).toBe(true);
    // The published "jpg" holds a JPEG 2000 file (JP2 signature box 0000000C 6A502020).
    expect(img.format).toBe('jpeg2000');
  });
});

interface Dgs {
  com: { file: string; ldsVersion: string; unicodeVersion: string; tags: number[] };
  dg1: { file: string; rawMrz: string; mrzi: string }[];
  dg1_bad_mrz: string;
  dg11: { file: string }[];
  dg12_nz: { file: string; fields: Record<string, string> };
  dg12_fr: { file: string; fields: Record<string, string> };
  dg15: { file: string; spki: string };
  dg14: { file: string; pace?: number; ca: number; caPubKey: number };
  dg14_at: { file: string; pace?: number; ca: number; caPubKey: number };
  dg14_my: { file: string; pace?: number; ca: number; caPubKey: number };
  dg2_iso19794: { file: string; image: string };
}
const d = gmrtdJson<Dgs>('dgs.json');

describe('gmrtd data-group vectors', () => {
  it('EF.COM: LDS and Unicode versions, tag list → DG1, DG2', () => {
    const com = parseEfCom(hex(d.com.file));
    expect(com).toEqual({ ldsVersion: d.com.ldsVersion, unicodeVersion: d.com.unicodeVersion, dataGroups: [1, 2] });
    expect(d.com.tags).toEqual([0x61, 0x75]);
  });

  it.each(d.dg1.map((x) => [x.rawMrz.slice(0, 12), x] as const))('DG1 %s…: the MRZ information gmrtd derives', (_n, x) => {
    const m = parseDg1(hex(x.file));
    // MRZ information = document number + check digit, birth date + check, expiry + check (9303-11 §9.7.2)
    const raw = x.rawMrz;
    const td3 = raw.length === 88;
    const docField = td3 ? raw.slice(44, 54) : raw.slice(36, 46);
    expect(`${docField}${m.dateOfBirth}${raw[td3 ? 63 : 55]}${m.dateOfExpiry}${raw[td3 ? 71 : 63]}`).toBe(x.mrzi);
    expect(docField.slice(0, 9).replace(/<+$/, '')).toBe(m.documentNumber);
    expect(m.checkDigitsValid).toBe(true);
  });

  it('DG1 with a character outside the MRZ alphabet: a typed refusal', () => {
    expect(() => parseDg1(hex(d.dg1_bad_mrz))).toThrow(expect.objectContaining({ code: 'CARD_MALFORMED_RESPONSE' }));
  });

  it('DG11 (9303-10 A.5 example) and DG12 (real NZ and FR chips): fields by tag', () => {
    expect(parseTextDg(hex(d.dg11[0]!.file), 0x6b)).toEqual({
      '5F0E': 'SMITH<<JOHN<J',
      '5F11': 'ANYTOWN<MN',
      '5F42': '123 MAPLE RD<ANYTOWN<MN',
      '5F12': '16125551212',
      '5F13': 'TRAVEL<AGENT',
    });
    expect(parseTextDg(hex(d.dg12_nz.file), 0x6c)).toEqual(d.dg12_nz.fields);
    expect(parseTextDg(hex(d.dg12_fr.file), 0x6c)).toEqual(d.dg12_fr.fields);
  });

  it('DG15: the active-authentication SubjectPublicKeyInfo', () => {
    expect(parseDg15(hex(d.dg15.file)).toString('hex')).toBe(d.dg15.spki);
  });

  it.each(['dg14', 'dg14_at', 'dg14_my'] as const)('%s: PACE, chip-authentication and CA public-key infos as gmrtd counts them', (k) => {
    const infos = parseSecurityInfos(dg14Set(hex(d[k].file)));
    expect(infos.pace).toHaveLength(d[k].pace ?? 0);
    expect(infos.chipAuth).toHaveLength(d[k].ca);
    expect(infos.chipAuthKeys).toHaveLength(d[k].caPubKey);
  });

  it('DG2 as an ISO 19794-5 facial record (real chip): the JPEG gmrtd extracts', () => {
    const img = parseDg2(hex(d.dg2_iso19794.file));
    expect(img.format).toBe('jpeg');
    expect(img.data.toString('hex')).toBe(d.dg2_iso19794.image);
  });
});
