// Facts of the residence card (在留カード) and special permanent resident certificate (特別永住者証明書),
// both generations (docs/reference/residence.md; ISA 在留カード等仕様書 Ver 1.5 and 第２世代在留カード等仕様書
// Ver 1.1, transcribed in eringoio/zairyu-card-reader docs/specs/moj/*.md).
import { TlvCodec } from '../../encoding/ber-tlv.ts';
import type { SecretFormat } from '../secrets.ts';

export const RESIDENCE_AID = {
  DF1: Buffer.from('D392F0004F0200000000000000000000', 'hex'),
  DF2: Buffer.from('D392F0004F0300000000000000000000', 'hex'),
  DF3: Buffer.from('D392F0004F0400000000000000000000', 'hex'),
} as const;

/** Short EF identifiers (READ BINARY P1 = 80 | SFI). */
export const MF_SFI = { specVersion: 0x0b, cardType: 0x0a } as const;
export const GEN1_SFI = {
  df1Front: 0x05, // D0 front image, MMR TIFF
  df1Face: 0x06, // D1 face, JPEG 2000
  df2Address: 0x01, // D2 D3 D4
  df2Comprehensive: 0x02, // D5
  df2Individual: 0x03, // D6
  df2Renewal: 0x04, // D7
  df3CheckCode: 0x02, // DA signature + DB certificate
} as const;
export const GEN2_SFI = {
  df1CardNumber: 0x01, // C2
  df1Printed: 0x03, // C5..CD
  df1NameFace: 0x04, // D0 name image + D1 face
  df1Address: 0x06, // DFD1 address image
  df2Permission: 0x01, // D5 D6 D7
  df2Renewal: 0x02, // D8
  df2Other: 0x03, // D9 DE
  // DC signature + DD certificate. DF3/EF01 is served at SFI 02: the ISA Appendix 2 worked example reads it
  // with `00 B0 82 00 00 00 00` (apdu_command_reference.md P1 table: "DF3 82 → DF3/EF01"). Not SFI 01.
  df3CheckCode: 0x02,
} as const;

export type Generation = 1 | 2;
export type ResidenceKind = 'residence-card' | 'special-permanent-resident';

/** Card types (MF/EF02 tag C1). 07/08 are My Number-integrated "specified" cards: a different protocol. */
export const CARD_TYPES: Readonly<Record<string, { generation: Generation; kind: ResidenceKind } | 'specified'>> = {
  '1': { generation: 1, kind: 'residence-card' },
  '2': { generation: 1, kind: 'special-permanent-resident' },
  '05': { generation: 2, kind: 'residence-card' },
  '06': { generation: 2, kind: 'special-permanent-resident' },
  '07': 'specified',
  '08': 'specified',
};

/** 1st gen signed data: front image padded to 7000 bytes ‖ face padded to 3000 (Ver 1.5 §3.4.3.1). */
export const GEN1_FRONT_PAD = 7000;
export const GEN1_FACE_PAD = 3000;
/** 2nd gen signed printed entries: 53 bytes (SPR certificate: 34 bytes NUL-padded to 53). */
export const GEN2_PRINTED_LENGTH = 53;
/** 2nd gen signed images: face D1 right-padded with 00 to 3000, name image D0 to 2500 (their maximum sizes). */
export const GEN2_FACE_PAD = 3000;
export const GEN2_NAME_PAD = 2500;

/**
 * 2nd gen printed entries (DF1/EF02) in file order with their value lengths (tlv_tag_reference.md). A
 * residence card writes all ten (53 value bytes in a 73-byte file: 10 × 2 header bytes + 53); a special
 * permanent resident certificate writes the first six (34 value bytes in a 46-byte file: 6 × 2 + 34) —
 * CA, CB, CC, CD are residence-card entries. The signature covers only the values, so fixed lengths and
 * order are what tie each value to its field: a card that moves a boundary is refused.
 */
export const GEN2_PRINTED_FIELDS: ReadonlyArray<{ tag: number; length: number; residenceOnly: boolean }> = [
  { tag: 0xc5, length: 8, residenceOnly: false },
  { tag: 0xc6, length: 8, residenceOnly: false },
  { tag: 0xc7, length: 1, residenceOnly: false },
  { tag: 0xc8, length: 3, residenceOnly: false },
  { tag: 0xc9, length: 10, residenceOnly: false },
  { tag: 0xce, length: 4, residenceOnly: false },
  { tag: 0xca, length: 2, residenceOnly: true },
  { tag: 0xcb, length: 8, residenceOnly: true },
  { tag: 0xcc, length: 1, residenceOnly: true },
  { tag: 0xcd, length: 8, residenceOnly: true },
];
/** Value bytes of a special permanent resident certificate's printed entries (the rest of the 53 is 00). */
export const GEN2_SPR_PRINTED_LENGTH = 34;

/** Upper bounds for what the card may announce (file capacities + margin), against absurd lengths. */
export const MAX_FILE_BYTES = 12_000;

export const CARD_NUMBER_PATTERN = /^[A-Z]{2}[0-9]{8}[A-Z]{2}$/;
export const CARD_NUMBER_FORMAT: SecretFormat = { kind: 'alnum', min: 12, max: 12, pattern: CARD_NUMBER_PATTERN };

/** BER-TLV as the residence card files use it (docs/reference/residence.md "Encoding"): 1- or 2-byte tags
 *  (`DF D1`: always exactly 2 bytes after a 1F-class octet, although D1 has bit 8 set, which strict BER would
 *  read as "more tag bytes follow"), lengths in the short form or `81 xx` / `82 xx xx`, several TLVs per
 *  file, trailing 00 (or FF) padding ignored but nothing after it: a malformed or tampered file never
 *  yields partially parsed fields. */
export const RESIDENCE_TLV = new TlvCodec({ tags: 'pair-1f', maxLengthOctets: 2, indefinite: false, padding: 'strict-trailing' });
