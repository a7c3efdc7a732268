// DER builders for what the fleet CA issues: the CA's own certificate, device (TLS client) and collector
// (TLS server) certificates, and the CRL — RFC 5280 structures with ecdsa-with-SHA256. node-forge builds
// the ASN.1 (its certificate API is RSA-only); the signature comes from a CaSigner, so the private key can
// live in a file or behind PKCS#11 without this module knowing.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

const { asn1 } = forge;
const T = asn1.Type;
const C = asn1.Class;
type Node = forge.asn1.Asn1;

const OID = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  cn: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  san: '2.5.29.17',
  ski: '2.5.29.14',
  aki: '2.5.29.35',
  crlNumber: '2.5.29.20',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

/** Signs DER bytes with the CA key: ECDSA P-256 over SHA-256, DER-encoded signature (X.509 convention). */
export interface CaSigner {
  /** The CA certificate (PEM); absent only while the CA certificate itself is being made. */
  readonly certificatePem: string | null;
  readonly publicKey: KeyObject;
  signDer(tbs: Buffer): Promise<Buffer>;
}

const bin = (b: Buffer) => b.toString('binary');
// decodeBitStrings off: a BIT STRING holding a DER signature must stay bytes, not become parsed ASN.1.
// (@types/node-forge knows only the older boolean argument; forge takes this options object.)
const fromDerOptions = asn1.fromDer as unknown as (b: forge.util.ByteStringBuffer, o: { decodeBitStrings: boolean }) => Node;
const fromDer = (b: Buffer): Node => fromDerOptions(forge.util.createBuffer(bin(b)), { decodeBitStrings: false });
const toDer = (n: Node): Buffer => Buffer.from(asn1.toDer(n).getBytes(), 'binary');
const seq = (items: Node[]) => asn1.create(C.UNIVERSAL, T.SEQUENCE, true, items);
const oid = (o: string) => asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(o).getBytes());
const int = (b: Buffer) => asn1.create(C.UNIVERSAL, T.INTEGER, false, bin(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b));
const octets = (b: Buffer) => asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, bin(b));
const bool = (v: boolean) => asn1.create(C.UNIVERSAL, T.BOOLEAN, false, v ? '\xff' : '\x00');
const bits = (b: Buffer, unused = 0) => asn1.create(C.UNIVERSAL, T.BITSTRING, false, String.fromCharCode(unused) + bin(b));
const sigAlg = () => seq([oid(OID.ecdsaSha256)]);

