// Stand-ins for the data-authenticity objects of the text and visual APs (cards.md §2.5, §2.6, §2.9):
// a synthetic "CV certificate" and signatures made with a synthetic AP key. The real scheme (signed input,
// padding, CV certificate layout details, J-LIS root key) is not public, so these only have the published
// shape; nothing in the kiosk verifies them, which is exactly what the kiosk reports.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { tlv } from './ber.ts';

let apKey: { privateKey: KeyObject; publicKey: KeyObject } | null = null;

/** One synthetic RSA-2048 AP key per process (generation costs ~100 ms). */
export function syntheticApKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return (apKey ??= generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 }));
}

export function syntheticSignature(data: Buffer): Buffer {
  return createSign('sha256').update(data).sign(syntheticApKey().privateKey);
}

function rsaPublicParts(): { n: Buffer; e: Buffer } {
  const jwk = syntheticApKey().publicKey.export({ format: 'jwk' });
  return { n: Buffer.from(jwk.n!, 'base64url'), e: Buffer.from(jwk.e!, 'base64url') };
}

const id16 = (s: string) => {
  const b = Buffer.alloc(16, 0x20);
  b.write(s, 'ascii');
  return b;
};

/** 7F21 { 5F4E body = issuer(16) ‖ subject(16) ‖ TLV(e) TLV(n); 5F37 signature } */
export function syntheticCvCertificate(subject: string): Buffer {
  const { n, e } = rsaPublicParts();
  const body = Buffer.concat([id16('JLIS-TEST-ISSUER'), id16(subject), tlv(0x82, e), tlv(0x81, n)]);
  return tlv(0x7f21, Buffer.concat([tlv(0x5f4e, body), tlv(0x5f37, syntheticSignature(body))]));
}

/** The public key as it sits in DF12/DF24/DF42/DF51 (modulus only; layout UNVERIFIED). */
export function syntheticPublicKeyField(): Buffer {
  return rsaPublicParts().n;
}
