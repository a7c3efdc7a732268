// A CBC cipher context that lives as long as its key (one secure-messaging session, one MAC key) instead
// of one OpenSSL context per message: creating a context costs far more than encrypting a few blocks.
//
// node:crypto cannot re-IV a context, but CBC chains across update() calls: the context's implicit IV is
// the last ciphertext block it saw. So a message with its own IV is processed by first folding
// (chain ⊕ IV) into the first input block (encrypt) or first output block (decrypt) — exactly CBC with
// that IV, and still one update() call per message. Padding is off (the protocols pad explicitly), so
// update() returns every block at once and final() is never called.
import { at } from '../checked.ts';
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { ErrorCodes, KioskError } from '../errors.ts';

function xorInto(target: Buffer, a: Buffer, b: Buffer, n: number): void {
  for (let i = 0; i < n; i++) target[i] = at(target, i) ^ at(a, i) ^ at(b, i);
}

export class CbcContext {
  private readonly enc: Cipher;
  private readonly dec: Decipher;
  private readonly encChain: Buffer;
  private readonly decChain: Buffer;
  private readonly zero: Buffer;

  /** `algorithm` is an OpenSSL CBC cipher name (aes-128-cbc, des-ede-cbc, des-ede3-cbc …). */
  constructor(
    private readonly algorithm: string,
    key: Buffer,
    readonly block: number,
  ) {
    this.zero = Buffer.alloc(block);
    this.enc = createCipheriv(algorithm, key, this.zero);
    this.enc.setAutoPadding(false);
    this.dec = createDecipheriv(algorithm, key, this.zero);
    this.dec.setAutoPadding(false);
    this.encChain = Buffer.alloc(block);
    this.decChain = Buffer.alloc(block);
  }

  private check(data: Buffer): void {
    if (data.length === 0 || data.length % this.block !== 0) {
      throw new KioskError(ErrorCodes.INTERNAL, `${this.algorithm}: ${data.length} bytes is not whole ${this.block}-byte blocks`);
    }
  }

  /** CBC encryption of whole blocks under `iv` (zero IV when omitted). */
  encrypt(data: Buffer, iv: Buffer = this.zero): Buffer {
    this.check(data);
    const input = Buffer.from(data);
    xorInto(input, this.encChain, iv, this.block);
    const out = this.enc.update(input);
    if (out.length !== data.length) throw new KioskError(ErrorCodes.INTERNAL, `${this.algorithm}: context out of step`);
    out.copy(this.encChain, 0, out.length - this.block);
    return out;
  }

  /** CBC decryption of whole blocks under `iv` (zero IV when omitted). */
  decrypt(data: Buffer, iv: Buffer = this.zero): Buffer {
    this.check(data);
    const out = this.dec.update(data);
    if (out.length !== data.length) throw new KioskError(ErrorCodes.INTERNAL, `${this.algorithm}: context out of step`);
    xorInto(out, this.decChain, iv, this.block);
    data.copy(this.decChain, 0, data.length - this.block);
    return out;
  }

  /** The last block of the CBC encryption under a zero IV (the CBC-MAC core). */
  lastBlock(data: Buffer): Buffer {
    const out = this.encrypt(data);
    return out.subarray(out.length - this.block);
  }
}
