// OCSP request building and response checking (RFC 6960, nonce per RFC 8954). The response must be
// "successful", of type id-pkix-ocsp-basic, signed by the issuing CA itself or by a responder certificate
// the CA issued for OCSP signing (id-kp-OCSPSigning), answer for exactly the certificate asked about, and be
// current (thisUpdate not in the future, nextUpdate not passed). Anything else is a KioskError with a
// stable code; the checker turns it into "unknown" (fail closed → the CRL fallback).
//
// Replay: a `good` answer captured before a revocation stays validly signed until its nextUpdate. When the
// request carried a nonce the response must echo it; a deployment whose responder never echoes nonces sets a
// producedAt freshness window instead (CheckOptions.nonceMode). Several SingleResponses for the certificate:
// any revoked → revoked, otherwise disagreement → unknown. An unknown critical extension → unknown.
import { createHash, verify as verifySig, X509Certificate, type KeyObject } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { validateChain } from '../chain.ts';
import { ocspResponderProfile } from '../chain-profiles.ts';
import { TrustStore } from '../trust-store.ts';
import { children, expect, generalizedTime, oid, oidText, octets, parseDer, raw, readNode, seq, tlv, value, type Node } from './der.ts';

const OID_SHA1 = '1.3.14.3.2.26';
const OID_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_NONCE = '1.3.6.1.5.5.7.48.1.2';
/**
 * Critical extensions this checker understands. The CT SCT list (RFC 6962 §3.3) may be marked critical in a
 * SingleResponse; it asserts nothing about revocation, so understanding it means nothing changes.
 */
const KNOWN_RESPONSE_EXTENSIONS = new Set([OID_NONCE]);
const KNOWN_SINGLE_EXTENSIONS = new Set(['1.3.6.1.4.1.11129.2.4.5']);

