// The virtual residence card's own file map, written as data from the public specification (see
// docs/reference/residence.md: ISA 在留カード等仕様書 Ver 1.5 for the 1st generation, 第２世代在留カード等仕様書
// Ver 1.1 §3.3 and Appendix 2 for the 2nd, as transcribed in eringoio/zairyu-card-reader
// docs/specs/moj/*.md). Deliberately independent of daemon/documents/residence: the card and the reader
// are two readings of the same public text, so a wrong assumption in one shows up as a failure in tests.

/** DF AIDs (§3.3.2 of both specifications; no separate 在留 AP on normal cards). */
export const CARD_AID = {
  DF1: Buffer.from('D392F0004F0200000000000000000000', 'hex'),
  DF2: Buffer.from('D392F0004F0300000000000000000000', 'hex'),
  DF3: Buffer.from('D392F0004F0400000000000000000000', 'hex'),
} as const;

/** One elementary file: its short EF identifier (READ BINARY P1 = 80|SFI) and its capacity in bytes. */
export interface EfSlot {
  sfi: number;
  /** File size where the public source states it (absent: not stated; the card stores the TLV as is). */
  capacity?: number;
}

/** MF, both generations: EF01 common data (tag C0, READ BINARY 00 B0 8B), EF02 card type (C1, 00 B0 8A). */
export const MF_SLOTS = { commonData: { sfi: 0x0b, capacity: 6 }, cardType: { sfi: 0x0a, capacity: 4 } } as const;

/**
 * 1st generation (card types "1"/"2"): DF1 front image D0 (≤ 7000) at 85 and face D1 (≤ 3000) at 86, read
 * with SM; DF2 address (D2 D3 D4) 81, comprehensive permission D5 82, individual permission D6 83,
 * renewal application D7 84; DF3 check code DA + certificate DB at 82 (file 1464 bytes).
 */
export const GEN1_SLOTS = {
  df1Front: { sfi: 0x05 },
  df1Face: { sfi: 0x06 },
  df2Address: { sfi: 0x01, capacity: 342 },
  df2Comprehensive: { sfi: 0x02, capacity: 122 },
  df2Individual: { sfi: 0x03, capacity: 122 },
  df2Renewal: { sfi: 0x04, capacity: 3 },
  df3CheckCode: { sfi: 0x02, capacity: 1464 },
} as const satisfies Record<string, EfSlot>;

/**
 * 2nd generation (card types "05"/"06"), §3.3.1–3.3.3 and the P1 codes of Appendix 2: DF1 EF01 card number
 * C2 at 81, EF02 printed entries at 83, EF03 name image D0 + face D1 at 84, EF04 address image DF D1 at 86
 * (all SM); DF2 EF01 permissions D5 D6 D7 at 81, EF02 renewal D8 at 82, EF03 other D9 DE at 83; DF3 EF01
 * check code DC + certificate DD at 82 — Appendix 2 reads it with `00 B0 82 00 00 00 00`.
 */
export const GEN2_SLOTS = {
  df1CardNumber: { sfi: 0x01, capacity: 14 },
  df1PrintedResidence: { sfi: 0x03, capacity: 73 },
  df1PrintedSpr: { sfi: 0x03, capacity: 46 },
  df1NameFace: { sfi: 0x04, capacity: 5508 },
  df1Address: { sfi: 0x06, capacity: 2505 },
  df2Permission: { sfi: 0x01, capacity: 22 },
  df2Renewal: { sfi: 0x02, capacity: 3 },
  df2Other: { sfi: 0x03, capacity: 207 },
  df3CheckCode: { sfi: 0x02, capacity: 704 },
} as const satisfies Record<string, EfSlot>;

/**
 * 2nd generation printed entries (DF1/EF02) in file order with their fixed value lengths (tlv_tag_reference:
 * C5 8, C6 8, C7 1, C8 3, C9 10, CE 4, CA 2, CB 8, CC 1, CD 8 = 53 bytes). CA, CB, CC, CD are written on
 * residence cards only: a special permanent resident certificate carries 34 bytes of entries (six TLVs in a
 * 46-byte file), NUL-padded to 53 in the signed data.
 */
export const GEN2_PRINTED_LAYOUT: ReadonlyArray<{ tag: number; length: number; residenceOnly: boolean }> = [
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

/** Signed-data field sizes: values right-padded with 00 to these lengths before signing. */
export const SIGNED_SIZES = {
  gen1Front: 7000,
  gen1Face: 3000,
  gen2Printed: 53,
  gen2Face: 3000,
  gen2Name: 2500,
} as const;
