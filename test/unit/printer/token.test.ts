import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32, createReceiptToken, es256Signer, unbase32, verifyReceiptToken, type TokenFields } from '../../../drivers/printer/token.ts';

const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const fields: TokenFields = {
  issuedAt: new Date('2025-03-01T05:06:07Z'),
  verdict: 'refused',
  kioskId: 'KIOSK-OSK-07',
  reference: '20250301-7KQ2M9',
  documentType: 'residence-card',
  method: 'chip-passive-auth',
};

describe('receipt token', () => {
  it('verifies with the device public key (KeyObject, PEM, SPKI DER) and returns the fields', async () => {
    const t = await createReceiptToken(fields, es256Signer(device.privateKey), device.publicKey);
    expect(t).toMatch(/^IDK1:[A-Z2-7]+$/); // QR alphanumeric mode
    expect(verifyReceiptToken(t, device.publicKey)).toEqual({ valid: true, fields });
    expect(verifyReceiptToken(t, device.publicKey.export({ type: 'spki', format: 'pem' }) as string).valid).toBe(true);
    expect(verifyReceiptToken(t, device.publicKey.export({ type: 'spki', format: 'der' })).valid).toBe(true);
  });

  it('accepts an injected (e.g. hardware) signer and rejects one with the wrong signature form', async () => {
    const calls: Buffer[] = [];
    const t = await createReceiptToken(
      fields,
      async (p) => {
        calls.push(p);
        return es256Signer(device.privateKey)(p);
      },
      device.publicKey,
    );
    expect(calls).toHaveLength(1);
    expect(verifyReceiptToken(t, device.publicKey).valid).toBe(true);
    await expect(createReceiptToken(fields, () => Buffer.alloc(70), device.publicKey)).rejects.toThrow(/64-byte/);
  });

  it('rejects another kiosk key and any altered character', async () => {
    const t = await createReceiptToken(fields, es256Signer(device.privateKey), device.publicKey);
    expect(verifyReceiptToken(t, other.publicKey)).toEqual({ valid: false, reason: 'key-id' });
    fc.assert(
      fc.property(fc.integer({ min: 5, max: t.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), (i, c) => {
        fc.pre(t[i] !== c);
        const bad = t.slice(0, i) + c + t.slice(i + 1);
        const r = verifyReceiptToken(bad, device.publicKey);
        // the last character carries only padding bits for some lengths; every other change must fail
        if (i < t.length - 1) expect(r.valid).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('carries no personal data: only the listed fields fit', async () => {
    const t = await createReceiptToken(fields, es256Signer(device.privateKey), device.publicKey);
    const raw = unbase32(t.slice(5)).toString('latin1');
    expect(raw).toContain('KIOSK-OSK-07');
    expect(t.length).toBeLessThan(240);
  });

  it('base32 round-trips (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (a) => {
        expect(unbase32(base32(Buffer.from(a)))).toEqual(Buffer.from(a));
      }),
    );
  });
});
