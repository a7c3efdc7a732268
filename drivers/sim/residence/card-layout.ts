// The virtual residence card's file map, taken as data from the public specification's tables
// (docs/reference/residence-files.json, transcribed for docs/reference/residence.md from ISA 在留カード等仕様書
// Ver 1.5 and 第２世代在留カード等仕様書 Ver 1.1). Deliberately independent of daemon/documents/residence: the
// reader keeps its own constants, and test/unit/residence/reference-tables.test.ts checks them against the
// same data, so a wrong reader constant fails against the specification instead of passing on both sides.
// This module only turns the spec's form (hex P1, tag names) into what the card OS uses.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import spec from '../../../docs/reference/residence-files.json' with { type: 'json' };

interface SpecFile {
  df?: string;
  p1: string;
  tags: string[];
  maxValue?: number;
  file?: number;
  fileOnType06?: number;
}

const aid = (spaced: string) => Buffer.from(spaced.replace(/ /g, ''), 'hex');

/** DF AIDs (§3.3.2 of both specifications; no separate 在留 AP on normal cards). */
export const CARD_AID = { DF1: aid(spec.aids.DF1), DF2: aid(spec.aids.DF2), DF3: aid(spec.aids.DF3) } as const;

/** One elementary file: its short EF identifier (READ BINARY P1 = 80|SFI) and its capacity in bytes. */
export interface EfSlot {
  sfi: number;
  /** File size where the public source states it (absent: not stated; the card stores the TLV as is). */
  capacity?: number;
}

/** The file of `df` whose first tag is `tag`, as an SFI slot of the size the table states. */
function slot(files: readonly SpecFile[], df: string | undefined, tag: string, size: (f: SpecFile) => number | undefined = (f) => f.file): EfSlot {
  const f = files.find((x) => x.df === df && x.tags[0] === tag);
  if (!f) throw new KioskError(ErrorCodes.INTERNAL, `docs/reference/residence-files.json: no ${df ?? 'MF'} file with tag ${tag}`);
  return { sfi: Number.parseInt(f.p1, 16) & 0x1f, capacity: size(f) };
}

/** MF, both generations: EF01 common data (C0), EF02 card type (C1); sized to a short-form TLV of the maximum value. */
const mfSize = (f: SpecFile) => (f.maxValue === undefined ? undefined : 2 + f.maxValue);
export const MF_SLOTS = {
  commonData: slot(spec.mf.files, undefined, 'C0', mfSize),
  cardType: slot(spec.mf.files, undefined, 'C1', mfSize),
} as const;

const g1: readonly SpecFile[] = spec.generation1.files;
/** 1st generation (card types "1"/"2"). */
export const GEN1_SLOTS = {
  df1Front: slot(g1, 'DF1', 'D0'),
  df1Face: slot(g1, 'DF1', 'D1'),
  df2Address: slot(g1, 'DF2', 'D2'),
  df2Comprehensive: slot(g1, 'DF2', 'D5'),
  df2Individual: slot(g1, 'DF2', 'D6'),
  df2Renewal: slot(g1, 'DF2', 'D7'),
  df3CheckCode: slot(g1, 'DF3', 'DA'),
} as const;

const g2: readonly SpecFile[] = spec.generation2.files;
/** 2nd generation (card types "05"/"06"). */
export const GEN2_SLOTS = {
  df1CardNumber: slot(g2, 'DF1', 'C2'),
  df1PrintedResidence: slot(g2, 'DF1', 'C5'),
  df1PrintedSpr: slot(g2, 'DF1', 'C5', (f) => f.fileOnType06),
  df1NameFace: slot(g2, 'DF1', 'D0'),
  df1Address: slot(g2, 'DF1', 'DFD1'),
  df2Permission: slot(g2, 'DF2', 'D5'),
  df2Renewal: slot(g2, 'DF2', 'D8'),
  df2Other: slot(g2, 'DF2', 'D9'),
  df3CheckCode: slot(g2, 'DF3', 'DC'),
} as const;

/**
 * 2nd generation printed entries (DF1/EF02) in file order with their fixed value lengths. An entry not
 * listed for type 06 is written on residence cards only: a special permanent resident certificate carries
 * the other six (34 value bytes), NUL-padded to 53 in the signed data.
 */
export const GEN2_PRINTED_LAYOUT: ReadonlyArray<{ tag: number; length: number; residenceOnly: boolean }> = spec.generation2.printedEntries.map((e) => ({
  tag: Number.parseInt(e.tag, 16),
  length: e.length,
  residenceOnly: !e.onTypes.includes('06'),
}));

/** Signed-data field sizes: values right-padded with 00 to these lengths before signing. */
export const SIGNED_SIZES = {
  gen1Front: spec.generation1.signedData.D0,
  gen1Face: spec.generation1.signedData.D1,
  gen2Printed: spec.generation2.signedData.printed,
  gen2Face: spec.generation2.signedData.D1,
  gen2Name: spec.generation2.signedData.D0,
} as const;
