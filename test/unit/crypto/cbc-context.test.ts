// A long-lived CBC context (one per SM session key) must give, message after message, exactly what a
// fresh OpenSSL context with that message's IV gives: encryptions and decryptions interleaved, any IV,
// any number of blocks. The fresh createCipheriv per message is the independent reference.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CbcContext } from '../../../core/crypto/cbc-context.ts';

function fresh(algorithm: string, key: Buffer, iv: Buffer, data: Buffer, encrypt: boolean): Buffer {
  const c = encrypt ? createCipheriv(algorithm, key, iv) : createDecipheriv(algorithm, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

describe('CbcContext equals a fresh context per message', () => {
  it.each([
    ['aes-128-cbc', 16, 16],
    ['aes-256-cbc', 32, 16],
    ['des-ede-cbc', 16, 8],
    ['des-ede3-cbc', 24, 8],
  ])('%s', (algorithm, keyLength, block) => {
    const key = randomBytes(keyLength);
    const ctx = new CbcContext(algorithm, key, block);
    const message = fc.record({ encrypt: fc.boolean(), blocks: fc.integer({ min: 1, max: 20 }), zeroIv: fc.boolean(), seed: fc.integer() });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 12 }), (msgs) => {
        for (const m of msgs) {
          const data = randomBytes(m.blocks * block);
          const iv = m.zeroIv ? Buffer.alloc(block) : randomBytes(block);
          const got = m.encrypt ? ctx.encrypt(data, iv) : ctx.decrypt(data, iv);
          expect(got.toString('hex')).toBe(fresh(algorithm, key, iv, data, m.encrypt).toString('hex'));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses partial blocks', () => {
    const ctx = new CbcContext('aes-128-cbc', randomBytes(16), 16);
    expect(() => ctx.encrypt(Buffer.alloc(15))).toThrow(/whole 16-byte blocks/);
    expect(() => ctx.decrypt(Buffer.alloc(0))).toThrow(/whole 16-byte blocks/);
  });
});
