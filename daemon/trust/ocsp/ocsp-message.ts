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
//
// Messages are read and written with the project's ASN.1 stack (@peculiar/asn1-ocsp schemas over asn1js)
// under DER rules (asn1.ts: definite minimal lengths, no trailing bytes); the signature is checked over the
// tbsResponseData bytes as received, embedded certificates are kept as received, and times must be in the
// GeneralizedTime UTC form RFC 5280 §4.1.2.5.2 prescribes.
import { createHash, verify as verifySig, X509Certificate, type KeyObject } from 'node:crypto';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  OCSPRequest,
  OCSPResponse,
  Request,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  TBSRequest,
} from '@peculiar/asn1-ocsp';
import { AsnArray, AsnConvert, AsnPropTypes, AsnProp, AsnType, AsnTypeTypes, OctetString, type IAsnConverter } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension } from '@peculiar/asn1-x509';
import type * as asn1js from 'asn1js';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { parseAsn1, type Asn1Options } from '../../encoding/asn1.ts';
import { certFields } from '../cert-fields.ts';
import { validateChain } from '../chain.ts';
import { ocspResponderProfile } from '../chain-profiles.ts';
import { TrustStore } from '../trust-store.ts';

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

const OCSP: Asn1Options = { code: ErrorCodes.OCSP_BAD_RESPONSE, what: 'OCSP', der: true };
const bad = (msg: string) => new KioskError(OCSP.code, `OCSP: ${msg}`);

// ---- schemas: asn1-ocsp's, with times in their strict UTC form and responder certificates as received ----

/** GeneralizedTime YYYYMMDDHHMMSS[.f]Z → Date; any other form (local time, offsets, no seconds) is refused. */
const UtcGeneralizedTime: IAsnConverter<Date, asn1js.GeneralizedTime> = {
  fromASN(value) {
    const s = Buffer.from(value.valueBlock.valueHexView).toString('latin1');
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
    if (!m) throw bad('GeneralizedTime not in UTC form');
    const [, y, mo, d, h, mi, sec] = m.map(Number);
    if (y === undefined || mo === undefined) throw bad('GeneralizedTime not in UTC form');
    return new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  },
  toASN: () => {
    throw new Error('not written');
  },
};
const time = (o: { context?: number; optional?: boolean } = {}) => AsnProp({ type: AsnPropTypes.GeneralizedTime, converter: UtcGeneralizedTime, ...o });

class KioskRevokedInfo extends RevokedInfo {}
time()(KioskRevokedInfo.prototype, 'revocationTime');

class KioskCertStatus extends CertStatus {}
AsnType({ type: AsnTypeTypes.Choice })(KioskCertStatus);
AsnProp({ type: KioskRevokedInfo, context: 1, implicit: true })(KioskCertStatus.prototype, 'revoked');

class KioskSingleResponse extends SingleResponse {}
AsnProp({ type: KioskCertStatus })(KioskSingleResponse.prototype, 'certStatus');
time()(KioskSingleResponse.prototype, 'thisUpdate');
time({ context: 0, optional: true })(KioskSingleResponse.prototype, 'nextUpdate');

class KioskResponseData extends ResponseData {}
time()(KioskResponseData.prototype, 'producedAt');
AsnProp({ type: KioskSingleResponse, repeated: 'sequence' })(KioskResponseData.prototype, 'responses');

/** SEQUENCE OF ANY: each certificate's DER as received. */
class AnySequence extends AsnArray<ArrayBuffer> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Any })(AnySequence);

class KioskBasicOCSPResponse extends BasicOCSPResponse {}
AsnProp({ type: KioskResponseData, raw: true })(KioskBasicOCSPResponse.prototype, 'tbsResponseData');
AsnProp({ type: AnySequence, context: 0, optional: true })(KioskBasicOCSPResponse.prototype, 'certs');

/** responseBytes as their encoding: the status is judged before anything else is read. */
class KioskOCSPResponse extends OCSPResponse {}
AsnProp({ type: AsnPropTypes.Any, context: 0, optional: true })(KioskOCSPResponse.prototype, 'responseBytes');

export interface CertId {
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** serialNumber INTEGER content bytes (as encoded in the certificate) */
  serial: Buffer;
}

export function certIdFor(cert: X509Certificate, issuer: X509Certificate): CertId {
  const sha1 = (b: Uint8Array | ArrayBuffer) => createHash('sha1').update(new Uint8Array(b)).digest();
  // RFC 6960 §4.1.1: the hash of the issuer's DER subject Name and of its subjectPublicKey BIT STRING value.
  const issuerCert = parseAsn1(issuer.raw, Certificate, OCSP);
  return {
    issuerNameHash: sha1(certFields(issuer.raw).subject),
    issuerKeyHash: sha1(issuerCert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
    serial: certFields(cert.raw).serial,
  };
}

export function encodeRequest(id: CertId, nonce: Buffer | null): Buffer {
  const reqCert = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID_SHA1, parameters: null }),
    issuerNameHash: new OctetString(id.issuerNameHash),
    issuerKeyHash: new OctetString(id.issuerKeyHash),
    serialNumber: new Uint8Array(id.serial).buffer,
  });
  const tbsRequest = new TBSRequest({ requestList: [new Request({ reqCert })] });
  if (nonce) tbsRequest.requestExtensions = [new Extension({ extnID: OID_NONCE, extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))) })];
  return Buffer.from(AsnConvert.serialize(new OCSPRequest({ tbsRequest })));
}

