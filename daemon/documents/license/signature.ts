// DF1/EF07 電子署名. What is public (field list quoted by TRETJapanNFCReader from the police
// specification, cards.md §4.6): 電子署名 (the signature value), シリアル番号, 発行者名, 主体者名 (JIS X 0201
// letters, space, dot) and 主体者鍵識別子. What is NOT public in any source we could reach: the signed data,
// the algorithm, where the verification key comes from, and the EF's access condition. The police
// specification (運転免許証及び運転免許証作成システム等仕様書, v009 §2-9) could not be retrieved here.
//
// So this module does only what can be checked honestly:
//  - parse EF07 by field position (tags not relied on; UNVERIFIED);
//  - with verification keys configured under trust purpose "license" (none is published — the operator
//    must obtain them), recover the signature with each key and compare it against a short list of
//    candidate signed-data layouts. A match is a real cryptographic fact ("this key signed exactly these
//    bytes") and is reported together with the layout that matched; no match is "unmatched", never
//    "invalid", because the layout itself is a hypothesis. Without a key the status is "no-key".
// Nothing here ever turns "not checked" into "verified".
import { X509Certificate, constants, createHash, publicDecrypt, verify } from 'node:crypto';
import { parseExtensions } from '../../trust/x509-extensions.ts';
import { fingerprintSha256, type TrustStore } from '../../trust/trust-store.ts';
import { decodeJisX0201 } from './jis.ts';
import { parseLicenseTlvs } from './tlv.ts';

export interface Ef07Fields {
  signature: Buffer;
  serialNumber: string | null;
  issuer: string | null;
  subject: string | null;
  subjectKeyId: Buffer | null;
}

/** Fields in the order of the public field list; the tags are not documented (UNVERIFIED). */
export function parseEf07(raw: Buffer): Ef07Fields | null {
  const tlvs = parseLicenseTlvs(raw, 'DF1/EF07');
  if (tlvs.length === 0 || tlvs[0]!.value.length === 0) return null;
  const text = (i: number) => (tlvs[i] ? decodeJisX0201(tlvs[i].value) || null : null);
  return {
    signature: Buffer.from(tlvs[0]!.value),
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
  {
    label: 'DF1/EF01‖DF1/EF02‖DF1/EF03‖DF2/EF01',
    build: (f) => (f.honseki && f.gaiji && f.photo ? Buffer.concat([f.matters, f.honseki, f.gaiji, f.photo]) : null),
  },
  { label: 'DF1/EF01‖DF1/EF03', build: (f) => (f.gaiji ? Buffer.concat([f.matters, f.gaiji]) : null) },
  { label: 'DF1/EF01', build: (f) => f.matters },
];

export type SignatureStatus = 'valid' | 'unmatched' | 'no-key' | 'not-read' | 'malformed';

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
  const algLen = der[3]!;
  const alg = der.subarray(4, 4 + algLen);
  if (alg[0] !== 0x06) return null;
  const oid = alg.subarray(2, 2 + alg[1]!).toString('hex');
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
    (ski && aSki && aSki.equals(ski) ? matched : others).push(a);
  }
  return [...matched, ...others];
}

function tryKey(cert: X509Certificate, sig: Buffer, files: SignedFiles): { label: string; hash: string } | null {
  const key = cert.publicKey;
  const candidates = SIGNED_DATA_CANDIDATES.map((c) => ({ label: c.label, data: c.build(files) })).filter(
    (c): c is { label: string; data: Buffer } => c.data !== null,
  );
  if (key.asymmetricKeyType === 'rsa') {
    let info: { hash: string; digest: Buffer } | null = null;
    try {
      info = parseDigestInfo(publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig));
    } catch {
      return null;
    }
    if (!info) return null;
    for (const c of candidates) {
      if (createHash(info.hash).update(c.data).digest().equals(info.digest)) return { label: c.label, hash: info.hash };
    }
    return null;
  }
  if (key.asymmetricKeyType === 'ec') {
    for (const c of candidates) {
      for (const dsaEncoding of ['der', 'ieee-p1363'] as const) {
        try {
          if (verify('sha256', c.data, { key, dsaEncoding }, sig)) return { label: c.label, hash: 'sha256' };
        } catch {
          /* wrong encoding for this signature */
        }
      }
    }
  }
  return null;
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
  for (const cert of keysToTry(trust, ef.subjectKeyId)) {
    const m = tryKey(cert, ef.signature, files);
    if (m) {
      return {
        status: 'valid',
        signedData: m.label,
        hash: m.hash,
        keyFingerprintSha256: fingerprintSha256(cert.raw).toLowerCase(),
        ...facts,
        note: `a configured licence key signed exactly ${m.label}; that this is the layout the police specification defines is UNVERIFIED`,
      };
    }
  }
  return {
    status: 'unmatched',
    ...facts,
    note: 'no configured key produced a signature over any candidate layout; the layout is a hypothesis, so this is not proof of forgery — the chip data was not authenticated',
  };
}
