// EF07 for the virtual licence. The real signed data, algorithm and key source are not public
// (cards.md §4.6, daemon/documents/license/signature.ts); this synthetic signer uses the first candidate
// layout of the reader (DF1/EF01‖DF1/EF02‖DF1/EF03‖DF2/EF01), SHA-256 and RSA PKCS#1 v1.5, with a
// throwaway key whose certificate tests configure under trust purpose "license".
import { createSign } from 'node:crypto';
import { encodeLicenseTlv as tlv } from '../../../daemon/documents/license/tlv.ts';
import { createJpkiAuthCa, type TestCertificate } from '../pki.ts';
import { encodeJisX0201 } from './jis-encode.ts';

export function createLicenseSigningKey(): TestCertificate {
  return createJpkiAuthCa({
    subject: [
      { type: 'C', value: 'JP' },
      { type: 'O', value: 'idkiosk-test' },
      { type: 'OU', value: 'synthetic licence signing key (not the police key)' },
    ],
  });
}

export interface Ef07Input {
  matters: Buffer;
  honseki: Buffer;
  gaiji: Buffer;
  photo: Buffer;
}

/** 電子署名 ‖ シリアル番号 ‖ 発行者名 ‖ 主体者名 ‖ 主体者鍵識別子 (tags 61–65 are our choice), padded to 578. */
export function buildSignatureEf(key: TestCertificate, files: Ef07Input, o: { corrupt?: boolean } = {}): Buffer {
  const signed = Buffer.concat([files.matters, files.honseki, files.gaiji, files.photo]);
  const sig = createSign('sha256').update(signed).sign(key.privateKey);
  if (o.corrupt) sig[sig.length - 1]! ^= 0x01;
  const body = Buffer.concat([
    tlv(0x61, sig),
    tlv(0x62, encodeJisX0201(key.x509.serialNumber.slice(0, 16))),
    tlv(0x63, encodeJisX0201('IDKIOSK TEST LICENSE CA.')),
    tlv(0x64, encodeJisX0201('IDKIOSK TEST LICENSE SIGNER')),
    tlv(0x65, key.subjectKeyId),
    Buffer.from([0xff]),
  ]);
  return body.length >= 578 ? body : Buffer.concat([body, Buffer.alloc(578 - body.length)]);
}
