// CMS SignedData (RFC 5652) as ICAO uses it — EF.SOD and CSCA master lists — read with the project's ASN.1
// stack (@peculiar/asn1-cms schemas over asn1js, BER-tolerant: indefinite lengths and constructed OCTET
// STRINGs as some chips write them), and the signer's signature verified with node:crypto: RSA PKCS#1 v1.5
// (incl. plain rsaEncryption as signatureAlgorithm), RSASSA-PSS with its parameters, ECDSA (brainpool too);
// SHA-1/224/256/384/512 (docs/reference/passport.md §8). Every malformation is CARD_MALFORMED_RESPONSE.
import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import { Attribute, ContentInfo, EncapsulatedContentInfo, SignedData as CmsSignedData, SignerInfo as CmsSignerInfo } from '@peculiar/asn1-cms';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { octetStringOf, oidOf, parseAsn1, type Asn1Options } from '../../../encoding/asn1.ts';
import { verifyEcdsaAnyEncoding } from '../../../../core/crypto/ecdsa.ts';
import { AnySet } from './icao-asn1.ts';

export const HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const RSA_PKCS1: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.1': null, // rsaEncryption: hash from the SignerInfo digest algorithm (US, NZ)
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const ECDSA: Readonly<Record<string, string | null>> = {
  '1.2.840.10045.2.1': null,
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const RSA_PSS = '1.2.840.113549.1.1.10';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

const CMS: Asn1Options = { code: ErrorCodes.CARD_MALFORMED_RESPONSE, what: 'CMS' };
const malformed = (msg: string) => new KioskError(CMS.code, `CMS: ${msg}`);

// ---- schemas: asn1-cms's, with the fields a verifier needs as encoded kept as encoded ----

/** SignedAttributes (SET SIZE (1..MAX) OF Attribute). */
class SignedAttributes extends AsnArray<Attribute> {}
AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })(SignedAttributes);

/** SignerInfo with the signed attributes' encoding (what the signature covers) and a BER-form signature. */
class KioskSignerInfo extends CmsSignerInfo {}
AsnProp({ type: SignedAttributes, context: 0, implicit: true, optional: true, raw: true })(KioskSignerInfo.prototype, 'signedAttrs');
AsnProp({ type: AsnPropTypes.Any })(KioskSignerInfo.prototype, 'signature');

class KioskSignerInfos extends AsnArray<KioskSignerInfo> {}
AsnType({ type: AsnTypeTypes.Set, itemType: KioskSignerInfo })(KioskSignerInfos);

/** eContent as the element it is ([0] EXPLICIT OCTET STRING, primitive or constructed). */
class KioskEncapsulatedContentInfo extends EncapsulatedContentInfo {}
AsnProp({ type: AsnPropTypes.Any, context: 0, optional: true })(KioskEncapsulatedContentInfo.prototype, 'eContent');

class KioskSignedData extends CmsSignedData {}
AsnProp({ type: KioskEncapsulatedContentInfo })(KioskSignedData.prototype, 'encapContentInfo');
AsnProp({ type: AnySet, context: 0, implicit: true, optional: true })(KioskSignedData.prototype, 'certificates');
AsnProp({ type: AnySet, context: 1, implicit: true, optional: true })(KioskSignedData.prototype, 'crls');
AsnProp({ type: KioskSignerInfos })(KioskSignedData.prototype, 'signerInfos');

export interface SignerInfo {
  /** serialNumber INTEGER content (issuerAndSerialNumber), or null. */
  serial: Buffer | null;
  /** The subjectKeyIdentifier (version 3), or null. */
  subjectKeyId: Buffer | null;
  digestAlgorithm: string;
  /** signedAttrs re-tagged A0 → 31 (the bytes the signature covers), or null. */
  signedAttrs: Buffer | null;
  messageDigest: Buffer | null;
  contentType: string | null;
  signatureAlgorithm: string;
  /** DER of the signatureAlgorithm parameters (absent or NULL: null). */
  signatureParams: Buffer | null;
  signature: Buffer;
}

export interface SignedData {
  eContentType: string;
  eContent: Buffer;
  certificates: Buffer[];
  signers: SignerInfo[];
}

/** An explicit NULL parameters field (as RSA signature algorithms carry). */
const DER_NULL = '0500';

