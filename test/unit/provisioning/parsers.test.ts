// Property tests for what provisioning and the audit trail parse from outside: ids, operator keys,
// sealed blobs, and the CSR the enrolment builds.
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import fc from 'fast-check';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
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
        // read back with the ASN.1 stack (@peculiar/asn1-csr), not with the builder that wrote it
        const csr = AsnConvert.parse(der, CertificationRequest);
        expect(csr.signatureAlgorithm.algorithm).toBe('1.2.840.10045.4.3.2');
        const infoDer = Buffer.from(csr.certificationRequestInfoRaw!);
        expect(verify('sha256', infoDer, createPublicKey(key.publicKeyPem()), Buffer.from(csr.signature))).toBe(true);
        const spki = Buffer.from(AsnConvert.serialize(csr.certificationRequestInfo.subjectPKInfo));
        expect(spki.equals(key.spkiDer())).toBe(true);
        const cn = csr.certificationRequestInfo.subject.flatMap((rdn) => [...rdn]).find((a) => a.type === '2.5.4.3');
        expect(cn?.value.toString()).toBe(kioskId);
      }),
      { numRuns: 30 },
    );
  });
});
