// Property tests for what provisioning and the audit trail parse from outside: ids, operator keys,
// sealed blobs, and the CSR the enrolment builds.
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import fc from 'fast-check';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { parseOperatorKey, unseal } from '../../../daemon/audit/seal.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { ID_PATTERN } from '../../../daemon/device/operations-config.ts';
import { isKioskError } from '../../../core/errors.ts';
import { buildCsr } from '../../../provisioning/enroll.ts';

describe('ids', () => {
  it('accepted exactly when they match the documented shape, never throwing anything but CONFIG_INVALID', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (id) => {
        try {
          parseConfig({ kioskId: id, site: id, operator: id });
          return ID_PATTERN.test(id);
        } catch (e) {
          return isKioskError(e, 'CONFIG_INVALID') && !ID_PATTERN.test(id);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('operator key and sealed blobs', () => {
  const op = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  it('random bytes are refused with CONFIG_INVALID, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        try {
          parseOperatorKey(Buffer.from(b));
          return false;
        } catch (e) {
          return isKioskError(e, 'CONFIG_INVALID');
        }
      }),
      { numRuns: 200 },
    );
  });
  it('random blobs never open', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          unseal(op.privateKey, Buffer.from(b), Buffer.from('aad'));
          return false;
        } catch (e) {
          return isKioskError(e) || e instanceof Error;
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('CSR', () => {
  it('is a well-formed PKCS#10 whose signature verifies with the device key, for any valid ids', () => {
    const key = DeviceKey.ephemeral();
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(id, fc.option(id, { nil: null }), fc.option(id, { nil: null }), (kioskId, site, operator) => {
        const der = buildCsr(key, { kioskId, site, operator });
        const a = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), { decodeBitStrings: false } as unknown as boolean); // the typings predate the options object
        const [info, alg, sig] = a.value as forge.asn1.Asn1[];
        expect(forge.asn1.derToOid((alg!.value as forge.asn1.Asn1[])[0]!.value as string)).toBe('1.2.840.10045.4.3.2');
        const infoDer = Buffer.from(forge.asn1.toDer(info!).getBytes(), 'binary');
        const sigDer = Buffer.from((sig!.value as string).slice(1), 'binary');
        expect(verify('sha256', infoDer, createPublicKey(key.publicKeyPem()), sigDer)).toBe(true);
        const spki = Buffer.from(forge.asn1.toDer((info!.value as forge.asn1.Asn1[])[2]!).getBytes(), 'binary');
        expect(spki.equals(key.spkiDer())).toBe(true);
        expect(Buffer.from(forge.asn1.toDer((info!.value as forge.asn1.Asn1[])[1]!).getBytes(), 'binary').includes(Buffer.from(kioskId))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});