function time(d: Date): Node {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return d.getUTCFullYear() < 2050
    ? asn1.create(C.UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(C.UNIVERSAL, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
}

function ext(id: string, critical: boolean, value: Node): Node {
  return seq([oid(id), ...(critical ? [bool(true)] : []), octets(toDer(value))]);
}

export function nameDer(cn: string): Buffer {
  return toDer(seq([asn1.create(C.UNIVERSAL, T.SET, true, [seq([oid(OID.cn), asn1.create(C.UNIVERSAL, T.UTF8, false, forge.util.encodeUtf8(cn))])])]));
}

const keyId = (spki: Buffer) => createHash('sha1').update(spkiKeyBits(spki)).digest();

function spkiKeyBits(spki: Buffer): Buffer {
  const node = fromDer(spki);
  const bitString = (node.value as Node[])[1]!;
  return Buffer.from((bitString.value as string).slice(1), 'binary');
}

/** keyUsage bits, RFC 5280 §4.2.1.3 (digitalSignature = 0, keyCertSign = 5, cRLSign = 6). */
function keyUsage(bitsSet: number[]): Node {
  let v = 0;
  for (const b of bitsSet) v |= 0x80 >> b;
  const last = Math.max(...bitsSet);
  return bits(Buffer.from([v]), 7 - last);
}

export interface CertificateSpec {
  serial: Buffer;
  issuerName: Buffer;
  subjectName: Buffer;
  spki: Buffer;
  issuerSpki: Buffer;
  notBefore: Date;
  notAfter: Date;
  role: 'ca' | 'client' | 'server';
  /** SubjectAltName GeneralNames, already encoded (client: copied from the CSR; server: DNS/IP). */
  sanDer?: Buffer | null;
}

export async function issueCertificate(spec: CertificateSpec, signer: CaSigner): Promise<string> {
  const exts: Node[] = [];
  if (spec.role === 'ca') {
    exts.push(ext(OID.basicConstraints, true, seq([bool(true), asn1.create(C.UNIVERSAL, T.INTEGER, false, '\x00')])));
    exts.push(ext(OID.keyUsage, true, keyUsage([5, 6])));
  } else {
    exts.push(ext(OID.basicConstraints, true, seq([])));
    exts.push(ext(OID.keyUsage, true, keyUsage([0])));
    exts.push(ext(OID.extKeyUsage, false, seq([oid(spec.role === 'client' ? OID.clientAuth : OID.serverAuth)])));
  }
  if (spec.sanDer) exts.push(seq([oid(OID.san), octets(spec.sanDer)]));
  exts.push(ext(OID.ski, false, octets(keyId(spec.spki))));
  exts.push(ext(OID.aki, false, seq([asn1.create(C.CONTEXT_SPECIFIC, 0, false, bin(keyId(spec.issuerSpki)))])));
  const tbs = seq([
    asn1.create(C.CONTEXT_SPECIFIC, 0, true, [asn1.create(C.UNIVERSAL, T.INTEGER, false, '\x02')]),
    int(spec.serial),
    sigAlg(),
    fromDer(spec.issuerName),
    seq([time(spec.notBefore), time(spec.notAfter)]),
    fromDer(spec.subjectName),
    fromDer(spec.spki),
    asn1.create(C.CONTEXT_SPECIFIC, 3, true, [seq(exts)]),
  ]);
  const tbsDer = toDer(tbs);
  const sig = await signer.signDer(tbsDer);
  const der = toDer(seq([tbs, sigAlg(), bits(sig)]));
  return pem(der, 'CERTIFICATE');
}

export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
}

/** A v2 CRL with a CRL number (RFC 5280 §5); nextUpdate tells relying parties when to fetch again. */
export async function issueCrl(o: { issuerName: Buffer; issuerSpki: Buffer; thisUpdate: Date; nextUpdate: Date; number: bigint; revoked: RevokedEntry[] }, signer: CaSigner): Promise<string> {
  const hex = o.number.toString(16);
  const numberBytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  const tbs = seq([
    asn1.create(C.UNIVERSAL, T.INTEGER, false, '\x01'),
    sigAlg(),
    fromDer(o.issuerName),
    time(o.thisUpdate),
    time(o.nextUpdate),
    ...(o.revoked.length ? [seq(o.revoked.map((r) => seq([int(Buffer.from(r.serialHex, 'hex')), time(r.revokedAt)])))] : []),
    asn1.create(C.CONTEXT_SPECIFIC, 0, true, [
      seq([
        ext(OID.aki, false, seq([asn1.create(C.CONTEXT_SPECIFIC, 0, false, bin(keyId(o.issuerSpki)))])),
        ext(OID.crlNumber, false, int(numberBytes)),
      ]),
    ]),
  ]);
  const sig = await signer.signDer(toDer(tbs));
  return pem(toDer(seq([tbs, sigAlg(), bits(sig)])), 'X509 CRL');
}

export function pem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

export function pemToDer(text: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  if (!m) throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `no ${label} PEM block`);
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

/** The DER subject Name of a certificate (copied verbatim as the issuer of what it signs). */
export function subjectNameDer(cert: X509Certificate): Buffer {
  const tbs = (fromDer(cert.raw).value as Node[])[0]!;
  const fields = tbs.value as Node[];
  // [0] version, serial, sigAlg, issuer, validity, subject
  return toDer(fields[5]!);
}

export { fromDer, toDer };
