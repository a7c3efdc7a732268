// ECDSA signatures arrive from chips both as raw r‖s (ISO/IEC 7816-8, BSI TR-03111) and as DER
// (X9.62). The first byte cannot tell them apart — a raw r starts with 0x30 about once in 256 — so both
// encodings are tried. Accepting either does not weaken the check: each is a full signature over the data.
import { verify, type KeyObject } from 'node:crypto';

export function verifyEcdsaAnyEncoding(hash: string, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  for (const dsaEncoding of ['ieee-p1363', 'der'] as const) {
    try {
      if (verify(hash, data, { key, dsaEncoding }, signature)) return true;
    } catch {
      /* not this encoding (wrong length or not DER) */
    }
  }
  return false;
}
