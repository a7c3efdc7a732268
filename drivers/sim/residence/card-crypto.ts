// The card side of the card-number access control (docs/reference/residence.md "Access control"): the key
// the card derives from its own printed number, the session key, and the cipher suite of each generation.
// Written from the public specification (2nd generation Appendix 1; 1st generation Ver 1.5 §3.5), on the
// generic primitives of core/crypto (tested against their own published vectors) — not the reader's
// key derivation, so the official worked example checks both ends independently.
import { createHash } from 'node:crypto';
import { aesCbcDecrypt, aesCbcEncrypt, aesCmac, retailMac, tdesCbcDecrypt, tdesCbcEncrypt, xor } from '../../../core/crypto/index.ts';

export interface CardCipher {
  block: 8 | 16;
  encrypt(key: Buffer, data: Buffer): Buffer;
  decrypt(key: Buffer, data: Buffer): Buffer;
  mac(key: Buffer, data: Buffer): Buffer;
}

/** 1st gen: 2-key 3DES-CBC (IV 0) + ISO 9797-1 MAC algorithm 3; 2nd gen: AES-128-CBC (IV 0) + AES-CMAC truncated to 8. */
export function cardCipher(generation: 1 | 2): CardCipher {
  return generation === 1
    ? { block: 8, encrypt: (k, d) => tdesCbcEncrypt(k, d), decrypt: (k, d) => tdesCbcDecrypt(k, d), mac: (k, d) => retailMac(k, d) }
    : { block: 16, encrypt: (k, d) => aesCbcEncrypt(k, d), decrypt: (k, d) => aesCbcDecrypt(k, d), mac: (k, d) => aesCmac(k, d, 8) };
}

/** Kenc = Kmac = the first 16 bytes of SHA-1 over the 12 ASCII bytes of the card number. */
export function accessKey(cardNumber: Buffer): Buffer {
  return createHash('sha1').update(cardNumber).digest().subarray(0, 16);
}

/** KSenc = the first 16 bytes of SHA-1((K.IFD ⊕ K.ICC) ‖ 00 00 00 01). */
export function sessionEncKey(kIfd: Buffer, kIcc: Buffer): Buffer {
  return createHash('sha1')
    .update(Buffer.concat([xor(kIfd, kIcc), Buffer.from([0, 0, 0, 1])]))
    .digest()
    .subarray(0, 16);
}
