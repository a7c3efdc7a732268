// The virtual card's own file map reviewed against the public specification's file table (ISA 第２世代
// 在留カード等仕様書 §3.3.1, Ver 1.5 for the 1st generation; docs/reference/residence.md "File map"): file sizes,
// P1/SFI slots and tags, with the expected numbers written from the published table, not from the sim.
import { describe, expect, it } from 'vitest';
import { gen1Files, gen2Files } from '../../../drivers/sim/residence/card-files.ts';
import { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF, SYNTHETIC_NAME_TIFF, syntheticPrinted } from '../../../drivers/sim/residence/index.ts';
import { createResidenceCa, issueCardCertificate } from '../../../drivers/sim/residence/pki.ts';

const printed = syntheticPrinted(Date.UTC(2026, 3, 1));
const hex = (b: Buffer | undefined) => b?.toString('hex').toUpperCase();

describe('virtual residence card file map = the published file table', () => {
  const ca2 = createResidenceCa(2);
  const cert2 = issueCardCertificate(ca2, 2);
  const files = (cardType: '05' | '06') =>
    gen2Files({
      cardType,
      cardNumber: 'AA12345678BB',
      printed,
      images: { face: SYNTHETIC_FACE_JP2, tiff: SYNTHETIC_NAME_TIFF },
      cert: cert2,
      fullLengthImages: true,
    });

  it('2nd gen type 05: MF 8A/8B, DF1 81/83/84/86, DF2 81/82/83, DF3 82 with the published sizes', () => {
    const f = files('05');
    expect(hex(f.mf.get(0x0a))).toBe('C1023035');
    expect([...f.df1.keys()].sort()).toEqual([0x01, 0x03, 0x04, 0x06]);
    expect([...f.df2.keys()].sort()).toEqual([0x01, 0x02, 0x03]);
    expect([...f.df3.keys()]).toEqual([0x02]); // DF3/EF01 at SFI 02: 00 B0 82 00 … (Appendix 2)
    expect(f.df1.get(0x01)!.length).toBe(14);
    expect(f.df1.get(0x03)!.length).toBe(73);
    expect(f.df1.get(0x04)!.length).toBe(5508);
    expect(hex(f.df1.get(0x04)!.subarray(0, 4))).toBe('D08209C4');
    expect(hex(f.df1.get(0x04)!.subarray(2504, 2508))).toBe('D1820BB8');
    expect(f.df2.get(0x01)!.length).toBe(22);
    expect(f.df2.get(0x02)!.length).toBe(3);
    expect(f.df2.get(0x03)!.length).toBe(207);
    expect(f.df3.get(0x02)!.length).toBe(704);
    expect(hex(f.df3.get(0x02)!.subarray(0, 2))).toBe('DC60');
    // printed entries in file order, tags and lengths as in the tag table
    const ef02 = f.df1.get(0x03)!;
    const heads: string[] = [];
    for (let i = 0; i < ef02.length; i += 2 + ef02[i + 1]!) heads.push(hex(ef02.subarray(i, i + 2))!);
    expect(heads).toEqual(['C508', 'C608', 'C701', 'C803', 'C90A', 'CE04', 'CA02', 'CB08', 'CC01', 'CD08']);
  });

  it('2nd gen type 06: 46-byte printed entries (six TLVs, 34 value bytes); DF2 only the "other" file', () => {
    const f = files('06');
    expect(hex(f.mf.get(0x0a))).toBe('C1023036');
    expect(f.df1.get(0x03)!.length).toBe(46);
    expect([...f.df2.keys()]).toEqual([0x03]);
    expect(f.df2.get(0x03)!.length).toBe(207);
  });

  it('1st gen: DF1 85/86 (D0, D1), DF2 81–84, DF3 82 (DA + DB) of 1464 bytes', () => {
    const ca1 = createResidenceCa(1);
    const f = gen1Files({
      cardType: '1',
      images: { face: SYNTHETIC_FACE_JP2, tiff: SYNTHETIC_FRONT_TIFF },
      cert: issueCardCertificate(ca1, 1),
      address: '東京都千代田区テスト',
    });
    expect(hex(f.mf.get(0x0a)!.subarray(0, 3))).toBe('C10131'); // C1 01 31, then 00 padding
    expect([...f.df1.keys()].sort()).toEqual([0x05, 0x06]);
    expect(f.df1.get(0x05)![0]).toBe(0xd0);
    expect(f.df1.get(0x06)![0]).toBe(0xd1);
    expect([...f.df2.keys()].sort()).toEqual([0x01, 0x02, 0x03, 0x04]);
    expect(f.df2.get(0x01)!.length).toBe(342);
    expect(f.df2.get(0x04)!.length).toBe(3);
    expect([...f.df3.keys()]).toEqual([0x02]);
    expect(f.df3.get(0x02)!.length).toBe(1464);
    expect(hex(f.df3.get(0x02)!.subarray(0, 4))).toBe('DA820100'); // 256-byte RSA-2048 check code
  });
});
