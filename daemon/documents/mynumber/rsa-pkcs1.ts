// RSASSA-PKCS1-v1_5 verification against an exact, caller-built DigestInfo (RFC 8017 §8.2.2). The My
// Number card's data records need this form rather than node's verify('sha256', …): the 券面AP's DF28
// signs a DigestInfo whose OCTET STRING holds three SHA-256 digests, which no hash-then-verify API can
// express. The whole recovered block is compared, so a signature with appended or missing bytes fails.
import { constants, publicDecrypt, type KeyObject } from 'node:crypto';

/** True only when `signature` opens under `key` to exactly `digestInfo`. Never throws. */
export function verifyPkcs1v15(key: KeyObject, digestInfo: Buffer, signature: Buffer): boolean {
  const bytes = key.asymmetricKeyDetails?.modulusLength ? Math.ceil(key.asymmetricKeyDetails.modulusLength / 8) : 0;
  if (key.asymmetricKeyType !== 'rsa' || bytes === 0 || signature.length !== bytes) return false;
  let recovered: Buffer;
  try {
    // Public-key operation + type-1 padding check (00 01 FF…FF 00); anything malformed throws.
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  return recovered.length === digestInfo.length && recovered.equals(digestInfo);
}
