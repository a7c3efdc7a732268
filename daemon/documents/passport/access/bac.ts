// Basic Access Control (ICAO 9303-11 §4.3, docs/reference/passport.md §3): keys from the MRZ information, GET CHALLENGE,
// EXTERNAL AUTHENTICATE with 3DES + retail MAC, session keys from K.IFD ⊕ K.IC, SSC from the nonces.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CardSession } from '../../../../drivers/reader/card-session.ts';
import { des3Cbc, padIso, retailMac, xorBuffers } from '../../../../core/crypto/icao-primitives.ts';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { kdf, SecureMessaging } from './secure-messaging.ts';

export interface BacKeys {
  kEnc: Buffer;
  kMac: Buffer;
}

/** K_seed = SHA-1(MRZ information)[0..16]; KEnc = KDF(seed, 1), KMac = KDF(seed, 2). */
export function bacKeys(mrzInformation: Buffer): BacKeys {
  const seed = createHash('sha1').update(mrzInformation).digest().subarray(0, 16);
  const keys = { kEnc: kdf(seed, 1, '3DES'), kMac: kdf(seed, 2, '3DES') };
  seed.fill(0);
  return keys;
}

export interface BacOptions {
  /** Test hook: RND.IFD ‖ K.IFD (24 bytes). */
  random?: () => Buffer;
}

export async function runBac(session: CardSession, mrzInformation: Buffer, o: BacOptions = {}): Promise<SecureMessaging> {
  const { kEnc, kMac } = bacKeys(mrzInformation);
  try {
    const ch = await session.send({ cla: 0x00, ins: 0x84, p1: 0, p2: 0, le: 8 });
    if (ch.sw !== 0x9000 || ch.data.length !== 8) {
      throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'BAC GET CHALLENGE refused', { sw: ch.sw.toString(16).toUpperCase() });
    }
    const rndIc = ch.data;
    const rnd = o.random?.() ?? randomBytes(24);
    const rndIfd = rnd.subarray(0, 8);
    const kIfd = rnd.subarray(8, 24);
    const eIfd = des3Cbc(kEnc, Buffer.alloc(8), Buffer.concat([rndIfd, rndIc, kIfd]), true);
    const mIfd = retailMac(kMac, padIso(eIfd, 8));
    const res = await session.send({ cla: 0x00, ins: 0x82, p1: 0, p2: 0, data: Buffer.concat([eIfd, mIfd]), le: 40 });
    if (res.sw !== 0x9000) {
      // 6300 here is the usual answer to a wrong MRZ key.
      throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'BAC EXTERNAL AUTHENTICATE refused (check the document number and dates)', {
        sw: res.sw.toString(16).toUpperCase(),
      });
    }
    if (res.data.length !== 40) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'BAC answer is not 40 bytes');
    const eIc = res.data.subarray(0, 32);
    const mIc = res.data.subarray(32);
    if (!timingSafeEqual(retailMac(kMac, padIso(eIc, 8)), mIc)) throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'BAC: chip MAC does not verify');
    const plain = des3Cbc(kEnc, Buffer.alloc(8), eIc, false);
    if (!plain.subarray(0, 8).equals(rndIc) || !plain.subarray(8, 16).equals(rndIfd)) {
      throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'BAC: chip nonces do not match');
    }
    const seed = xorBuffers(kIfd, plain.subarray(16, 32));
    const ssc = Buffer.concat([rndIc.subarray(4, 8), rndIfd.subarray(4, 8)]);
    const sm = new SecureMessaging({ cipher: '3DES', kEnc: kdf(seed, 1, '3DES'), kMac: kdf(seed, 2, '3DES') }, ssc);
    seed.fill(0);
    plain.fill(0);
    rnd.fill(0);
    return sm;
  } finally {
    kEnc.fill(0);
    kMac.fill(0);
  }
}
