// The block primitives of ICAO 9303 secure messaging in the argument order the passport code uses,
// delegating to the shared implementations of core/crypto (padding.ts, block-cipher.ts, retail-mac.ts,
// aes-cmac.ts). Kept as a thin adapter so the passport's SM, BAC and PACE code reads like the
// specification (`Enc(K, IV, data)`), with no second copy of the cipher math.
import { aesCmac as sharedCmac } from './aes-cmac.ts';
import { aesCbcDecrypt, aesCbcEncrypt, aesEcbEncrypt, tdesCbcDecrypt, tdesCbcEncrypt } from './block-cipher.ts';
import { padIso9797M2, unpadIso9797M2, xor } from './padding.ts';
import { retailMac as sharedRetailMac } from './retail-mac.ts';

/** ISO/IEC 9797-1 method 2: 80 then 00s up to a multiple of `block` (always at least one byte). */
export const padIso = (data: Buffer, block: number): Buffer => padIso9797M2(data, block);

/** Strip method-2 padding; null when it is malformed (the caller fails closed). */
export function unpadIso(data: Buffer, block: number): Buffer | null {
  try {
    return unpadIso9797M2(data, block);
  } catch {
    return null;
  }
}

/** 2-key (16-byte) or 3-key (24-byte) 3DES-CBC, no padding. */
export const des3Cbc = (key: Buffer, iv: Buffer, data: Buffer, encrypt: boolean): Buffer =>
  encrypt ? tdesCbcEncrypt(key, data, iv) : tdesCbcDecrypt(key, data, iv);

/** AES-CBC (128/192/256 by key length), no padding. */
export const aesCbc = (key: Buffer, iv: Buffer, data: Buffer, encrypt: boolean): Buffer =>
  encrypt ? aesCbcEncrypt(key, data, iv) : aesCbcDecrypt(key, data, iv);

/** AES-ECB of whole blocks (SM IV derivation). */
export const aesEcb = (key: Buffer, data: Buffer): Buffer => aesEcbEncrypt(key, data);

/** Retail MAC (ISO 9797-1 MAC algorithm 3) over data the caller has already padded to 8 bytes. */
export const retailMac = (key: Buffer, padded: Buffer): Buffer => sharedRetailMac(key, padded, { prePadded: true });

/** AES-CMAC (RFC 4493), full 16 bytes; ICAO uses the first 8. */
export const aesCmac = (key: Buffer, message: Buffer): Buffer => sharedCmac(key, message);

export { xor as xorBuffers };