function parseSignerInfo(si: KioskSignerInfo): SignerInfo {
  const sid = si.sid;
  const subjectKeyId = sid.subjectKeyIdentifier ? Buffer.from(sid.subjectKeyIdentifier.buffer) : null;
  const serial = !subjectKeyId && sid.issuerAndSerialNumber ? Buffer.from(sid.issuerAndSerialNumber.serialNumber) : null;
  if (!subjectKeyId && !serial) throw malformed('SignerInfo: no signer identifier');
  let signedAttrs: Buffer | null = null;
  let messageDigest: Buffer | null = null;
  let contentType: string | null = null;
  const raw = (si as { signedAttrsRaw?: ArrayBuffer }).signedAttrsRaw;
  if (si.signedAttrs) {
    if (!raw) throw malformed('signedAttrs without their encoding');
    // The signature covers the DER SET OF: same content, universal SET tag.
    signedAttrs = Buffer.from(raw);
    signedAttrs[0] = 0x31;
    for (const a of si.signedAttrs) {
      const first = a.attrValues[0];
      if (a.attrType === OID_MESSAGE_DIGEST && first) messageDigest = octetStringOf(new Uint8Array(first), CMS);
      if (a.attrType === OID_CONTENT_TYPE && first) contentType = oidOf(new Uint8Array(first), CMS);
    }
  }
  const params = si.signatureAlgorithm.parameters;
  return {
    serial,
    subjectKeyId,
    digestAlgorithm: si.digestAlgorithm.algorithm,
    signedAttrs,
    messageDigest,
    contentType,
    signatureAlgorithm: si.signatureAlgorithm.algorithm,
    signatureParams: params && Buffer.from(params).toString('hex') !== DER_NULL ? Buffer.from(params) : null,
    signature: octetStringOf(new Uint8Array(si.signature as unknown as ArrayBuffer), CMS),
  };
}

/** Parse a ContentInfo holding SignedData (DER or BER). */
export function parseSignedData(contentInfo: Buffer): SignedData {
  const ci = parseAsn1(contentInfo, ContentInfo, CMS);
  if (ci.contentType !== OID_SIGNED_DATA) throw malformed('not SignedData');
  const sd = parseAsn1(new Uint8Array(ci.content), KioskSignedData, CMS);
  const encap = sd.encapContentInfo;
  if (!encap.eContent) throw malformed('eContent missing');
  const eContent = octetStringOf(new Uint8Array(encap.eContent as unknown as ArrayBuffer), CMS);
  const certificates = [...((sd.certificates as unknown as AnySet | undefined) ?? [])].map((c) => Buffer.from(c)).filter((c) => c[0] === 0x30);
  const signers = [...sd.signerInfos].map(parseSignerInfo);
  if (signers.length === 0) throw malformed('no signer');
  return { eContentType: encap.eContentType, eContent, certificates, signers };
}

export type SignatureCheck = { ok: true; algorithm: string } | { ok: false; reason: string };

/** RSASSA-PSS parameters (RFC 4055 §3.1; absent fields: SHA-1, salt 20). */
function pssParams(p: Buffer | null): { hash: string; saltLength: number } {
  if (!p) return { hash: 'sha1', saltLength: 20 };
  const params = parseAsn1(p, RsaSaPssParams, CMS);
  return { hash: HASHES[params.hashAlgorithm.algorithm] ?? 'unknown', saltLength: params.saltLength };
}

/** Verify one SignerInfo over `eContent` with the signer's public key. */
export function verifySigner(s: SignerInfo, eContentType: string, eContent: Buffer, key: KeyObject): SignatureCheck {
  const digest = HASHES[s.digestAlgorithm];
  if (!digest) return { ok: false, reason: `unsupported digest ${s.digestAlgorithm}` };
  let data = eContent;
  if (s.signedAttrs) {
    if (!s.messageDigest || !createHash(digest).update(eContent).digest().equals(s.messageDigest))
      return { ok: false, reason: 'messageDigest does not match the content' };
    if (s.contentType !== eContentType) return { ok: false, reason: 'contentType attribute does not match eContentType' };
    data = s.signedAttrs;
  }
  const alg = s.signatureAlgorithm;
  try {
    if (alg in RSA_PKCS1) {
      const hash = RSA_PKCS1[alg] ?? digest;
      return verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, s.signature)
        ? { ok: true, algorithm: `RSA-PKCS1-${hash}` }
        : { ok: false, reason: 'signature does not verify' };
    }
    if (alg === RSA_PSS) {
      const p = pssParams(s.signatureParams);
      const ok = verify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }, s.signature);
      return ok ? { ok: true, algorithm: `RSA-PSS-${p.hash}` } : { ok: false, reason: 'signature does not verify' };
    }
    if (alg in ECDSA) {
      const hash = ECDSA[alg] ?? digest;
      const ok = verifyEcdsaAnyEncoding(hash, data, key, s.signature);
      return ok ? { ok: true, algorithm: `ECDSA-${hash}` } : { ok: false, reason: 'signature does not verify' };
    }
  } catch (e) {
    return { ok: false, reason: `signature check failed: ${(e as Error).message}` };
  }
  return { ok: false, reason: `unsupported signature algorithm ${alg}` };
}
