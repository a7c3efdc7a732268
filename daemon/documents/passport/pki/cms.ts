// CMS SignedData (RFC 5652) as ICAO uses it — EF.SOD and CSCA master lists — parsed with the
// BER-tolerant TLV reader, and the signer's signature verified with node:crypto: RSA PKCS#1 v1.5 (incl.
// plain rsaEncryption as signatureAlgorithm), RSASSA-PSS with its parameters, ECDSA (brainpool too);
// SHA-1/224/256/384/512 (docs/reference/passport.md §8).
import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { children, decodeOid, readTlv, smallInt, type Tlv } from '../../../encoding/ber-tlv.ts';
import { verifyEcdsaAnyEncoding } from '../../../../core/crypto/ecdsa.ts';

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

const malformed = (msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `CMS: ${msg}`);

export interface SignerInfo {
  /** DER of the issuer Name and the serial number (version 1), or the subjectKeyIdentifier (version 3). */
  issuer: Buffer | null;
  serial: Buffer | null;
  subjectKeyId: Buffer | null;
  digestAlgorithm: string;
  /** signedAttrs re-tagged A0 → 31 (the bytes the signature covers), or null. */
  signedAttrs: Buffer | null;
  messageDigest: Buffer | null;
  contentType: string | null;
  signatureAlgorithm: string;
  signatureParams: Tlv | null;
  signature: Buffer;
}

export interface SignedData {
  eContentType: string;
  eContent: Buffer;
  certificates: Buffer[];
  signers: SignerInfo[];
}

const oidOf = (t: Tlv | undefined, what: string): string => {
  if (!t || t.tag !== 0x06) throw malformed(`${what}: OID expected`);
  return decodeOid(t.value);
};

/** Concatenated content of an OCTET STRING, including the constructed (BER) form. */
function octets(t: Tlv): Buffer {
  if (t.tag === 0x04) return t.value;
  if (t.tag === 0x24) return Buffer.concat(children(t).map(octets));
  throw malformed('OCTET STRING expected');
}

/** A SEQUENCE's children; any other tag is malformed (BER changes lengths and string forms, never this tag). */
function sequence(t: Tlv | undefined, what: string): Tlv[] {
  if (!t || t.tag !== 0x30) throw malformed(`${what}: SEQUENCE expected`);
  return children(t);
}

function parseSignerInfo(t: Tlv): SignerInfo {
  const f = sequence(t, 'SignerInfo');
  const version = smallInt(f[0]!);
  let i = 1;
  const sid = f[i++]!;
  let issuer: Buffer | null = null;
  let serial: Buffer | null = null;
  let subjectKeyId: Buffer | null = null;
  if (version === 3 || sid.tag === 0x80) subjectKeyId = sid.value;
  else {
    const s = children(sid);
    issuer = Buffer.from(s[0]!.raw);
    serial = s[1]!.value;
  }
  const digestAlgorithm = oidOf(children(f[i++]!)[0], 'digestAlgorithm');
  let signedAttrs: Buffer | null = null;
  let messageDigest: Buffer | null = null;
  let contentType: string | null = null;
  if (f[i]?.tag === 0xa0) {
    const attrs = f[i++]!;
    // The signature covers the DER SET OF: same content, universal SET tag.
    signedAttrs = Buffer.concat([Buffer.from([0x31]), attrs.raw.subarray(1)]);
    for (const a of children(attrs)) {
      const [type, values] = children(a);
      const oid = oidOf(type, 'attribute');
      const first = values ? children(values)[0] : undefined;
      if (oid === OID_MESSAGE_DIGEST && first) messageDigest = octets(first);
      if (oid === OID_CONTENT_TYPE && first) contentType = oidOf(first, 'contentType');
    }
  }
  const sigAlg = children(f[i++]!);
  const signature = octets(f[i++]!);
  return {
    issuer,
    serial,
    subjectKeyId,
    digestAlgorithm,
    signedAttrs,
    messageDigest,
    contentType,
    signatureAlgorithm: oidOf(sigAlg[0], 'signatureAlgorithm'),
    signatureParams: sigAlg[1] && sigAlg[1].tag !== 0x05 ? sigAlg[1] : null,
    signature,
  };
}

/** Parse a ContentInfo holding SignedData (DER or BER). */
export function parseSignedData(contentInfo: Buffer): SignedData {
  const ci = sequence(readTlv(contentInfo), 'ContentInfo');
  if (oidOf(ci[0], 'contentType') !== OID_SIGNED_DATA) throw malformed('not SignedData');
  if (ci[1]?.tag !== 0xa0) throw malformed('content missing');
  const sd = sequence(children(ci[1])[0], 'SignedData');
  let i = 1; // version
  i++; // digestAlgorithms
  const encap = sequence(sd[i++], 'EncapsulatedContentInfo');
  const eContentType = oidOf(encap[0], 'eContentType');
  if (encap[1]?.tag !== 0xa0) throw malformed('eContent missing');
  const eContent = octets(children(encap[1])[0]!);
  const certificates: Buffer[] = [];
  if (sd[i]?.tag === 0xa0) for (const c of children(sd[i++]!)) if (c.tag === 0x30) certificates.push(Buffer.from(c.raw));
  if (sd[i]?.tag === 0xa1) i++; // crls
  const signerSet = sd[i];
  if (!signerSet || signerSet.tag !== 0x31) throw malformed('signerInfos missing');
  const signers = children(signerSet).map(parseSignerInfo);
  if (signers.length === 0) throw malformed('no signer');
  return { eContentType, eContent, certificates, signers };
}

export type SignatureCheck = { ok: true; algorithm: string } | { ok: false; reason: string };

function pssParams(p: Tlv | null): { hash: string; saltLength: number } {
  let hash = 'sha1';
  let saltLength = 20;
  if (p) {
    for (const c of children(p)) {
      const inner = children(c)[0];
      if (c.tag === 0xa0 && inner) hash = HASHES[oidOf(children(inner)[0], 'PSS hash')] ?? 'unknown';
      if (c.tag === 0xa2 && inner) saltLength = smallInt(inner);
    }
  }
  return { hash, saltLength };
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
