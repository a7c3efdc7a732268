// EF07 for the virtual licence. What is public: the field list (電子署名, シリアル番号, 発行者名, 主体者名,
// 主体者鍵識別子; TRETJapanNFCReader) and, from the libjeid sample app (osstech-jp/libjeid-android-app
// DLReaderTask.java: signature.update(entries) → update(registeredDomicile) → update(photo)), that the
// signature covers DF1/EF01 ‖ DF1/EF02 ‖ DF2/EF01. The algorithm, the key source and the tags are not
// public: this synthetic signer uses SHA-256 with RSA PKCS#1 v1.5, tags 61–65 (OUR CHOICE) and a throwaway
// key whose certificate tests configure under trust purpose "license".
import { createSign, randomBytes } from 'node:crypto';
import { createJpkiAuthCa, type TestCertificate } from '../pki.ts';
import { encodeJisX0201 } from './jis-encode.ts';
import { tlv } from '../iso7816/ber-tlv.ts';
import { FILES } from './layout.ts';
import { xorAt } from '../../../core/checked.ts';

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
  photo: Buffer;
}

/**
 * How EF07 is made: `valid` signs with the key; `corrupt-signature` flips the signature's last bit;
 * `garbage` is random bytes that are not a TLV sequence at all.
 */
export type Ef07Form = 'valid' | 'corrupt-signature' | 'garbage';

/** 電子署名 ‖ シリアル番号 ‖ 発行者名 ‖ 主体者名 ‖ 主体者鍵識別子, padded to 578 bytes. */
export function buildSignatureEf(key: TestCertificate, files: Ef07Input, form: Ef07Form = 'valid'): Buffer {
  const size = FILES.df1.signature.size;
  if (form === 'garbage') {
    // 0x7F starts a two-byte tag whose length byte (≥ 0x83) is not a form the layout allows.
    return Buffer.concat([Buffer.from([0x7f, 0x21, 0x83]), randomBytes(size - 3)]);
  }
  const sig = createSign('sha256')
    .update(Buffer.concat([files.matters, files.honseki, files.photo]))
    .sign(key.privateKey);
  if (form === 'corrupt-signature') xorAt(sig, sig.length - 1, 0x01);
  const body = Buffer.concat([
    tlv(0x61, sig),
    tlv(0x62, encodeJisX0201(key.x509.serialNumber.slice(0, 16))),
    tlv(0x63, encodeJisX0201('IDKIOSK TEST LICENSE CA.')),
    tlv(0x64, encodeJisX0201('IDKIOSK TEST LICENSE SIGNER')),
    tlv(0x65, key.subjectKeyId),
    Buffer.from([0xff]),
  ]);
  return body.length >= size ? body : Buffer.concat([body, Buffer.alloc(size - body.length)]);
}
