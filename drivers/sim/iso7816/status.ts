// ISO/IEC 7816-4 status words the emulated cards answer with (docs/reference/iso7816.md §5). Kept as numbers
// (SW1 << 8 | SW2) so handlers can compute 61xx / 63Cx / 6Cxx variants arithmetically.

export const SW = {
  OK: 0x9000,
  END_OF_FILE: 0x6282, // fewer bytes than Le before the end of the EF
  VERIFY_FAILED: 0x63c0, // | tries left
  WRONG_LENGTH: 0x6700,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  CHAINING_NOT_SUPPORTED: 0x6884,
  INCOMPATIBLE_FILE_STRUCTURE: 0x6981,
  SECURITY_NOT_SATISFIED: 0x6982,
  REFERENCE_DATA_NOT_USABLE: 0x6984, // PIN locked
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6a86,
  LC_INCONSISTENT: 0x6a87,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  OFFSET_OUTSIDE_EF: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

/** `61 xx`: xx bytes (00 = 256 or more) wait for GET RESPONSE. */
export const moreData = (n: number): number => 0x6100 | (n >= 256 ? 0 : n);
/** `6C xx`: re-send the same command with Le = xx. */
export const wrongLe = (n: number): number => 0x6c00 | (n >= 256 ? 0 : n);
/** `63 Cx`: verification failed / tries query, x tries left (capped at 15 by the encoding). */
export const triesLeft = (n: number): number => 0x63c0 | Math.min(Math.max(n, 0), 15);

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** R-APDU bytes: data ‖ SW1 SW2. */
export function rapdu(sw: number, data?: Buffer): Buffer {
  const tail = Buffer.from([(sw >> 8) & 0xff, sw & 0xff]);
  return data && data.length > 0 ? Buffer.concat([data, tail]) : tail;
}
