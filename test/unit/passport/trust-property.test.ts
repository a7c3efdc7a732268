// Properties of the CSCA trust inputs under tampering (fast-check): a master list with any one byte changed
// either loads exactly the original certificates (the byte was outside everything signed and parsed) or is
// refused with a KioskError; an EF.SOD with any one byte changed never throws, and verifies only when the
// byte lies outside everything signed and used (SignedData/SignerInfo version, digestAlgorithms, the
// signer's issuer name — CMS does not sign them; the DSC is found by serial and then chained) — and then
// with the same DSC, the same data groups and the same hashes.
import fc from 'fast-check';
import type { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KioskError } from '../../../core/errors.ts';
import { masterListCertificates } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { passiveAuthentication, sodDataGroupNumbers } from '../../../daemon/documents/passport/pki/passive-auth.ts';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { createCsca, issueBy } from '../../../drivers/sim/passport/certs.ts';
import { cmsSignedData, dg1, efSod } from '../../../drivers/sim/passport/lds.ts';
import { intTlv, tlv } from '../../../drivers/sim/iso7816/ber-tlv.ts';
import { testHolder } from '../../../drivers/sim/passport/index.ts';

const a = createCsca({ country: 'JP', cn: 'CSCA P' });
const signer = issueBy(a, { cn: 'TEST ML Signer P', extKeyUsage: ['2.23.136.1.1.3'] }); // a master-list signer (ICAO 9303-12 §7.1.1)
const ml = cmsSignedData('2.23.136.1.1.2', tlv(0x30, intTlv(0), tlv(0x31, a.der)), signer);
const dgs = new Map([[1, dg1(testHolder({ documentNumber: 'AB1234567', dateOfBirth: '800101', dateOfExpiry: '300101' }))]]);
const sod = efSod(dgs, issueBy(a, { cn: 'DS P' }));
const store = new CscaStore([a.x509]);

describe('tampered trust inputs', () => {
  it('a master list with one byte changed loads the original certificates or is refused (KioskError)', () => {
    expect(masterListCertificates(ml, 'ml', { masterListSigners: [a.x509] })[0]!.raw.equals(a.der)).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ml.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const bad = Buffer.from(ml);
        bad[i]! ^= x;
        let certs: X509Certificate[];
        try {
          certs = masterListCertificates(bad, 'ml', { masterListSigners: [a.x509] });
        } catch (e) {
          expect(e).toBeInstanceOf(KioskError);
          return;
        }
        expect(certs.map((c) => c.fingerprint256)).toEqual([a.x509.fingerprint256]);
      }),
      { numRuns: 300 },
    );
  });

  it('an EF.SOD with one byte changed never throws, and verifies only with the same meaning', () => {
    const good = passiveAuthentication({ sod, dataGroups: dgs, csca: store, at: new Date() });
    expect(good.verified).toBe(true);
    let verifiedMutations = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sod.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const bad = Buffer.from(sod);
        bad[i]! ^= x;
        const r = passiveAuthentication({ sod: bad, dataGroups: dgs, csca: store, at: new Date() });
        if (!r.verified) return;
        verifiedMutations++;
        expect(sodDataGroupNumbers(bad)).toEqual([1]);
        expect(r.dsc!.fingerprintSha256).toBe(good.dsc!.fingerprintSha256);
        expect(r.dataGroups).toEqual(good.dataGroups);
      }),
      { numRuns: 300 },
    );
    expect(verifiedMutations).toBeLessThan(60); // a small share of the bytes: only the unsigned header fields
  });
});