/** The structure of an OCSPResponse, nothing judged yet (the fuzz targets drive this). */
export function parseResponse(der: Buffer): { status: number; basic: KioskBasicOCSPResponse | null; responseType: string | null } {
  const top = parseAsn1(der, KioskOCSPResponse, OCSP);
  if (top.responseStatus !== 0) return { status: top.responseStatus, basic: null, responseType: null };
  if (!top.responseBytes) throw bad('expected responseBytes');
  const rb = parseAsn1(new Uint8Array(top.responseBytes as unknown as ArrayBuffer), ResponseBytes, OCSP);
  if (rb.responseType !== OID_BASIC) return { status: 0, basic: null, responseType: rb.responseType };
  return { status: 0, basic: parseAsn1(new Uint8Array(rb.response.buffer), KioskBasicOCSPResponse, OCSP), responseType: OID_BASIC };
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
  const { status, basic } = parseResponse(der);
  if (status !== 0) throw new KioskError(ErrorCodes.OCSP_RESPONDER_ERROR, `OCSP responder status ${status}`, { responseStatus: status });
  if (!basic) throw bad('not a basic OCSP response');
  const tbs = Buffer.from((basic as { tbsResponseDataRaw?: ArrayBuffer }).tbsResponseDataRaw ?? new ArrayBuffer(0));
  if (tbs.length === 0) throw bad('expected tbsResponseData');
  const alg = basic.signatureAlgorithm.algorithm;
  const sigBits = Buffer.from(basic.signature);
  const certs = [...((basic.certs as unknown as AnySequence | undefined) ?? [])].map((c) => new X509Certificate(Buffer.from(c)));
  if (!signerOk(alg, tbs, sigBits, issuer, certs, o.now)) throw bad('signature is not from the CA or an authorised responder');

  const data = basic.tbsResponseData;
  const producedAt = data.producedAt;
  const skew = (o.skewSeconds ?? 300) * 1000;
  const now = o.now.getTime();
  let echoed: Buffer | null = null;
  for (const e of extensionsOf(data.responseExtensions, KNOWN_RESPONSE_EXTENSIONS)) {
    if (e.id !== OID_NONCE) continue;
    // RFC 8954: the extnValue holds an OCTET STRING; some responders put the bare nonce.
    echoed = e.value[0] === 0x04 ? Buffer.from(parseAsn1(e.value, OctetString, OCSP).buffer) : e.value;
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
  const mine = (data.responses as KioskSingleResponse[]).filter((r) => sameCertId(r.certID, id));
  if (mine.length === 0) throw bad('no answer for the certificate asked about');
  const answers = mine.map((r) => singleAnswer(r, producedAt, now, skew, o.maxAgeSeconds ?? 3600));
  const revoked = answers.find((a) => a.status === 'revoked');
  if (revoked) return revoked;
  const [first, ...rest] = answers;
  if (first === undefined) throw bad('no answer for the certificate asked about');
  if (rest.some((a) => a.status !== first.status)) return { ...first, status: 'unknown' };
  return first;
}

/** An Extensions list; an unknown critical one is refused. */
function extensionsOf(list: readonly Extension[] | undefined, known: ReadonlySet<string>): { id: string; value: Buffer }[] {
  return (list ?? []).map((e) => {
    if (e.critical && !known.has(e.extnID)) throw bad(`unhandled critical extension ${e.extnID}`);
    return { id: e.extnID, value: Buffer.from(e.extnValue.buffer) };
  });
}

function singleAnswer(r: KioskSingleResponse, producedAt: Date, now: number, skew: number, maxAgeSeconds: number): OcspAnswer {
  const thisUpdate = r.thisUpdate;
  const nextUpdate = r.nextUpdate ?? null;
  extensionsOf(r.singleExtensions, KNOWN_SINGLE_EXTENSIONS);
  if (thisUpdate.getTime() > now + skew) throw bad('thisUpdate is in the future');
  if (nextUpdate ? nextUpdate.getTime() < now - skew : thisUpdate.getTime() < now - maxAgeSeconds * 1000) throw bad('response is stale');
  const st = r.certStatus;
  const base = { thisUpdate, nextUpdate, producedAt };
  if (st.good !== undefined) return { status: 'good', ...base };
  if (st.unknown !== undefined) return { status: 'unknown', ...base };
  if (st.revoked) {
    const code = st.revoked.revocationReason?.reason;
    const reason = code !== undefined ? REASONS[code] || undefined : undefined;
    return { status: 'revoked', ...base, revokedAt: st.revoked.revocationTime, ...(reason ? { reason } : {}) };
  }
  throw bad('unknown certStatus');
}

function sameCertId(c: CertID, id: CertId): boolean {
  if (c.hashAlgorithm.algorithm !== OID_SHA1) return false; // we ask with SHA-1; a responder answering otherwise is not matched
  return (
    Buffer.from(c.issuerNameHash.buffer).equals(id.issuerNameHash) &&
    Buffer.from(c.issuerKeyHash.buffer).equals(id.issuerKeyHash) &&
    Buffer.from(c.serialNumber).equals(id.serial)
  );
}
