// CRL signature algorithms: AlgorithmIdentifier → how node:crypto verifies it. The reader hashes the
// tbsCertList once, as it passes; RSA PKCS#1 v1.5 signatures (the usual CRL signature) are checked
// against that digest directly, so a large CRL is hashed exactly once. Algorithms node:crypto cannot
// verify from a digest (PSS, ECDSA) also get a streaming Verify fed with the same bytes.
import { at, defined } from '../../../core/checked.ts';
import { createHash, createVerify, constants, publicDecrypt, type Hash, type KeyObject, type Verify } from 'node:crypto';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { DerReader, malformed } from './der.ts';
import { OID } from './oids.ts';

export interface SignatureAlgorithm {
  name: string;
  digest: 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  kind: 'rsa' | 'rsa-pss' | 'ecdsa';
  saltLength?: number;
}

function unsupported(what: string): KioskError {
  return new KioskError(ErrorCodes.CRL_UNSUPPORTED_ALGORITHM, `unsupported signature algorithm: ${what}`);
}

const RSA: Record<string, SignatureAlgorithm['digest']> = {
  [OID.sha1WithRSA]: 'sha1',
  [OID.sha224WithRSA]: 'sha224',
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
};
const ECDSA: Record<string, SignatureAlgorithm['digest']> = {
  [OID.ecdsaSha1]: 'sha1',
  [OID.ecdsaSha256]: 'sha256',
  [OID.ecdsaSha384]: 'sha384',
  [OID.ecdsaSha512]: 'sha512',
};
const HASHES: Record<string, SignatureAlgorithm['digest']> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** Parse the DER of an AlgorithmIdentifier (SEQUENCE { OID, params }). */
export function parseSignatureAlgorithm(der: Buffer): SignatureAlgorithm {
  const top = new DerReader(der);
  const r = top.inner(top.read(0x30, 'AlgorithmIdentifier'));
  const oid = r.value(r.read(0x06, 'algorithm')).toString('hex');
  const rsa = RSA[oid];
  if (rsa) {
    if (!r.done) r.read(0x05, 'NULL parameters');
    r.expectEnd('RSA parameters');
    return { name: `${rsa}WithRSAEncryption`, digest: rsa, kind: 'rsa' };
  }
  const ec = ECDSA[oid];
  if (ec) {
    r.expectEnd('ECDSA algorithm (parameters must be absent)');
    return { name: `ecdsa-with-${ec.toUpperCase()}`, digest: ec, kind: 'ecdsa' };
  }
  if (oid === OID.rsassaPss) return parsePss(r);
  throw unsupported(oid);
}

function hashOf(alg: DerReader): SignatureAlgorithm['digest'] {
  const oid = alg.value(alg.read(0x06, 'hash algorithm')).toString('hex');
  if (!alg.done) alg.read(0x05, 'hash parameters');
  const h = HASHES[oid];
  if (!h) throw unsupported(`PSS hash ${oid}`);
  return h;
}

