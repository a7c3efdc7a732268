// The reader's residence-card constants (daemon/documents/residence/constants.ts) against the specification's
// tables as data (docs/reference/residence-files.json, transcribed from the ISA specifications). The virtual
// card is built from the same data, so this is what keeps the reader's own reading of the spec honest: a
// wrong SFI, AID, entry length or padding size in the reader fails here, not silently on both sides.
import { describe, expect, it } from 'vitest';
import spec from '../../../docs/reference/residence-files.json' with { type: 'json' };
import {
  CARD_TYPES,
  GEN1_FACE_PAD,
  GEN1_FRONT_PAD,
  GEN1_SFI,
  GEN2_FACE_PAD,
  GEN2_NAME_PAD,
  GEN2_PRINTED_FIELDS,
  GEN2_PRINTED_LENGTH,
  GEN2_SFI,
  GEN2_SPR_PRINTED_LENGTH,
  MF_SFI,
  RESIDENCE_AID,
} from '../../../daemon/documents/residence/constants.ts';

interface SpecFile {
  df?: string;
  p1: string;
  tags: string[];
}
/** The P1 (80 + SFI) the table gives the file of `df` holding `tag`. */
function p1(files: readonly SpecFile[], df: string | undefined, tag: string): string {
  const f = files.find((x) => x.df === df && x.tags.includes(tag));
  if (!f) throw new Error(`no ${df ?? 'MF'} file holds ${tag}`);
  return f.p1;
}
const asP1 = (sfi: number) => (0x80 | sfi).toString(16).toUpperCase();
const hex = (n: number) => n.toString(16).toUpperCase();

describe('residence reader constants = the specification tables', () => {
  it('AIDs of DF1–DF3', () => {
    for (const df of ['DF1', 'DF2', 'DF3'] as const) expect(RESIDENCE_AID[df].toString('hex').toUpperCase()).toBe(spec.aids[df].replace(/ /g, ''));
  });

  it('card types: the four supported map to their generation, the My Number-integrated ones are refused', () => {
    for (const t of spec.cardTypes) {
      const reader = CARD_TYPES[t.c1];
      if (t.generation === null) expect(reader).toBe('specified');
      else expect(reader).toMatchObject({ generation: t.generation });
    }
    expect(Object.keys(CARD_TYPES).sort()).toEqual(spec.cardTypes.map((t) => t.c1).sort());
  });

  it('READ BINARY P1 of every file the reader reads', () => {
    const mf = spec.mf.files;
    const g1 = spec.generation1.files;
    const g2 = spec.generation2.files;
    const pairs: Array<[string, number, string]> = [
      [p1(mf, undefined, 'C0'), MF_SFI.specVersion, 'MF C0'],
      [p1(mf, undefined, 'C1'), MF_SFI.cardType, 'MF C1'],
      [p1(g1, 'DF1', 'D0'), GEN1_SFI.df1Front, 'gen1 D0'],
      [p1(g1, 'DF1', 'D1'), GEN1_SFI.df1Face, 'gen1 D1'],
      [p1(g1, 'DF2', 'D4'), GEN1_SFI.df2Address, 'gen1 D2-D4'],
      [p1(g1, 'DF2', 'D5'), GEN1_SFI.df2Comprehensive, 'gen1 D5'],
      [p1(g1, 'DF2', 'D6'), GEN1_SFI.df2Individual, 'gen1 D6'],
      [p1(g1, 'DF2', 'D7'), GEN1_SFI.df2Renewal, 'gen1 D7'],
      [p1(g1, 'DF3', 'DA'), GEN1_SFI.df3CheckCode, 'gen1 DA'],
      [p1(g2, 'DF1', 'C2'), GEN2_SFI.df1CardNumber, 'gen2 C2'],
      [p1(g2, 'DF1', 'C5'), GEN2_SFI.df1Printed, 'gen2 C5'],
      [p1(g2, 'DF1', 'D1'), GEN2_SFI.df1NameFace, 'gen2 D0/D1'],
      [p1(g2, 'DF1', 'DFD1'), GEN2_SFI.df1Address, 'gen2 DFD1'],
      [p1(g2, 'DF2', 'D5'), GEN2_SFI.df2Permission, 'gen2 D5-D7'],
      [p1(g2, 'DF2', 'D8'), GEN2_SFI.df2Renewal, 'gen2 D8'],
      [p1(g2, 'DF2', 'DE'), GEN2_SFI.df2Other, 'gen2 D9/DE'],
      [p1(g2, 'DF3', 'DC'), GEN2_SFI.df3CheckCode, 'gen2 DC'],
    ];
    expect(pairs.map(([, sfi, what]) => `${what} ${asP1(sfi)}`)).toEqual(pairs.map(([want, , what]) => `${what} ${want}`));
  });

  it('2nd gen printed entries: order, lengths, which are residence-card only, and the 53/34 totals', () => {
    const entries = spec.generation2.printedEntries;
    expect(GEN2_PRINTED_FIELDS.map((f) => `${hex(f.tag)}:${f.length}:${f.residenceOnly ? '05' : '05,06'}`)).toEqual(
      entries.map((e) => `${e.tag}:${e.length}:${e.onTypes.join(',')}`),
    );
    expect(GEN2_PRINTED_LENGTH).toBe(spec.generation2.signedData.printed);
    expect(GEN2_SPR_PRINTED_LENGTH).toBe(entries.filter((e) => e.onTypes.includes('06')).reduce((n, e) => n + e.length, 0));
  });

  it('signed-data padding sizes of both generations', () => {
    expect([GEN1_FRONT_PAD, GEN1_FACE_PAD]).toEqual([spec.generation1.signedData.D0, spec.generation1.signedData.D1]);
    expect([GEN2_FACE_PAD, GEN2_NAME_PAD]).toEqual([spec.generation2.signedData.D1, spec.generation2.signedData.D0]);
  });
});
