// The parts of a DER certificate (RFC 5280 §4.1) path validation needs and node:crypto's X509Certificate
// does not expose as bytes: the issuer and subject Names (for §7.1 comparison, not their formatted text),
// both signature AlgorithmIdentifiers (which must agree, §4.1.1.2), and the policy qualifier OIDs of a
// certificatePolicies extension. Malformed input throws KioskError TRUST_CERT_MALFORMED only.
import { AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, CertificatePolicies } from '@peculiar/asn1-x509';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { decodeAsn1, parseAsn1, type Asn1Options } from '../encoding/asn1.ts';

// DER down to the AlgorithmIdentifiers' fields (Certificate → tbsCertificate → signature → algorithm), the
// parts read here; what lies deeper is judged by node:crypto (key, signature) and x509-extensions.ts.
const CERT: Asn1Options = { code: ErrorCodes.TRUST_CERT_MALFORMED, what: 'certificate', der: 3 };

// The head of a Certificate as a schema whose Names stay as encoded (RFC 5280 §4.1; the fields after
// subject are not read here, and a SEQUENCE's further elements are left to node:crypto and x509-extensions).
class TbsHead {
  version?: ArrayBuffer;
  serialNumber = new ArrayBuffer(0);
  signature = new AlgorithmIdentifier();
  issuer = new ArrayBuffer(0);
  validity = new ArrayBuffer(0);
  subject = new ArrayBuffer(0);
}
AsnProp({ type: AsnPropTypes.Any, context: 0, optional: true })(TbsHead.prototype, 'version');
AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })(TbsHead.prototype, 'serialNumber');
AsnProp({ type: AlgorithmIdentifier, raw: true })(TbsHead.prototype, 'signature');
AsnProp({ type: AsnPropTypes.Any })(TbsHead.prototype, 'issuer');
AsnProp({ type: AsnPropTypes.Any })(TbsHead.prototype, 'validity');
AsnProp({ type: AsnPropTypes.Any })(TbsHead.prototype, 'subject');

class CertificateHead {
  tbsCertificate = new TbsHead();
  signatureAlgorithm = new AlgorithmIdentifier();
}
AsnProp({ type: TbsHead })(CertificateHead.prototype, 'tbsCertificate');
AsnProp({ type: AlgorithmIdentifier, raw: true })(CertificateHead.prototype, 'signatureAlgorithm');

export interface AlgorithmId {
  oid: string;
  /** DER of the whole AlgorithmIdentifier (to compare the inner and outer copies) */
  der: Buffer;
  /** DER of the parameters, when present */
  params: Buffer | null;
}

export interface CertFields {
  /** content octets of the serialNumber INTEGER */
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  /** signatureAlgorithm after the tbsCertificate */
  signatureAlgorithm: AlgorithmId;
  /** signature field inside the tbsCertificate */
  tbsSignatureAlgorithm: AlgorithmId;
}

function guarded<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof KioskError && e.code === ErrorCodes.TRUST_CERT_MALFORMED) throw e;
    throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `${what}: ${e instanceof Error ? e.message : 'malformed'}`);
  }
}

type WithRaw<K extends string> = { [P in `${K}Raw`]?: Uint8Array };

/** An AlgorithmIdentifier: its OID, its parameters as encoded, and the whole as encoded. */
function algorithmId(alg: AlgorithmIdentifier, raw: Uint8Array | undefined, what: string): AlgorithmId {
  if (!raw) throw new KioskError(CERT.code, `${what}: not read`);
  // AlgorithmIdentifier ::= SEQUENCE { algorithm, parameters OPTIONAL }: nothing after the parameters.
  // The parameters as encoded, NULL included (the schema maps NULL to null).
  const parts = (decodeAsn1(raw, { ...CERT, what }) as { valueBlock: { value: { valueBeforeDecodeView: Uint8Array }[] } }).valueBlock.value;
  if (parts.length > 2) throw new KioskError(CERT.code, `${what}: elements after the parameters`);
  return { oid: alg.algorithm, der: Buffer.from(raw), params: parts[1] ? Buffer.from(parts[1].valueBeforeDecodeView) : null };
}

export function certFields(der: Buffer): CertFields {
  return guarded('certificate', () => {
    const c = parseAsn1(der, CertificateHead, CERT);
    const tbs = c.tbsCertificate;
    return {
      serial: Buffer.from(tbs.serialNumber),
      issuer: Buffer.from(tbs.issuer),
      subject: Buffer.from(tbs.subject),
      signatureAlgorithm: algorithmId(c.signatureAlgorithm, (c as WithRaw<'signatureAlgorithm'>).signatureAlgorithmRaw, 'signatureAlgorithm'),
      tbsSignatureAlgorithm: algorithmId(tbs.signature, (tbs as WithRaw<'signature'>).signatureRaw, 'signature'),
    };
  });
}

/** Every policyQualifierId in a certificatePolicies extension value (RFC 5280 §4.2.1.4). */
export function policyQualifierIds(extnValue: Buffer): string[] {
  return guarded('certificatePolicies', () =>
    parseAsn1(extnValue, CertificatePolicies, { ...CERT, what: 'certificatePolicies', der: true }).flatMap((pi) =>
      (pi.policyQualifiers ?? []).map((q) => q.policyQualifierId),
    ),
  );
}
