// AES-CMAC (RFC 4493 / NIST SP 800-38B) on AES-CBC from node:crypto, which has no CMAC of its own.
// Used by the 2nd-generation residence card (MAC truncated to 8 bytes) and by ICAO AES secure messaging.
// `AesCmac` keeps one cipher context and the subkeys for its key (a secure-messaging session MACs every
// message under one key); `aesCmac` is the one-shot form.
import { at } from '../checked.ts';
import { ErrorCodes, KioskError } from '../errors.ts';
import { CbcContext } from './cbc-context.ts';
import { padIso9797M2, xor } from './padding.ts';

const BLOCK = 16;
const RB = 0x87; // R_128 constant (RFC 4493 §2.3)

/** Left shift of a 128-bit string by one bit. */
function shiftLeft1(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (const [i, x] of b.entries()) out[i] = ((x << 1) & 0xff) | ((b[i + 1] ?? 0) >> 7);
  return out;
}

function subkeys(l: Buffer): { k1: Buffer; k2: Buffer } {
  const k1 = shiftLeft1(l);
  if (at(l, 0) & 0x80) k1[BLOCK - 1] = at(k1, BLOCK - 1) ^ RB;
  const k2 = shiftLeft1(k1);
  if (at(k1, 0) & 0x80) k2[BLOCK - 1] = at(k2, BLOCK - 1) ^ RB;
  return { k1, k2 };
}

function aesContext(key: Buffer): CbcContext {
  if (![16, 24, 32].includes(key.length)) throw new KioskError(ErrorCodes.INTERNAL, `AES key of ${key.length} bytes`);
  return new CbcContext(`aes-${key.length * 8}-cbc`, key, BLOCK);
}

/** AES-CMAC under one key, reusing its cipher context and subkeys for every message. */
export class AesCmac {
  private readonly ctx: CbcContext;
  private readonly k1: Buffer;
  private readonly k2: Buffer;

  constructor(key: Buffer) {
    this.ctx = aesContext(key);
    ({ k1: this.k1, k2: this.k2 } = subkeys(this.ctx.lastBlock(Buffer.alloc(BLOCK))));
  }

  /** Full 16-byte MAC of `message`; `length` truncates (RFC 4493 allows a prefix, e.g. 8). */
  mac(message: Buffer, length = BLOCK): Buffer {
    if (length < 1 || length > BLOCK) throw new KioskError(ErrorCodes.INTERNAL, `CMAC length ${length}`);
    const n = Math.max(1, Math.ceil(message.length / BLOCK));
    const complete = message.length > 0 && message.length % BLOCK === 0;
    const lastIn = message.subarray((n - 1) * BLOCK);
    const last = complete ? xor(lastIn, this.k1) : xor(padIso9797M2(lastIn, BLOCK), this.k2);
    // CBC-MAC over M_1..M_{n-1} ‖ last with a zero IV: the last block of one CBC encryption.
    const input = Buffer.concat([message.subarray(0, (n - 1) * BLOCK), last]);
    return Buffer.from(this.ctx.lastBlock(input).subarray(0, length));
  }
}

/** Subkeys K1, K2 (RFC 4493 §2.3 Generate_Subkey). */
export function cmacSubkeys(key: Buffer): { k1: Buffer; k2: Buffer } {
  return subkeys(aesContext(key).lastBlock(Buffer.alloc(BLOCK)));
}

/** Full 16-byte AES-CMAC of `message`; `length` truncates (RFC 4493 allows a prefix, e.g. 8). */
export function aesCmac(key: Buffer, message: Buffer, length = BLOCK): Buffer {
  return new AesCmac(key).mac(message, length);
}
