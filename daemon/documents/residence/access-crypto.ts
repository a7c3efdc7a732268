// The card-number access control of the residence card, as pure functions (docs/reference/residence.md
// "Card-number access control"; pinned by the ISA Appendix 2 worked example in the unit tests):
// base key from the card number, the host's MUTUAL AUTHENTICATE cryptogram, the check of the card's
// answer, the session key and the encrypted VERIFY data. The generation picks the cipher suite:
// 1st gen 2-key 3DES-CBC + retail MAC (8-byte blocks), 2nd gen AES-128-CBC + AES-CMAC/8 (16-byte blocks).
// The virtual card (drivers/sim/residence) has its own implementation of the card side, so the official
// example checks the two independently.
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  aesCbcDecrypt,
  aesCbcEncrypt,
  aesCmac,
  padIso9797M2,
  retailMac,
  tdesCbcDecrypt,
  tdesCbcEncrypt,
  unpadIso9797M2,
  xor,
} from '../../../core/crypto/index.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import type { Generation } from './constants.ts';

export interface CipherSuite {
  generation: Generation;
  name: string;
  block: 8 | 16;
  /** CBC, zero IV, no padding. */
  encrypt(key: Buffer, data: Buffer): Buffer;
  decrypt(key: Buffer, data: Buffer): Buffer;
  /** 8-byte MAC over `data` (the suite pads as its algorithm prescribes). */
  mac(key: Buffer, data: Buffer): Buffer;
}

export const GEN1_SUITE: CipherSuite = {
  generation: 1,
  name: '2-key 3DES-CBC + ISO 9797-1 MAC algorithm 3',
  block: 8,
  encrypt: (k, d) => tdesCbcEncrypt(k, d),
  decrypt: (k, d) => tdesCbcDecrypt(k, d),
  mac: (k, d) => retailMac(k, d),
};

export const GEN2_SUITE: CipherSuite = {
  generation: 2,
  name: 'AES-128-CBC + AES-CMAC/8',
  block: 16,
  encrypt: (k, d) => aesCbcEncrypt(k, d),
  decrypt: (k, d) => aesCbcDecrypt(k, d),
  mac: (k, d) => aesCmac(k, d, 8),
};

export function suiteFor(generation: Generation): CipherSuite {
  return generation === 1 ? GEN1_SUITE : GEN2_SUITE;
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest();

/** K = SHA-1(card number, 12 upper-case ASCII bytes)[0..16]; Kenc = Kmac = K. No DES parity adjustment. */
export function baseKey(cardNumber: Buffer): Buffer {
  const digest = sha1(cardNumber);
  const k = Buffer.from(digest.subarray(0, 16));
  digest.fill(0);
  return k;
}

/** Host side of MUTUAL AUTHENTICATE: E.IFD = Enc(K, RND.IFD ‖ RND.ICC ‖ K.IFD), M.IFD = MAC(K, E.IFD). */
export function hostAuthData(suite: CipherSuite, k: Buffer, rndIfd: Buffer, rndIcc: Buffer, kIfd: Buffer): Buffer {
  if (rndIfd.length !== 8 || rndIcc.length !== 8 || kIfd.length !== 16) throw new KioskError(ErrorCodes.INTERNAL, 'bad nonce/key sizes');
  const s = Buffer.concat([rndIfd, rndIcc, kIfd]);
  const e = suite.encrypt(k, s);
  s.fill(0);
  return Buffer.concat([e, suite.mac(k, e)]);
}

/**
 * Check the card's answer E.ICC (32) ‖ M.ICC (8): MAC first (fail closed before decrypting), then both
 * nonces. Returns K.ICC.
 */
export function checkCardAuth(suite: CipherSuite, k: Buffer, answer: Buffer, rndIfd: Buffer, rndIcc: Buffer): Buffer {
  if (answer.length !== 40) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `MUTUAL AUTHENTICATE answer of ${answer.length} bytes, expected 40`);
  const e = answer.subarray(0, 32);
  const m = answer.subarray(32, 40);
  if (!timingSafeEqual(suite.mac(k, e), m)) throw new KioskError(ErrorCodes.CARD_SM_FAILED, "the card's authentication MAC does not verify");
  const plain = suite.decrypt(k, e);
  try {
    if (!plain.subarray(0, 8).equals(rndIcc) || !plain.subarray(8, 16).equals(rndIfd)) {
      throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, "the card's authentication cryptogram carries the wrong nonces");
    }
    return Buffer.from(plain.subarray(16, 32));
  } finally {
    plain.fill(0);
  }
}

/** KSenc = SHA-1((K.IFD ⊕ K.ICC) ‖ 00 00 00 01)[0..16]. */
export function sessionKey(kIfd: Buffer, kIcc: Buffer): Buffer {
  const seed = Buffer.concat([xor(kIfd, kIcc), Buffer.from([0, 0, 0, 1])]);
  const digest = sha1(seed);
  seed.fill(0);
  const ks = Buffer.from(digest.subarray(0, 16));
  digest.fill(0);
  return ks;
}

/** VERIFY data object: `86 11 01 ‖ Enc(KSenc, cardNo ‖ 80 00 00 00)` (16-byte cryptogram in both suites). */
export function verifyDataObject(suite: CipherSuite, ksEnc: Buffer, cardNumber: Buffer): Buffer {
  const plain = padIso9797M2(cardNumber, suite.block);
  const crypt = suite.encrypt(ksEnc, plain);
  plain.fill(0);
  if (crypt.length !== 16) throw new KioskError(ErrorCodes.INTERNAL, `VERIFY cryptogram of ${crypt.length} bytes`);
  return Buffer.concat([Buffer.from([0x86, 0x11, 0x01]), crypt]);
}

/** Decrypt the value of an SM response data object `86 L 01 ‖ ciphertext` and strip the padding. */
export function openSmData(suite: CipherSuite, ksEnc: Buffer, ciphertext: Buffer): Buffer {
  if (ciphertext.length === 0 || ciphertext.length % suite.block !== 0) {
    throw new KioskError(ErrorCodes.CARD_SM_FAILED, `SM ciphertext of ${ciphertext.length} bytes is not whole ${suite.block}-byte blocks`);
  }
  return Buffer.from(unpadIso9797M2(suite.decrypt(ksEnc, ciphertext), suite.block));
}
