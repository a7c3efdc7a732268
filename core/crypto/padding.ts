// ISO/IEC 9797-1 padding method 2 (= ISO/IEC 7816-4 padding): append 0x80, then 0x00 up to a multiple
// of the block size. Always adds at least one byte, so unpadding is unambiguous. Used by the retail MAC,
// AES-CMAC's last block, the residence card's VERIFY/SM payloads and ICAO secure messaging.
import { ErrorCodes, KioskError } from '../errors.ts';

/** `data ‖ 80 ‖ 00…` to the next multiple of `blockSize` (8 for DES, 16 for AES). */
export function padIso9797M2(data: Buffer, blockSize: number): Buffer {
  const total = (Math.floor(data.length / blockSize) + 1) * blockSize;
  const out = Buffer.alloc(total);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

/**
 * Strip method-2 padding. Strict: the last non-zero byte must be 0x80 and lie in the final block, and the
 * input must be whole blocks; anything else is a malformed (or wrongly decrypted) payload.
 */
export function unpadIso9797M2(data: Buffer, blockSize: number): Buffer {
  if (data.length === 0 || data.length % blockSize !== 0) {
    throw new KioskError(ErrorCodes.CARD_SM_FAILED, `padded data of ${data.length} bytes is not whole ${blockSize}-byte blocks`);
  }
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0x00) i--;
  if (i < 0 || data[i] !== 0x80 || data.length - i > blockSize) {
    throw new KioskError(ErrorCodes.CARD_SM_FAILED, 'ISO/IEC 9797-1 method 2 padding not found');
  }
  return data.subarray(0, i);
}

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new KioskError(ErrorCodes.INTERNAL, `xor of ${a.length} and ${b.length} bytes`);
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a.readUInt8(i) ^ b.readUInt8(i);
  return out;
}
