// ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with DES, padding method 2, output 8 bytes: single-DES
// CBC-MAC with Ka over every block, then the final output is decrypted with Kb and encrypted with Ka.
// Key = Ka‖Kb (16 bytes, 2-key 3DES). Used by the 1st-generation residence card and ICAO BAC/3DES SM.
//
// The data is padded here (method 2) unless `prePadded` says the caller already did (ICAO SM pads its
// MAC input itself, and padding twice would add a second block).
import { ErrorCodes, KioskError } from '../errors.ts';
import { desCbcEncrypt, desEcbDecrypt, desEcbEncrypt } from './block-cipher.ts';
import { padIso9797M2 } from './padding.ts';

export function retailMac(key: Buffer, data: Buffer, opts: { prePadded?: boolean } = {}): Buffer {
  if (key.length !== 16) throw new KioskError(ErrorCodes.INTERNAL, `retail MAC key of ${key.length} bytes`);
  const ka = key.subarray(0, 8);
  const kb = key.subarray(8, 16);
  const padded = opts.prePadded ? data : padIso9797M2(data, 8);
  if (padded.length === 0 || padded.length % 8 !== 0) {
    throw new KioskError(ErrorCodes.INTERNAL, `retail MAC input of ${padded.length} bytes is not whole blocks`);
  }
  const cbc = desCbcEncrypt(ka, padded);
  const h = cbc.subarray(cbc.length - 8);
  return desEcbEncrypt(ka, desEcbDecrypt(kb, h));
}
