// Demo mode only: one synthetic trust-anchor set per demo run, for every document the demo offers.
// RSA key generation dominates start-up (0.1–0.4 s per 2048-bit key here), so the demo generates two RSA
// keys and reuses them: one signs as every RSA CA (JPKI auth, JPKI sign, licence EF07 signer, residence
// gen 1), the other is every RSA leaf key (JPKI certificates, residence gen 1 card) and the impostor CA of
// the "unknown CA" card. EC keys (residence gen 2, CSCA, DSC) are cheap. Synthetic data only: no real
// issuer's key, no real person.
import type { X509Certificate } from 'node:crypto';
import {
  createJpkiAuthCa,
  createJpkiSignCa,
  generateRsaKeyPair,
  issueJpkiAuthCert,
  issueJpkiSignCert,
  type MyNumberPki,
  type RsaKeyPair,
  type TestCertificate,
} from '../pki.ts';
import { createResidenceCa, type SynthCert } from '../residence/pki.ts';
import { createCsca, issueBy, type IssuedCert } from '../passport/index.ts';
import { jpkiDateOfBirth, SYNTHETIC_HOLDER } from '../mynumber/index.ts';

export type DemoMyNumberVariant = 'good' | 'expired' | 'unknown-ca';

export class DemoPki {
  /** Every RSA CA of the demo signs with this key. */
  private readonly caKey: RsaKeyPair = generateRsaKeyPair();
  /** Every RSA leaf certificate of the demo certifies this key. */
  readonly leafKey: RsaKeyPair = generateRsaKeyPair();
  readonly jpkiAuthCa: TestCertificate = createJpkiAuthCa({ keyPair: this.caKey });
  readonly jpkiSignCa: TestCertificate = createJpkiSignCa({ keyPair: this.caKey });
  /** The licence EF07 signer (trust purpose "license" holds this certificate itself). */
  readonly licenseSigner: TestCertificate = createJpkiAuthCa({
    keyPair: this.caKey,
    subject: [
      { type: 'C', value: 'JP' },
      { type: 'O', value: 'idkiosk-demo' },
      { type: 'OU', value: 'synthetic licence signing key (not the police key)' },
    ],
  });
  readonly residenceCa1: SynthCert = createResidenceCa(1, undefined, this.caKey);
  readonly residenceCa2: SynthCert = createResidenceCa(2);
  readonly csca: IssuedCert = createCsca({ country: 'JP', cn: 'DEMO CSCA (synthetic)' });
  readonly dsc: IssuedCert = issueBy(this.csca, { cn: 'DEMO Document Signer (synthetic)' });
  private readonly myNumber = new Map<DemoMyNumberVariant, MyNumberPki>();

  /** Synthetic trust anchors for a trust purpose (config `trust` keys). */
  anchors(purpose: string): X509Certificate[] {
    switch (purpose) {
      case 'jpkiAuth':
        return [this.jpkiAuthCa.x509];
      case 'jpkiSign':
        return [this.jpkiSignCa.x509];
      case 'license':
        return [this.licenseSigner.x509];
      case 'residence':
        return [this.residenceCa1.x509, this.residenceCa2.x509];
      case 'csca':
        return [this.csca.x509];
      default:
        return [];
    }
  }

  /** JPKI auth + sign certificates for a My Number card (one set per variant, made on first use). */
  myNumberPki(variant: DemoMyNumberVariant): MyNumberPki {
    let p = this.myNumber.get(variant);
    if (!p) {
      p = this.issueMyNumber(variant);
      this.myNumber.set(variant, p);
    }
    return p;
  }

  /** A fresh certificate pair (the revoked card needs serials of its own). */
  issueMyNumber(variant: DemoMyNumberVariant): MyNumberPki {
    const expired = variant === 'expired';
    // The impostor CA: same name as the trusted one, other key (only a signature check tells them apart).
    const authCa = variant === 'unknown-ca' ? createJpkiAuthCa({ keyPair: this.leafKey, subject: this.jpkiAuthCa.subject }) : this.jpkiAuthCa;
    const h = SYNTHETIC_HOLDER;
    return {
      trustedAuthCa: this.jpkiAuthCa,
      authCa,
      authCert: issueJpkiAuthCert(authCa, { expired, keyPair: this.leafKey }),
      signCa: this.jpkiSignCa,
      signCert: issueJpkiSignCert(this.jpkiSignCa, {
        expired,
        keyPair: this.leafKey,
        name: h.name,
        nameSubstitute: h.nameSubstitute,
        sex: h.sex,
        dateOfBirth: jpkiDateOfBirth(h.dateOfBirth),
        address: h.address,
        addressSubstitute: h.addressSubstitute,
      }),
    };
  }
}
