// DF1/EF07 電子署名. What is public (docs/reference/license.md §10): the field list quoted by
// TRETJapanNFCReader from the police specification — 電子署名 (the signature value), シリアル番号, 発行者名,
// 主体者名 (JIS X 0201 letters, space, dot) and 主体者鍵識別子 — and the data the libjeid sample app feeds
// its verifier: DF1/EF01 ‖ DF1/EF02 ‖ DF2/EF01 (osstech-jp/libjeid-android-app DLReaderTask.java,
// signature.update(entries) → update(registeredDomicile) → update(photo)). What is NOT public in any source
// we could reach: the algorithm, where the verification key comes from, and the EF's access condition.
//
// So this module does only what can be checked honestly:
//  - parse EF07 by field position (tags not relied on; UNVERIFIED);
//  - with verification keys configured under trust purpose "license" (none is published — the operator
//    must obtain them), check the signature with each key against a short list of candidate signed-data
//    layouts (libjeid's first). A match is a cryptographic fact ("this key signed exactly these bytes") and
//    is reported with the layout that matched.
//  - "unmatched" (→ authenticity failed) only when the failure is a fact: an RSA signature that no
//    configured key opens to a well-formed DigestInfo (another key made it, or it was corrupted), or a
//    signature that matches no candidate although every candidate's files were read. When a key opens the
//    signature but files a candidate needs were not read (no PIN2: no 本籍, no photo), the status is
//    "not-checkable" (→ chip-read): a genuine card read with PIN1 only is not called forged.
// Nothing here ever turns "not checked" into "verified".
import { at } from '../../../core/checked.ts';
import { type X509Certificate, constants, createHash, publicDecrypt, verify } from 'node:crypto';
import { parseExtensions } from '../../trust/x509-extensions.ts';
import { fingerprintSha256, type TrustStore } from '../../trust/trust-store.ts';
import { decodeJisX0201 } from './jis.ts';
import { LICENSE_TLV } from './constants.ts';

export interface Ef07Fields {
  signature: Buffer;
  serialNumber: string | null;
  issuer: string | null;
  subject: string | null;
  subjectKeyId: Buffer | null;
}

/** Fields in the order of the public field list; the tags are not documented (UNVERIFIED). */
export function parseEf07(raw: Buffer): Ef07Fields | null {
  const tlvs = LICENSE_TLV.all(raw, 'DF1/EF07');
  const first = tlvs[0];
  if (!first || first.value.length === 0) return null;
  const text = (i: number) => (tlvs[i] ? decodeJisX0201(tlvs[i].value) || null : null);
  return {
    signature: Buffer.from(first.value),
    serialNumber: text(1),
    issuer: text(2),
    subject: text(3),
    subjectKeyId: tlvs[4] ? Buffer.from(tlvs[4].value) : null,
  };
}

/** Files as read from the card (whole EF contents). Absent = not read (e.g. no PIN2). */
export interface SignedFiles {
  matters: Buffer;
  gaiji: Buffer | null;
  honseki: Buffer | null;
  photo: Buffer | null;
}

/** Candidate signed-data layouts, most complete first. HYPOTHESES, see the header comment. */
export const SIGNED_DATA_CANDIDATES: readonly { label: string; build: (f: SignedFiles) => Buffer | null }[] = [
  // libjeid-android-app DLReaderTask.java: entries ‖ registeredDomicile ‖ photo.
  {
    label: 'DF1/EF01‖DF1/EF02‖DF2/EF01',
    build: (f) => (f.honseki && f.photo ? Buffer.concat([f.matters, f.honseki, f.photo]) : null),
  },
  {
    label: 'DF1/EF01‖DF1/EF02‖DF1/EF03‖DF2/EF01',
    build: (f) => (f.honseki && f.gaiji && f.photo ? Buffer.concat([f.matters, f.honseki, f.gaiji, f.photo]) : null),
  },
  { label: 'DF1/EF01‖DF1/EF03', build: (f) => (f.gaiji ? Buffer.concat([f.matters, f.gaiji]) : null) },
  { label: 'DF1/EF01', build: (f) => f.matters },
];

export type SignatureStatus = 'valid' | 'unmatched' | 'not-checkable' | 'no-key' | 'not-read' | 'malformed';

export interface SignatureOutcome {
  status: SignatureStatus;
  /** Which candidate layout the signature matched (only with status "valid"). */
  signedData?: string;
  hash?: string;
  keyFingerprintSha256?: string;
  serialNumber?: string | null;
  issuer?: string | null;
  subject?: string | null;
  subjectKeyId?: string | null;
  /** Always present: what this status does and does not prove. */
  note: string;
}

const DIGEST_OIDS: ReadonlyMap<string, string> = new Map([
  ['2b0e03021a', 'sha1'],
  ['608648016503040201', 'sha256'],
  ['608648016503040202', 'sha384'],
  ['608648016503040203', 'sha512'],
]);

/** DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL? }, OCTET STRING } — strict, short-form lengths only. */
export function parseDigestInfo(der: Buffer): { hash: string; digest: Buffer } | null {
  if (der.length < 2 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  if (der[2] !== 0x30) return null;
  const algLen = der[3];
  if (algLen === undefined) return null;
  const alg = der.subarray(4, 4 + algLen);
  const oidLen = alg[1];
  if (alg[0] !== 0x06 || oidLen === undefined) return null;
  const oid = alg.subarray(2, 2 + oidLen).toString('hex');
  const hash = DIGEST_OIDS.get(oid);
  const rest = der.subarray(4 + algLen);
  if (!hash || rest[0] !== 0x04 || rest[1] !== rest.length - 2) return null;
  return { hash, digest: rest.subarray(2) };
}

function keysToTry(trust: TrustStore, ski: Buffer | null): X509Certificate[] {
  const matched: X509Certificate[] = [];
  const others: X509Certificate[] = [];
  for (const a of trust.anchors) {
    let aSki: Buffer | null = null;
    try {
      aSki = parseExtensions(a.raw).subjectKeyId;
    } catch {
      aSki = null;
    }
    (ski && aSki?.equals(ski) ? matched : others).push(a);
  }
  return [...matched, ...others];
}

/** What one key says about the signature. */
type KeyAnswer =
  | { kind: 'valid'; label: string; hash: string }
  /** RSA: the key does not open the signature to a DigestInfo — this key did not make it. */
  | { kind: 'not-this-key' }
  /** The key made it (RSA) or may have (EC), over none of the candidates that could be built. */
  | { kind: 'no-candidate' };

function tryKey(cert: X509Certificate, sig: Buffer, candidates: readonly { label: string; data: Buffer }[]): KeyAnswer {
  let key: X509Certificate['publicKey'];
  try {
    key = cert.publicKey;
  } catch {
    return { kind: 'not-this-key' };
  }
  if (key.asymmetricKeyType === 'rsa') {
    let info: { hash: string; digest: Buffer } | null = null;
    try {
      info = parseDigestInfo(publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig));
    } catch {
      return { kind: 'not-this-key' };
    }
    if (!info) return { kind: 'not-this-key' };
    for (const c of candidates) {
      if (createHash(info.hash).update(c.data).digest().equals(info.digest)) return { kind: 'valid', label: c.label, hash: info.hash };
    }
    return { kind: 'no-candidate' };
  }
  if (key.asymmetricKeyType === 'ec') {
    for (const c of candidates) {
      for (const dsaEncoding of ['der', 'ieee-p1363'] as const) {
        try {
          if (verify('sha256', c.data, { key, dsaEncoding }, sig)) return { kind: 'valid', label: c.label, hash: 'sha256' };
        } catch {
          /* wrong encoding for this signature */
        }
      }
    }
    return { kind: 'no-candidate' };
  }
  return { kind: 'not-this-key' };
}

export function checkEf07(raw: Buffer | null, files: SignedFiles, trust: TrustStore): SignatureOutcome {
  if (raw === null) return { status: 'not-read', note: 'DF1/EF07 was not readable in this session; the chip data was not authenticated' };
  let ef: Ef07Fields | null;
  try {
    ef = parseEf07(raw);
  } catch {
    ef = null;
  }
  if (!ef) return { status: 'malformed', note: 'DF1/EF07 could not be parsed; the chip data was not authenticated' };
  const facts = {
    serialNumber: ef.serialNumber,
    issuer: ef.issuer,
    subject: ef.subject,
    subjectKeyId: ef.subjectKeyId ? ef.subjectKeyId.toString('hex') : null,
  };
  if (trust.anchors.length === 0) {
    return {
      status: 'no-key',
      ...facts,
      note: 'no licence signature key is configured (trust purpose "license"); the police do not publish one in any source we found, so the chip data was not authenticated',
    };
  }
  const built = SIGNED_DATA_CANDIDATES.map((c) => ({ label: c.label, data: c.build(files) }));
  const candidates = built.filter((c): c is { label: string; data: Buffer } => c.data !== null);
  const missing = built.filter((c) => c.data === null).map((c) => c.label);
  let someKeyMadeIt = false;
  for (const cert of keysToTry(trust, ef.subjectKeyId)) {
    const a = tryKey(cert, ef.signature, candidates);
    if (a.kind === 'valid') {
      return {
        status: 'valid',
        signedData: a.label,
        hash: a.hash,
        keyFingerprintSha256: fingerprintSha256(cert.raw).toLowerCase(),
        ...facts,
        note: `a configured licence key signed exactly ${a.label}${a.label === at(SIGNED_DATA_CANDIDATES, 0).label ? ' (the data libjeid verifies)' : ''}`,
      };
    }
    if (a.kind === 'no-candidate') someKeyMadeIt = true;
  }
  if (someKeyMadeIt && missing.length > 0) {
    return {
      status: 'not-checkable',
      ...facts,
      note: `the signature could not be checked: it covers data this session did not read (${missing.join(', ')} need PIN2); the chip data was not authenticated`,
    };
  }
  return {
    status: 'unmatched',
    ...facts,
    note: someKeyMadeIt
      ? 'the signature matches none of the signed-data candidates under the configured keys although every file they cover was read (for RSA: the key made it over other data — the data was changed after signing)'
      : 'no configured licence key made this signature (another key, or a corrupted signature)',
  };
}
