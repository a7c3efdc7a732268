// Symmetric primitives of ICAO 9303 secure messaging (cards.md §5.3, §9), on node:crypto only:
// ISO/IEC 9797-1 padding method 2, 2-key 3DES-CBC, AES-CBC/ECB without padding, the retail MAC
// (ISO 9797-1 MAC algorithm 3 with single DES, computed as 3DES with K‖K‖K because single DES lives in
// OpenSSL's legacy provider) and AES-CMAC (RFC 4493).
//
// Named icao-* because the residence-card module may add a shared daemon/crypto set concurrently; these
// are the passport's own, kept small so a later merge is a matter of re-pointing imports.
import { createCipheriv, createDecipheriv } from 'node:crypto';

const ZERO8 = Buffer.alloc(8);

/** ISO/IEC 9797-1 method 2: append 80 then 00s up to a multiple of `block` (always at least one byte). */
export function padIso(data: Buffer, block: number): Buffer {
  const n = block - (data.length % block);
  const pad = Buffer.alloc(n);
  pad[0] = 0x80;
  return Buffer.concat([data, pad]);
}

/** Strip method-2 padding; null when the padding is malformed (the caller fails closed). */
export function unpadIso(data: Buffer): Buffer | null {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0x00) i--;
  if (i < 0 || data[i] !== 0x80) return null;
  return data.subarray(0, i);
}

function run(alg: string, key: Buffer, iv: Buffer | null, data: Buffer, encrypt: boolean): Buffer {
  const c = encrypt ? createCipheriv(alg, key, iv) : createDecipheriv(alg, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** 2-key (16-byte) or 3-key (24-byte) 3DES-CBC, no padding. */
export function des3Cbc(key: Buffer, iv: Buffer, data: Buffer, encrypt: boolean): Buffer {
  return run(key.length === 16 ? 'des-ede-cbc' : 'des-ede3-cbc', key, iv, data, encrypt);
}

/** AES-CBC (128/192/256 by key length), no padding. */
export function aesCbc(key: Buffer, iv: Buffer, data: Buffer, encrypt: boolean): Buffer {
  return run(`aes-${key.length * 8}-cbc`, key, iv, data, encrypt);
}

/** AES-ECB of whole blocks, no padding (SM IV derivation, CMAC subkeys). */
export function aesEcb(key: Buffer, data: Buffer, encrypt = true): Buffer {
  return run(`aes-${key.length * 8}-ecb`, key, null, data, encrypt);
}

function desEcb(k8: Buffer, block: Buffer, encrypt: boolean): Buffer {
  return run('des-ede3', Buffer.concat([k8, k8, k8]), null, block, encrypt);
}

/**
 * Retail MAC (ISO 9797-1 MAC algorithm 3, DES): single-DES CBC with Ka over the blocks, then
 * Dec(Kb), Enc(Ka) on the last one. `data` must already be padded to 8 bytes.
 */
export function retailMac(key: Buffer, data: Buffer): Buffer {
  if (data.length === 0 || data.length % 8 !== 0) throw new RangeError('retail MAC input must be padded to 8 bytes');
  const ka = key.subarray(0, 8);
  const kb = key.subarray(8, 16);
  // CBC with single DES over all blocks: the last ciphertext block is the chaining value.
  const cbc = run('des-ede3-cbc', Buffer.concat([ka, ka, ka]), ZERO8, data, true);
  const h = cbc.subarray(cbc.length - 8);
  return desEcb(ka, desEcb(kb, h, false), true);
}

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i++) out[i] = ((b[i]! << 1) | (i + 1 < b.length ? b[i + 1]! >> 7 : 0)) & 0xff;
  return out;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** AES-CMAC (RFC 4493), full 16 bytes; ICAO uses the first 8. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const l = aesEcb(key, Buffer.alloc(16));
  const rb = (k: Buffer, msb: number) => {
    const s = shiftLeft(k);
    if (msb & 0x80) s[15]! ^= 0x87;
    return s;
  };
  const k1 = rb(l, l[0]!);
  const k2 = rb(k1, k1[0]!);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = complete
    ? xor(message.subarray((n - 1) * 16), k1)
    : xor(padIso(message.subarray((n - 1) * 16), 16), k2);
  const head = message.subarray(0, (n - 1) * 16);
  const cbc = head.length > 0 ? aesCbc(key, Buffer.alloc(16), head, true) : Buffer.alloc(16);
  const x = head.length > 0 ? cbc.subarray(cbc.length - 16) : cbc;
  return aesEcb(key, xor(x, last));
}

export { xor as xorBuffers };
