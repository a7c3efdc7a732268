// Logical Data Structure of the virtual passport (ICAO 9303-10): EF.COM, DG1 (TD3 MRZ), DG2 (an
// ISO 19794-5 face record around a synthetic image), DG11, DG12, DG14 (chip-authentication key and
// infos), DG15 (active-authentication key) and an EF.SOD signed by a Document Signer. All data synthetic.
// Outer tags come from the file table as data (lds-files.ts); the rest is written from the public text
// (docs/reference/passport.md §7, §8), deliberately not imported from the reader (daemon/documents/passport): the chip and the reader are two
// readings of ICAO 9303, so a wrong assumption in one fails the tests instead of passing on both sides.
import { createHash, type KeyObject } from 'node:crypto';
import { intTlv, oidTlv, tlv } from '../iso7816/ber-tlv.ts';
import { mrzCheckDigit as checkDigit } from './mrz-key.ts';
import { encodeName, signatureAlgorithm, type IssuedCert } from './certs.ts';
import { dataGroup, ldsFile, tagOf } from './lds-files.ts';
import { defined } from '../../../core/checked.ts';
import { ErrorCodes } from '../../../core/errors.ts';

export interface Holder {
  documentNumber: string;
  dateOfBirth: string;
  dateOfExpiry: string;
  surname: string;
  givenNames: string;
  nationality: string;
  sex: 'M' | 'F' | '<';
  issuingState: string;
}

const fill = (s: string, n: number) =>
  s
    .toUpperCase()
    .replace(/[^A-Z0-9<]/g, '<')
    .padEnd(n, '<')
    .slice(0, n);

/** TD3 MRZ (2 × 44) with all check digits. */
export function td3(h: Holder): string {
  const l1 = fill(`P<${fill(h.issuingState, 3)}${h.surname.replace(/ /g, '<')}<<${h.givenNames.replace(/ /g, '<')}`, 44);
  const doc = fill(h.documentNumber, 9);
  const opt = fill('', 14);
  const part = `${doc}${checkDigit(doc)}${fill(h.nationality, 3)}${h.dateOfBirth}${checkDigit(h.dateOfBirth)}${h.sex}${h.dateOfExpiry}${checkDigit(h.dateOfExpiry)}${opt}${checkDigit(opt)}`;
  const composite = part.slice(0, 10) + part.slice(13, 20) + part.slice(21, 43);
  return l1 + part + checkDigit(composite);
}

/** Data group n's outer tag (9303-10 §4, from docs/reference/passport-files.json). */
const dgTag = (n: number) => tagOf(dataGroup(n));

export function dg1(h: Holder): Buffer {
  return tlv(dgTag(1), tlv(0x5f1f, Buffer.from(td3(h), 'latin1')));
}

/** A synthetic "JPEG": SOI, a comment segment, padding, EOI. Big enough to need B1 reads past 7FFF. */
export function syntheticFace(size: number): Buffer {
  const body = Buffer.alloc(Math.max(0, size - 4 - 18));
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
  const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x10]), Buffer.from('idkiosk TEST  ', 'latin1')]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), comment, body, Buffer.from([0xff, 0xd9])]);
}

/** DG2: BIT group with one ISO 19794-5 facial record (image data type 0 = JPEG). */
export function dg2(image: Buffer, jpeg2000 = false): Buffer {
  const face = Buffer.alloc(20 + 12);
  face.writeUInt32BE(20 + 12 + image.length, 0); // facial record data length
  face.writeUInt8(jpeg2000 ? 1 : 0, 20 + 1); // image data type
  face.writeUInt16BE(480, 20 + 2);
  face.writeUInt16BE(640, 20 + 4);
  const header = Buffer.concat([Buffer.from('FAC\x00010\x00', 'latin1'), Buffer.alloc(4), Buffer.from([0, 1])]);
  header.writeUInt32BE(header.length + face.length + image.length, 8);
  const bdb = Buffer.concat([header, face, image]);
  const bht = tlv(0xa1, tlv(0x80, Buffer.from([0x01, 0x01])), tlv(0x87, Buffer.from([0x01, 0x01])), tlv(0x88, Buffer.from([0x00, 0x08])));
  return tlv(dgTag(2), tlv(0x7f61, tlv(0x02, Buffer.from([1])), tlv(0x7f60, bht, tlv(0x5f2e, bdb))));
}

export function dg11(fullName: string, placeOfBirth: string): Buffer {
  return tlv(
    dgTag(11),
    tlv(0x5c, Buffer.from([0x5f, 0x0e, 0x5f, 0x11])),
    tlv(0x5f0e, Buffer.from(fullName, 'utf8')),
    tlv(0x5f11, Buffer.from(placeOfBirth, 'utf8')),
  );
}

export function dg12(authority: string, dateOfIssue: string): Buffer {
  return tlv(
    dgTag(12),
    tlv(0x5c, Buffer.from([0x5f, 0x19, 0x5f, 0x26])),
    tlv(0x5f19, Buffer.from(authority, 'utf8')),
    tlv(0x5f26, Buffer.from(dateOfIssue, 'latin1')),
  );
}

