// AES-CMAC (RFC 4493 / NIST SP 800-38B) on AES-ECB from node:crypto, which has no CMAC of its own.
// Used by the 2nd-generation residence card (MAC truncated to 8 bytes) and by ICAO AES secure messaging.
import { ErrorCodes, KioskError } from '../errors.ts';
import { aesEcbEncrypt } from './block-cipher.ts';
import { padIso9797M2, xor } from './padding.ts';

const BLOCK = 16;
const RB = 0x87; // R_128 constant (RFC 4493 §2.3)

/** Left shift of a 128-bit string by one bit. */
function shiftLeft1(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i++) out[i] = ((b[i]! << 1) & 0xff) | (i + 1 < b.length ? b[i + 1]! >> 7 : 0);
  return out;
}

/** Subkeys K1, K2 (RFC 4493 §2.3 Generate_Subkey). */
export function cmacSubkeys(key: Buffer): { k1: Buffer; k2: Buffer } {
  const l = aesEcbEncrypt(key, Buffer.alloc(BLOCK));
  const k1 = shiftLeft1(l);
  if (l[0]! & 0x80) k1[BLOCK - 1]! ^= RB;
  const k2 = shiftLeft1(k1);
  if (k1[0]! & 0x80) k2[BLOCK - 1]! ^= RB;
  return { k1, k2 };
}

/** Full 16-byte AES-CMAC of `message`; `length` truncates (RFC 4493 allows a prefix, e.g. 8). */
export function aesCmac(key: Buffer, message: Buffer, length = BLOCK): Buffer {
  if (length < 1 || length > BLOCK) throw new KioskError(ErrorCodes.INTERNAL, `CMAC length ${length}`);
  const { k1, k2 } = cmacSubkeys(key);
  const n = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const lastIn = message.subarray((n - 1) * BLOCK);
  const last = complete ? xor(lastIn, k1) : xor(padIso9797M2(lastIn, BLOCK), k2);
  // CBC-MAC over M_1..M_{n-1} ‖ last, zero IV: encrypt all blocks at once (ECB per block, chained here).
  let x: Buffer = Buffer.alloc(BLOCK);
  for (let i = 0; i < n - 1; i++) x = aesEcbEncrypt(key, xor(x, message.subarray(i * BLOCK, (i + 1) * BLOCK)));
  return aesEcbEncrypt(key, xor(x, last)).subarray(0, length);
}
