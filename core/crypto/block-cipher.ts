// Raw block-cipher modes over node:crypto, without padding (callers pad explicitly with padding.ts, as
// the card protocols prescribe). All functions take a zero IV by default, the norm for the Japanese
// residence card and ICAO BAC; AES secure messaging passes its own IV.
//
// Single DES is only in OpenSSL 3's legacy provider, which Node does not load; DES-EDE3 with K‖K‖K is
// the same permutation (E_K ∘ D_K ∘ E_K = E_K), so the single-DES steps of the retail MAC use that.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ErrorCodes, KioskError } from '../errors.ts';

const ZERO16 = Buffer.alloc(16);

function run(decrypt: boolean, algorithm: string, key: Buffer, iv: Buffer | null, data: Buffer, block: number): Buffer {
  if (data.length % block !== 0) {
    throw new KioskError(ErrorCodes.INTERNAL, `${algorithm}: ${data.length} bytes is not a multiple of ${block}`);
  }
  const c = decrypt ? createDecipheriv(algorithm, key, iv) : createCipheriv(algorithm, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

function checkKey(key: Buffer, lengths: number[], what: string): void {
  if (!lengths.includes(key.length)) throw new KioskError(ErrorCodes.INTERNAL, `${what} key of ${key.length} bytes`);
}

// ---- AES (16-byte blocks) ----

export function aesCbcEncrypt(key: Buffer, data: Buffer, iv: Buffer = ZERO16): Buffer {
  checkKey(key, [16, 24, 32], 'AES');
  return run(false, `aes-${key.length * 8}-cbc`, key, iv, data, 16);
}

export function aesCbcDecrypt(key: Buffer, data: Buffer, iv: Buffer = ZERO16): Buffer {
  checkKey(key, [16, 24, 32], 'AES');
  return run(true, `aes-${key.length * 8}-cbc`, key, iv, data, 16);
}

export function aesEcbEncrypt(key: Buffer, data: Buffer): Buffer {
  checkKey(key, [16, 24, 32], 'AES');
  return run(false, `aes-${key.length * 8}-ecb`, key, null, data, 16);
}

// ---- DES family (8-byte blocks) ----

/** Triple-DES key for node: 16 bytes = 2-key (Ka‖Kb, des-ede), 24 bytes = 3-key (des-ede3). */
function tdesAlgorithm(key: Buffer, mode: 'cbc' | 'ecb'): string {
  checkKey(key, [16, 24], '3DES');
  const base = key.length === 16 ? 'des-ede' : 'des-ede3';
  return mode === 'cbc' ? `${base}-cbc` : base;
}

export function tdesCbcEncrypt(key: Buffer, data: Buffer, iv: Buffer = ZERO16.subarray(0, 8)): Buffer {
  return run(false, tdesAlgorithm(key, 'cbc'), key, iv, data, 8);
}

export function tdesCbcDecrypt(key: Buffer, data: Buffer, iv: Buffer = ZERO16.subarray(0, 8)): Buffer {
  return run(true, tdesAlgorithm(key, 'cbc'), key, iv, data, 8);
}

export function tdesEcbEncrypt(key: Buffer, data: Buffer): Buffer {
  return run(false, tdesAlgorithm(key, 'ecb'), key, null, data, 8);
}

const kkk = (k: Buffer): Buffer => {
  checkKey(k, [8], 'DES');
  return Buffer.concat([k, k, k]);
};

/** Single DES, ECB, one or more blocks (computed as DES-EDE3 with K‖K‖K). */
export function desEcbEncrypt(key: Buffer, data: Buffer): Buffer {
  return run(false, 'des-ede3', kkk(key), null, data, 8);
}

export function desEcbDecrypt(key: Buffer, data: Buffer): Buffer {
  return run(true, 'des-ede3', kkk(key), null, data, 8);
}

/** Single DES, CBC (computed as DES-EDE3-CBC with K‖K‖K). */
export function desCbcEncrypt(key: Buffer, data: Buffer, iv: Buffer = ZERO16.subarray(0, 8)): Buffer {
  return run(false, 'des-ede3-cbc', kkk(key), iv, data, 8);
}