export const OID_PK_ECDH = '0.4.0.127.0.7.2.2.1.2';
export const CA_OIDS = { '3DES': '0.4.0.127.0.7.2.2.3.2.1', 'AES-128': '0.4.0.127.0.7.2.2.3.2.2' } as const;

/**
 * DG14: ChipAuthenticationPublicKeyInfo (id-PK-ECDH) + ChipAuthenticationInfo (version 1, keyId) when a CA
 * key is given; ActiveAuthenticationInfo (ecdsa-plain-SHA256) when AA uses an EC key.
 */
export function dg14(caPublicKey: KeyObject | null, caCipher: keyof typeof CA_OIDS, o: { keyId?: number; ecAa?: boolean } = {}): Buffer {
  const keyId = o.keyId ?? 1;
  const infos: Buffer[] = [];
  if (caPublicKey) {
    infos.push(tlv(0x30, oidTlv(OID_PK_ECDH), caPublicKey.export({ type: 'spki', format: 'der' }), intTlv(keyId)));
    infos.push(tlv(0x30, oidTlv(CA_OIDS[caCipher]), intTlv(1), intTlv(keyId)));
  }
  if (o.ecAa) infos.push(tlv(0x30, oidTlv('2.23.136.1.1.5'), intTlv(1), oidTlv('0.4.0.127.0.7.1.1.4.1.3')));
  return tlv(dgTag(14), tlv(0x31, ...infos));
}

export function dg15(aaPublicKey: KeyObject): Buffer {
  return tlv(dgTag(15), aaPublicKey.export({ type: 'spki', format: 'der' }));
}

export function efCom(dgs: number[]): Buffer {
  return tlv(
    tagOf(ldsFile('EF.COM')),
    tlv(0x5f01, Buffer.from('0107', 'latin1')),
    tlv(0x5f36, Buffer.from('040000', 'latin1')),
    tlv(0x5c, Buffer.from(dgs.map((n) => dgTag(n)))),
  );
}

const SHA256 = '2.16.840.1.101.3.4.2.1';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

/** EF.SOD: CMS SignedData over an LDSSecurityObject v0 listing the SHA-256 of each given DG. */
export function efSod(dgs: Map<number, Buffer>, dsc: IssuedCert, o: { omit?: number[] } = {}): Buffer {
  const algId = tlv(0x30, oidTlv(SHA256), Buffer.from([0x05, 0x00]));
  const hashes = [...dgs.entries()]
    .filter(([n]) => !o.omit?.includes(n))
    .sort(([a], [b]) => a - b)
    .map(([n, d]) => tlv(0x30, intTlv(n), tlv(0x04, sha256(d))));
  const lso = tlv(0x30, intTlv(0), algId, tlv(0x30, ...hashes));
  return tlv(tagOf(ldsFile('EF.SOD')), cmsSignedData('2.23.136.1.1.1', lso, dsc));
}

/** ContentInfo { signedData } over eContent, one signer (issuerAndSerialNumber), signed attributes, SHA-256. */
export function cmsSignedData(eContentType: string, eContent: Buffer, signer: IssuedCert, extraCerts: Buffer[] = []): Buffer {
  const algId = tlv(0x30, oidTlv(SHA256), Buffer.from([0x05, 0x00]));
  const attr = (oid: string, value: Buffer) => tlv(0x30, oidTlv(oid), tlv(0x31, value));
  const attrs = [attr('1.2.840.113549.1.9.3', oidTlv(eContentType)), attr('1.2.840.113549.1.9.4', tlv(0x04, sha256(eContent)))];
  const signedAttrsSet = tlv(0x31, ...attrs);
  const alg = signatureAlgorithm(signer.keySpec);
  const signature = alg.sign(signer.privateKey, signedAttrsSet);
  const issuerName = signer.x509.issuer.split('\n');
  const issuer = encodeName({
    C: defined(
      issuerName.find((l) => l.startsWith('C=')),
      ErrorCodes.INTERNAL,
      'signer issuer C',
    ).slice(2),
    O: issuerName.find((l) => l.startsWith('O='))?.slice(2),
    CN: defined(
      issuerName.find((l) => l.startsWith('CN=')),
      ErrorCodes.INTERNAL,
      'signer issuer CN',
    ).slice(3),
  });
  const serial = Buffer.from(signer.x509.serialNumber, 'hex');
  const signerInfo = tlv(
    0x30,
    intTlv(1),
    tlv(0x30, issuer, tlv(0x02, (serial[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial)),
    algId,
    tlv(0xa0, ...attrs),
    alg.algId,
    tlv(0x04, signature),
  );
  const signedData = tlv(
    0x30,
    intTlv(3),
    tlv(0x31, algId),
    tlv(0x30, oidTlv(eContentType), tlv(0xa0, tlv(0x04, eContent))),
    tlv(0xa0, signer.der, ...extraCerts),
    tlv(0x31, signerInfo),
  );
  return tlv(0x30, oidTlv('1.2.840.113549.1.7.2'), tlv(0xa0, signedData));
}
