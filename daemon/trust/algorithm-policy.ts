// Which signature algorithms and public keys a certificate path may use (issue 15): RSA PKCS#1 v1.5 and
// RSASSA-PSS with SHA-2, ECDSA with SHA-2; RSA keys of at least 2048 bits and EC keys on named curves of at
// least 256 bits. MD5, MD2, DSA and anything unlisted are refused. SHA-1 is refused unless the caller's
// profile allows it (some passport DSCs still need it; JPKI and the residence card never do).
import type { KeyObject } from 'node:crypto';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { ErrorCodes } from '../../core/errors.ts';
import { parseAsn1 } from '../encoding/asn1.ts';
import type { AlgorithmId } from './cert-fields.ts';

export const MIN_RSA_BITS = 2048;
/** node:crypto names of the accepted named curves, all of at least 256 bits. */
const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'brainpoolP256r1', 'brainpoolP384r1', 'brainpoolP512r1']);

const SHA2 = new Set(['2.16.840.1.101.3.4.2.1', '2.16.840.1.101.3.4.2.2', '2.16.840.1.101.3.4.2.3']);
const SHA1 = '1.3.14.3.2.26';
/** signature algorithm OID → digest family */
const SIGNATURE: Record<string, 'sha2' | 'sha1'> = {
  '1.2.840.113549.1.1.11': 'sha2', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha2', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha2', // sha512WithRSAEncryption
  '1.2.840.10045.4.3.2': 'sha2', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha2', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha2', // ecdsa-with-SHA512
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';

export interface AlgorithmOptions {
  allowSha1?: boolean;
}

/** The digest of RSASSA-PSS parameters (RFC 4055 §3.1: an absent hashAlgorithm means SHA-1). */
function pssDigest(params: Buffer | null): 'sha2' | 'sha1' | null {
  if (!params) return null;
  // A SEQUENCE (an all-optional schema would also take an empty element of another tag).
  if (params[0] !== 0x30) return null;
  try {
    // An absent hashAlgorithm is SHA-1 (the schema's default).
    const oid = parseAsn1(params, RsaSaPssParams, { code: ErrorCodes.TRUST_CERT_MALFORMED, what: 'RSASSA-PSS-params', der: true }).hashAlgorithm.algorithm;
    return SHA2.has(oid) ? 'sha2' : oid === SHA1 ? 'sha1' : null;
  } catch {
    return null;
  }
}

/** Why the signature algorithm is not acceptable, or null when it is. */
export function signatureAlgorithmProblem(alg: AlgorithmId, o: AlgorithmOptions): string | null {
  const family = alg.oid === RSASSA_PSS ? pssDigest(alg.params) : SIGNATURE[alg.oid];
  if (!family) return `signature algorithm ${alg.oid} is not accepted`;
  if (family === 'sha1' && !o.allowSha1) return `SHA-1 signature (${alg.oid}) is not accepted for this document`;
  return null;
}

/** Why the public key is not acceptable, or null when it is. */
export function publicKeyProblem(key: KeyObject): string | null {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return (d.modulusLength ?? 0) >= MIN_RSA_BITS ? null : `RSA key of ${d.modulusLength ?? '?'} bits (minimum ${MIN_RSA_BITS})`;
    case 'ec':
      return d.namedCurve && CURVES.has(d.namedCurve) ? null : `EC key on curve ${d.namedCurve ?? '?'} is not accepted`;
    default:
      return `${key.asymmetricKeyType ?? 'unknown'} keys are not accepted`;
  }
}