function parsePss(r: DerReader): SignatureAlgorithm {
  const p = r.inner(r.read(0x30, 'RSASSA-PSS-params'));
  r.expectEnd('RSASSA-PSS-params');
  let digest: SignatureAlgorithm['digest'] = 'sha1';
  let mgfDigest: SignatureAlgorithm['digest'] = 'sha1';
  let saltLength = 20;
  if (p.peekTag() === 0xa0) {
    const h = p.inner(p.read(0xa0));
    digest = hashOf(h.inner(h.read(0x30, 'hashAlgorithm')));
  }
  if (p.peekTag() === 0xa1) {
    const m = p.inner(p.read(0xa1));
    const mgf = m.inner(m.read(0x30, 'maskGenAlgorithm'));
    if (mgf.value(mgf.read(0x06)).toString('hex') !== OID.mgf1) throw unsupported('PSS mask generation function');
    mgfDigest = hashOf(mgf.inner(mgf.read(0x30, 'MGF1 hash')));
  }
  if (p.peekTag() === 0xa2) {
    const s = p.inner(p.read(0xa2));
    const v = s.value(s.read(0x02, 'saltLength'));
    // A DER INTEGER has at least one content octet and no redundant leading octet (X.690 §8.3.1–8.3.2);
    // an empty one used to reach readUIntBE(0, 0), a plain RangeError instead of a KioskError.
    if (v.length === 0) throw malformed('saltLength INTEGER has no content octets');
    if (v.length > 1 && ((v[0] === 0 && !(at(v, 1) & 0x80)) || (v[0] === 0xff && at(v, 1) & 0x80))) throw malformed('saltLength INTEGER is not minimal');
    if (at(v, 0) & 0x80) throw malformed('saltLength is negative');
    if (v.length > 3 || (v.length === 3 && v[0] !== 0)) throw unsupported('PSS salt length');
    saltLength = v.readUIntBE(0, v.length);
  }
  if (p.peekTag() === 0xa3) {
    const t = p.inner(p.read(0xa3));
    const v = t.value(t.read(0x02, 'trailerField'));
    if (v.length !== 1 || v[0] !== 1) throw unsupported('PSS trailer field');
  }
  p.expectEnd('RSASSA-PSS-params');
  // node:crypto uses the message digest for MGF1 too
  if (mgfDigest !== digest) throw unsupported('PSS with an MGF1 hash different from the message hash');
  return { name: `rsassaPss-${digest}`, digest, kind: 'rsa-pss', saltLength };
}

/**
 * DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1): DER of
 * DigestInfo { AlgorithmIdentifier { hash OID, NULL }, OCTET STRING (length of the digest) }.
 */
const DIGEST_INFO: Record<SignatureAlgorithm['digest'], Buffer> = {
  sha1: Buffer.from('3021300906052b0e03021a05000414', 'hex'),
  sha224: Buffer.from('302d300d06096086480165030402040500041c', 'hex'),
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

/** What the reader feeds the tbsCertList to: always its digest, plus a Verify when the digest is not enough. */
export interface TbsVerifier {
  digest: Hash;
  stream?: Verify;
}

export function startVerify(alg: SignatureAlgorithm): TbsVerifier {
  return { digest: createHash(alg.digest), stream: alg.kind === 'rsa' ? undefined : createVerify(alg.digest) };
}

/**
 * RSASSA-PKCS1-v1_5 verification from a digest (RFC 8017 §8.2.2): RSAVP1 by OpenSSL's public-key
 * operation with type-1 padding removed, then the recovered DigestInfo compared in full with the
 * expected encoding. Never throws: a malformed signature is simply false.
 */
export function verifyRsaPkcs1Digest(key: KeyObject, digestName: SignatureAlgorithm['digest'], digest: Buffer, signature: Buffer): boolean {
  if (key.asymmetricKeyType !== 'rsa') return false;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  // the signature is an integer of exactly the modulus' length (RFC 8017 §8.2.2 step 1)
  if (!bits || signature.length !== (bits + 7) >> 3) return false;
  try {
    const em = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return em.equals(Buffer.concat([DIGEST_INFO[digestName], digest]));
  } catch {
    return false;
  }
}

/** Finish a verification; `tbsDigest` is v.digest's result. Never throws for a bad signature: returns false. */
export function finishVerify(tv: TbsVerifier, alg: SignatureAlgorithm, key: KeyObject, signature: Buffer, tbsDigest: Buffer): boolean {
  const type = key.asymmetricKeyType;
  if (alg.kind === 'rsa') return verifyRsaPkcs1Digest(key, alg.digest, tbsDigest, signature);
  const v = defined(tv.stream, ErrorCodes.INTERNAL, 'streaming verifier');
  try {
    if (alg.kind === 'ecdsa') {
      if (type !== 'ec') return false;
      return v.verify({ key, dsaEncoding: 'der' }, signature);
    }
    if (type !== 'rsa' && type !== 'rsa-pss') return false;
    if (alg.kind === 'rsa-pss') {
      return v.verify({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }, signature);
    }
    return false;
  } catch {
    return false;
  }
}
