// Facts of the residence card (在留カード) and special permanent resident certificate (特別永住者証明書),
// both generations (cards.md §3; ISA 在留カード等仕様書 Ver 1.5 and 第２世代在留カード等仕様書 Ver 1.1).
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
  df3CheckCode: 0x01, // DC signature + DD certificate
} as const;

export type Generation = 1 | 2;

/** Card types (MF/EF02 tag C1). 07/08 are My Number-integrated "specified" cards: a different protocol. */
export const CARD_TYPES: Readonly<Record<string, { generation: Generation; kind: 'residence-card' | 'special-permanent-resident' } | 'specified'>> = {
  '1': { generation: 1, kind: 'residence-card' },
  '2': { generation: 1, kind: 'special-permanent-resident' },
  '05': { generation: 2, kind: 'residence-card' },
  '06': { generation: 2, kind: 'special-permanent-resident' },
  '07': 'specified',
  '08': 'specified',
};

/** 1st gen signed data: front image padded to 7000 bytes ‖ face padded to 3000 (cards.md §3.7). */
export const GEN1_FRONT_PAD = 7000;
export const GEN1_FACE_PAD = 3000;
/** 2nd gen signed printed entries: 53 bytes (SPR certificate: 34 bytes NUL-padded to 53). */
export const GEN2_PRINTED_LENGTH = 53;

/** Upper bounds for what the card may announce (file capacities + margin), against absurd lengths. */
export const MAX_FILE_BYTES = 12_000;

export const CARD_NUMBER_PATTERN = /^[A-Z]{2}[0-9]{8}[A-Z]{2}$/;
export const CARD_NUMBER_FORMAT: SecretFormat = { kind: 'alnum', min: 12, max: 12, pattern: CARD_NUMBER_PATTERN };
