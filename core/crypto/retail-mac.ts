// ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with DES, padding method 2, output 8 bytes: single-DES
// CBC-MAC with Ka over every block, then the final output is decrypted with Kb and encrypted with Ka.
// Key = Ka‖Kb (16 bytes, 2-key 3DES). Used by the 1st-generation residence card and ICAO BAC/3DES SM.
// `RetailMac` keeps its cipher contexts for the life of its key (a 3DES secure-messaging session);
// `retailMac` is the one-shot form.
//
// The data is padded here (method 2) unless `prePadded` says the caller already did (ICAO SM pads its
// MAC input itself, and padding twice would add a second block). Single DES is DES-EDE3 with K‖K‖K
// (block-cipher.ts explains why).
import { ErrorCodes, KioskError } from '../errors.ts';
import { CbcContext } from './cbc-context.ts';
import { padIso9797M2 } from './padding.ts';

function singleDes(k: Buffer): CbcContext {
  const kkk = Buffer.concat([k, k, k]);
  const ctx = new CbcContext('des-ede3-cbc', kkk, 8);
  kkk.fill(0);
  return ctx;
}

export class RetailMac {
  private readonly ka: CbcContext;
  private readonly kb: CbcContext;

  constructor(key: Buffer) {
    if (key.length !== 16) throw new KioskError(ErrorCodes.INTERNAL, `retail MAC key of ${key.length} bytes`);
    this.ka = singleDes(key.subarray(0, 8));
    this.kb = singleDes(key.subarray(8, 16));
  }

  mac(data: Buffer, opts: { prePadded?: boolean } = {}): Buffer {
    const padded = opts.prePadded ? data : padIso9797M2(data, 8);
    if (padded.length === 0 || padded.length % 8 !== 0) {
      throw new KioskError(ErrorCodes.INTERNAL, `retail MAC input of ${padded.length} bytes is not whole blocks`);
    }
    const h = this.ka.lastBlock(padded);
    return Buffer.from(this.ka.lastBlock(this.kb.decrypt(h)));
  }
}

export function retailMac(key: Buffer, data: Buffer, opts: { prePadded?: boolean } = {}): Buffer {
  return new RetailMac(key).mac(data, opts);
}