const SIG_ALGS: Record<string, { hash: string; kind: 'rsa' | 'ec' }> = {
  '1.2.840.113549.1.1.5': { hash: 'sha1', kind: 'rsa' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', kind: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', kind: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', kind: 'rsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', kind: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', kind: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', kind: 'ec' },
};

const REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  '',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

const bad = (msg: string) => new KioskError(ErrorCodes.OCSP_BAD_RESPONSE, `OCSP: ${msg}`);

export interface CertId {
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** serialNumber INTEGER content bytes (as encoded in the certificate) */
  serial: Buffer;
}

/** issuer Name DER and subjectPublicKey bits of a certificate (for the CertID hashes). */
function subjectAndKeyBits(cert: X509Certificate): { subject: Buffer; keyBits: Buffer } {
  const tbs = children(parseDer(cert.raw))[0]!;
  const f = children(tbs);
  const i = f[0]!.tag === 0xa0 ? 1 : 0;
  const subject = raw(f[i + 4]!);
  const spki = children(f[i + 5]!);
  const bits = value(expect(spki[1], 0x03, 'subjectPublicKey'));
  return { subject, keyBits: bits.subarray(1) };
}

function serialOf(cert: X509Certificate): Buffer {
  const tbs = children(parseDer(cert.raw))[0]!;
  const f = children(tbs);
  return value(expect(f[f[0]!.tag === 0xa0 ? 1 : 0], 0x02, 'serialNumber'));
}

export function certIdFor(cert: X509Certificate, issuer: X509Certificate): CertId {
  const { subject, keyBits } = subjectAndKeyBits(issuer);
  const sha1 = (b: Buffer) => createHash('sha1').update(b).digest();
  return { issuerNameHash: sha1(subject), issuerKeyHash: sha1(keyBits), serial: serialOf(cert) };
}

export function encodeRequest(id: CertId, nonce: Buffer | null): Buffer {
  const certId = seq(seq(oid(OID_SHA1), Buffer.from([0x05, 0x00])), octets(id.issuerNameHash), octets(id.issuerKeyHash), tlv(0x02, id.serial));
  const exts = nonce ? [tlv(0xa2, seq(seq(oid(OID_NONCE), octets(octets(nonce)))))] : [];
  return seq(seq(seq(seq(certId)), ...exts));
}

export type OcspAnswer =
  | { status: 'good'; thisUpdate: Date; nextUpdate: Date | null; producedAt: Date }
  | { status: 'revoked'; thisUpdate: Date; nextUpdate: Date | null; producedAt: Date; revokedAt: Date; reason?: string }
  | { status: 'unknown'; thisUpdate: Date; nextUpdate: Date | null; producedAt: Date };

export interface CheckOptions {
  now: Date;
  /** The nonce the request carried (null: none was sent). */
  nonce: Buffer | null;
  /**
   * With a nonce sent: 'required' (default) refuses a response that does not echo it; 'freshness' accepts a
   * response without the echo when its producedAt lies within `freshnessSeconds` of now (a wrong echo is
   * refused in both modes).
   */
  nonceMode?: 'required' | 'freshness';
  /** producedAt window for nonceMode 'freshness' (default 300 s). */
  freshnessSeconds?: number;
  /** Validity of the certificate asked about: a response produced outside it is refused (RFC 6960 §3.2). */
  certValidity?: { notBefore: Date; notAfter: Date };
  /** tolerated clock difference with the responder (default 300 s) */
  skewSeconds?: number;
  /** without nextUpdate, how old thisUpdate may be (default 3600 s) */
  maxAgeSeconds?: number;
}

function verifySignature(alg: string, data: Buffer, sig: Buffer, key: KeyObject): boolean {
  const a = SIG_ALGS[alg];
  if (!a) throw bad(`unsupported signature algorithm ${alg}`);
  if (key.asymmetricKeyType !== a.kind) return false; // e.g. an ECDSA response checked against an RSA CA key
  try {
    return verifySig(a.hash, data, a.kind === 'ec' ? { key, dsaEncoding: 'der' } : key, sig);
  } catch {
    return false;
  }
}

/**
 * The responder key: the CA itself, or a delegated responder certificate the path validator accepts under
 * the OCSP profile (issued directly by the CA, id-kp-OCSPSigning, valid now; trust/chain-profiles.ts).
 */
function signerOk(alg: string, tbs: Buffer, sig: Buffer, issuer: X509Certificate, certs: X509Certificate[], now: Date): boolean {
  if (verifySignature(alg, tbs, sig, issuer.publicKey)) return true;
  const ca = new TrustStore([issuer]);
  return certs.some((c) => validateChain(c, ca, ocspResponderProfile(now)).valid && verifySignature(alg, tbs, sig, c.publicKey));
}

export function checkResponse(der: Buffer, id: CertId, issuer: X509Certificate, o: CheckOptions): OcspAnswer {
  try {
    return checkResponseStrict(der, id, issuer, o);
  } catch (e) {
    // Whatever the bytes, the caller gets a KioskError with a stable code (a malformed embedded
    // certificate or key makes node:crypto throw its own errors).
    throw e instanceof KioskError ? e : bad(`malformed response (${(e as Error).name})`);
  }
}

function checkResponseStrict(der: Buffer, id: CertId, issuer: X509Certificate, o: CheckOptions): OcspAnswer {
  const top = children(expect(parseDer(der), 0x30, 'OCSPResponse'));
  const status = value(expect(top[0], 0x0a, 'responseStatus'))[0];
  if (status !== 0) throw new KioskError(ErrorCodes.OCSP_RESPONDER_ERROR, `OCSP responder status ${status}`, { responseStatus: status ?? -1 });
  const rb = children(expect(children(expect(top[1], 0xa0, 'responseBytes'))[0], 0x30, 'ResponseBytes'));
  if (oidText(expect(rb[0], 0x06, 'responseType')) !== OID_BASIC) throw bad('not a basic OCSP response');
  const basicDer = value(expect(rb[1], 0x04, 'response'));
  const basic = children(expect(parseDer(Buffer.from(basicDer)), 0x30, 'BasicOCSPResponse'));
  const tbsNode = expect(basic[0], 0x30, 'tbsResponseData');
  const alg = oidText(expect(children(expect(basic[1], 0x30, 'signatureAlgorithm'))[0], 0x06, 'algorithm'));
  const sigBits = value(expect(basic[2], 0x03, 'signature'));
  const certs = basic[3] ? children(expect(children(expect(basic[3], 0xa0, 'certs'))[0], 0x30, 'certs')).map((c) => new X509Certificate(raw(c))) : [];
  if (!signerOk(alg, raw(tbsNode), sigBits.subarray(1), issuer, certs, o.now)) throw bad('signature is not from the CA or an authorised responder');

  let f = children(tbsNode);
  if (f[0]?.tag === 0xa0) f = f.slice(1); // version
  const producedAt = generalizedTime(expect(f[1], 0x18, 'producedAt'));
  const responses = children(expect(f[2], 0x30, 'responses'));
  const exts = f[3]?.tag === 0xa1 ? f[3] : null;
  const skew = (o.skewSeconds ?? 300) * 1000;
  const now = o.now.getTime();
  let echoed: Buffer | null = null;
  for (const e of extensionsOf(exts, KNOWN_RESPONSE_EXTENSIONS)) {
    if (e.id !== OID_NONCE) continue;
    const inner = e.value;
    echoed = Buffer.from(inner[0] === 0x04 ? value(readNode(Buffer.from(inner), 0)) : inner);
  }
  if (o.nonce) {
    if (echoed && !echoed.equals(o.nonce)) throw bad('nonce does not match the request');
    if (!echoed) {
      if ((o.nonceMode ?? 'required') === 'required') throw bad('nonce not echoed (a replayed or cached response)');
      const window = (o.freshnessSeconds ?? 300) * 1000;
      if (producedAt.getTime() < now - window || producedAt.getTime() > now + skew) throw bad('producedAt outside the freshness window');
    }
  }
  if (o.certValidity && (producedAt < o.certValidity.notBefore || producedAt > o.certValidity.notAfter)) {
    throw bad('producedAt outside the certificate validity');
  }
  const mine = responses.map(children).filter((r) => sameCertId(r[0]!, id));
  if (mine.length === 0) throw bad('no answer for the certificate asked about');
  const answers = mine.map((r) => singleAnswer(r, producedAt, now, skew, o.maxAgeSeconds ?? 3600));
  const revoked = answers.find((a) => a.status === 'revoked');
  if (revoked) return revoked;
  if (answers.some((a) => a.status !== answers[0]!.status)) return { ...answers[0]!, status: 'unknown' };
  return answers[0]!;
}

/** The extensions of an [n] EXPLICIT Extensions wrapper; an unknown critical one is refused. */
function extensionsOf(wrapper: Node | null | undefined, known: ReadonlySet<string>): { id: string; value: Buffer }[] {
  if (!wrapper) return [];
  return children(expect(children(wrapper)[0], 0x30, 'extensions')).map((e) => {
    const k = children(expect(e, 0x30, 'extension'));
    const id = oidText(expect(k[0], 0x06, 'extnID'));
    const critical = k.length === 3 && k[1]!.tag === 0x01 && value(k[1]!)[0] !== 0;
    if (critical && !known.has(id)) throw bad(`unhandled critical extension ${id}`);
    return { id, value: Buffer.from(value(expect(k[k.length - 1], 0x04, 'extnValue'))) };
  });
}

function singleAnswer(r: Node[], producedAt: Date, now: number, skew: number, maxAgeSeconds: number): OcspAnswer {
  const thisUpdate = generalizedTime(expect(r[2], 0x18, 'thisUpdate'));
  let nextUpdate: Date | null = null;
  for (const extra of r.slice(3)) {
    if (extra.tag === 0xa0) nextUpdate = generalizedTime(children(extra)[0]!);
    else if (extra.tag === 0xa1) extensionsOf(extra, KNOWN_SINGLE_EXTENSIONS);
  }
  if (thisUpdate.getTime() > now + skew) throw bad('thisUpdate is in the future');
  if (nextUpdate ? nextUpdate.getTime() < now - skew : thisUpdate.getTime() < now - maxAgeSeconds * 1000) throw bad('response is stale');
  const st = r[1]!;
  const base = { thisUpdate, nextUpdate, producedAt };
  if (st.tag === 0x80) return { status: 'good', ...base };
  if (st.tag === 0x82) return { status: 'unknown', ...base };
  if (st.tag === 0xa1) {
    const ri = children(st);
    const revokedAt = generalizedTime(ri[0]!);
    const reasonNode = ri[1]?.tag === 0xa0 ? children(ri[1])[0] : undefined;
    const reason = reasonNode ? REASONS[value(reasonNode)[0] ?? 0] || undefined : undefined;
    return { status: 'revoked', ...base, revokedAt, ...(reason ? { reason } : {}) };
  }
  throw bad('unknown certStatus');
}

function sameCertId(n: Node, id: CertId): boolean {
  const c = children(n);
  if (oidText(children(c[0]!)[0]!) !== OID_SHA1) return false; // we ask with SHA-1; a responder answering otherwise is not matched
  return value(c[1]!).equals(id.issuerNameHash) && value(c[2]!).equals(id.issuerKeyHash) && value(c[3]!).equals(id.serial);
}
