// The one DER builder (X.690) of the project: certificates (RFC 5280 §4), CRLs (§5), PKCS#10 requests and
// the small structures around them, for the fleet CA, the virtual cards' PKIs, test fixtures and the CRL
// benchmark generator. Every field can be overridden, so tests can also craft each malformation class;
// node:crypto does all signing. Reading DER is the ASN.1 stack's job (@peculiar/asn1-*), not this module's.
// Nothing here imports the daemon: the virtual cards and the fleet use it too.
import { at } from './checked.ts';
import { createSign, sign as oneShotSign, constants, type KeyObject, createHash, randomBytes } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}
export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
export const seq = (...c: Buffer[]) => tlv(0x30, ...c);
export const set = (...c: Buffer[]) => tlv(0x31, ...c);
export const ctx = (n: number, ...c: Buffer[]) => tlv(0xa0 | n, ...c);
export const octets = (b: Buffer) => tlv(0x04, b);
/** OBJECT IDENTIFIER contents (X.690 §8.19) of a dotted OID: first two arcs as 40·a+b, base 128. */
export function oidContent(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const out: number[] = [];
  for (const arc of [at(arcs, 0) * 40n + at(arcs, 1), ...arcs.slice(2)]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...groups);
  }
  return Buffer.from(out);
}
/** OBJECT IDENTIFIER from dotted text ('2.5.29.15') or, for crafted tests, its content octets in hex ('551d0f'). */
export const oid = (o: string) => tlv(0x06, o.includes('.') ? oidContent(o) : Buffer.from(o, 'hex'));
export const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const nul = () => Buffer.from([0x05, 0x00]);
export const bitString = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b);
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printable = (s: string) => tlv(0x13, Buffer.from(s, 'latin1'));
export const ia5 = (s: string) => tlv(0x16, Buffer.from(s, 'latin1'));

/** DER INTEGER of a non-negative number or of raw content bytes (used as given). */
export function int(v: bigint | number | Buffer): Buffer {
  if (Buffer.isBuffer(v)) return tlv(0x02, v);
  let hex = BigInt(v).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = Buffer.from(hex, 'hex');
  if (at(b, 0) >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}
/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 rule). */
export function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const rest = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(pad(y % 100) + rest));
  return tlv(0x18, Buffer.from(pad(y, 4) + rest));
}
export const genTime = (d: Date) =>
  tlv(
    0x18,
    Buffer.from(
      d
        .toISOString()
        .replace(/[-:T]/g, '')
        .replace(/\.\d+Z$/, 'Z'),
    ),
  );

export function name(cn: string, o = 'idkiosk test'): Buffer {
  return seq(set(seq(oid('550403'), utf8(cn))), set(seq(oid('55040a'), utf8(o))));
}

const DN_OID = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' } as const;
export type DnType = keyof typeof DN_OID;

/** A Name of single-attribute RDNs in the order given; C as PrintableString (RFC 5280 §A.1), the rest UTF8String. */
export function dn(attributes: ReadonlyArray<{ type: DnType; value: string }>): Buffer {
  return seq(...attributes.map((a) => set(seq(oid(DN_OID[a.type]), a.type === 'C' ? printable(a.value) : utf8(a.value)))));
}

/** keyUsage BIT STRING (RFC 5280 §4.2.1.3) for bit numbers (0 digitalSignature … 5 keyCertSign, 6 cRLSign), minimal DER. */
export function keyUsageBits(bits: number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const bytes = Buffer.alloc((Math.max(...bits) >> 3) + 1);
  for (const b of bits) bytes[b >> 3] = at(bytes, b >> 3) | (0x80 >> (b & 7));
  return bitString(bytes, 7 - (Math.max(...bits) & 7));
}
export function extension(oidHex: string, value: Buffer, critical = false): Buffer {
  return seq(oid(oidHex), ...(critical ? [bool(true)] : []), octets(value));
}

export type Digest = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const RSA_ALG: Record<Digest, string> = {
  sha1: '2a864886f70d010105',
  sha256: '2a864886f70d01010b',
  sha384: '2a864886f70d01010c',
  sha512: '2a864886f70d01010d',
};
const EC_ALG: Record<Digest, string> = { sha1: '2a8648ce3d0401', sha256: '2a8648ce3d040302', sha384: '2a8648ce3d040303', sha512: '2a8648ce3d040304' };
const HASH_OID: Record<Digest, string> = { sha1: '2b0e03021a', sha256: '608648016503040201', sha384: '608648016503040202', sha512: '608648016503040203' };

export interface Signer {
  key: KeyObject;
  digest: Digest;
  pss?: boolean;
  saltLength?: number;
}

export function algorithmIdentifier(s: Signer): Buffer {
  return signatureAlgorithmFor(s.key.asymmetricKeyType === 'ec' ? 'ec' : 'rsa', s.digest, s.pss ? (s.saltLength ?? 32) : null);
}

/** The signature AlgorithmIdentifier for a key kind and digest; RSASSA-PSS (RFC 4055) when a salt length is given. */
export function signatureAlgorithmFor(kind: 'ec' | 'rsa', digest: Digest, pssSaltLength: number | null = null): Buffer {
  if (kind === 'ec') return seq(oid(EC_ALG[digest]));
  if (pssSaltLength !== null) {
    const h = seq(oid(HASH_OID[digest]), nul());
    return seq(oid('2a864886f70d01010a'), seq(ctx(0, h), ctx(1, seq(oid('2a864886f70d010108'), h)), ctx(2, int(pssSaltLength))));
  }
  return seq(oid(RSA_ALG[digest]), nul());
}

export function signBytes(s: Signer, data: Buffer): Buffer {
  if (s.key.asymmetricKeyType === 'ec') return oneShotSign(s.digest, data, { key: s.key, dsaEncoding: 'der' });
  if (s.pss) return oneShotSign(s.digest, data, { key: s.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: s.saltLength ?? 32 });
  return oneShotSign(s.digest, data, s.key);
}

/** A signed structure (certificate, CRL, PKCS#10): the signed part, its algorithm and the signature. */
export const assemble = (tbs: Buffer, alg: Buffer, signature: Buffer): Buffer => seq(tbs, alg, bitString(signature));

/** Wrap a TBS (certificate or CRL) with algorithm and signature. */
export function signed(tbs: Buffer, s: Signer, alg = algorithmIdentifier(s)): Buffer {
  return assemble(tbs, alg, signBytes(s, tbs));
}

export function spkiOf(key: KeyObject | Buffer): Buffer {
  return Buffer.isBuffer(key) ? key : key.export({ type: 'spki', format: 'der' });
}
/** Key identifier, RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
export function keyIdOf(pub: KeyObject | Buffer): Buffer {
  const bits = AsnConvert.parse(spkiOf(pub), SubjectPublicKeyInfo).subjectPublicKey;
  return createHash('sha1').update(Buffer.from(bits)).digest();
}

export function pem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

export interface CertSpec {
  subject: Buffer;
  issuer: Buffer;
  /** the subject's public key, or its SubjectPublicKeyInfo DER */
  publicKey: KeyObject | Buffer;
  /** the issuer's key (for a TBS signed elsewhere, e.g. by an HSM, its public key: it names the algorithm) */
  signer: Signer;
  serial: bigint | Buffer;
  /** basicConstraints (critical): cA TRUE, or present without cA when false; absent when undefined */
  ca?: boolean;
  pathLen?: number;
  /** keyUsage (critical): the content byte (unused bits 1), or bit numbers (minimal encoding); default certSign+cRLSign for CAs */
  keyUsage?: number | number[];
  ski?: Buffer;
  aki?: Buffer;
  /** extKeyUsage KeyPurposeIds (dotted), not critical */
  extKeyUsage?: string[];
  /** certificatePolicies policy OIDs (dotted), not critical */
  policies?: string[];
  /** DER of a DistributionPointName for a cRLDistributionPoints extension */
  cdpName?: Buffer;
  /** further Extension DERs, appended */
  extensions?: Buffer[];
  notBefore?: Date;
  notAfter?: Date;
}

export function tbsCertificate(c: CertSpec): Buffer {
  const exts: Buffer[] = [];
  if (c.ca !== undefined) exts.push(extension('551d13', seq(...(c.ca ? [bool(true)] : []), ...(c.pathLen !== undefined ? [int(c.pathLen)] : [])), true));
  const ku = c.keyUsage ?? (c.ca ? 0x06 : undefined);
  if (ku !== undefined) exts.push(extension('551d0f', Array.isArray(ku) ? keyUsageBits(ku) : bitString(Buffer.from([ku]), 1), true));
  if (c.ski) exts.push(extension('551d0e', octets(c.ski)));
  if (c.aki) exts.push(extension('551d23', seq(tlv(0x80, c.aki))));
  if (c.extKeyUsage) exts.push(extension('551d25', seq(...c.extKeyUsage.map(oid))));
  if (c.policies?.length) exts.push(extension('551d20', seq(...c.policies.map((p) => seq(oid(p))))));
  if (c.cdpName) exts.push(extension('551d1f', seq(seq(ctx(0, c.cdpName)))));
  if (c.extensions) exts.push(...c.extensions);
  return seq(
    ctx(0, int(2)),
    int(c.serial),
    algorithmIdentifier(c.signer),
    c.issuer,
    seq(time(c.notBefore ?? new Date('2024-01-01T00:00:00Z')), time(c.notAfter ?? new Date('2040-01-01T00:00:00Z'))),
    c.subject,
    spkiOf(c.publicKey),
    ...(exts.length ? [ctx(3, seq(...exts))] : []),
  );
}

export function buildCert(c: CertSpec): Buffer {
  return signed(tbsCertificate(c), c.signer);
}

/** A positive serial of `bytes` octets with no leading zero octet (RFC 5280 §4.1.2.2), unpredictable. */
export function randomSerial(bytes = 16): Buffer {
  const b = randomBytes(bytes);
  b[0] = (at(b, 0) & 0x7f) | 0x01;
  return b;
}

/** CertificationRequestInfo (RFC 2986 §4.1) with an extensionRequest attribute (PKCS #9) when extensions are given. */
export function certificationRequestInfo(subject: Buffer, spki: Buffer, extensions: Buffer[] = []): Buffer {
  const attributes = extensions.length ? [seq(oid('1.2.840.113549.1.9.14'), set(seq(...extensions)))] : [];
  return seq(int(0), subject, spki, ctx(0, ...attributes));
}

export interface EntrySpec {
  serial: bigint | Buffer;
  date?: Date;
  reason?: number;
  invalidity?: Date;
  /** extra raw Extension DERs */
  extensions?: Buffer[];
}

export function entry(e: EntrySpec): Buffer {
  const exts: Buffer[] = [];
  if (e.reason !== undefined) exts.push(extension('551d15', tlv(0x0a, Buffer.from([e.reason]))));
  if (e.invalidity) exts.push(extension('551d18', genTime(e.invalidity)));
  if (e.extensions) exts.push(...e.extensions);
  return seq(int(e.serial), time(e.date ?? new Date('2025-01-01T00:00:00Z')), ...(exts.length ? [seq(...exts)] : []));
}

export interface CrlSpec {
  issuer: Buffer;
  signer: Signer;
  thisUpdate: Date;
  nextUpdate?: Date;
  entries?: EntrySpec[];
  /** raw entry DERs appended after `entries` */
  rawEntries?: Buffer[];
  crlNumber?: bigint | number;
  deltaBase?: bigint | number;
  aki?: Buffer;
  /** extra raw Extension DERs in crlExtensions */
  extensions?: Buffer[];
  /** omit the version field (v1 CRL) */
  v1?: boolean;
}

export function buildTbsCertList(c: CrlSpec): Buffer {
  const exts: Buffer[] = [];
  if (c.aki) exts.push(extension('551d23', seq(tlv(0x80, c.aki))));
  if (c.crlNumber !== undefined) exts.push(extension('551d14', int(c.crlNumber)));
  if (c.deltaBase !== undefined) exts.push(extension('551d1b', int(c.deltaBase), true));
  if (c.extensions) exts.push(...c.extensions);
  const entries = [...(c.entries ?? []).map(entry), ...(c.rawEntries ?? [])];
  return seq(
    ...(c.v1 ? [] : [int(1)]),
    algorithmIdentifier(c.signer),
    c.issuer,
    time(c.thisUpdate),
    ...(c.nextUpdate ? [time(c.nextUpdate)] : []),
    ...(entries.length ? [seq(...entries)] : []),
    ...(exts.length ? [ctx(0, seq(...exts))] : []),
  );
}

export function buildCrl(c: CrlSpec): Buffer {
  return signed(buildTbsCertList(c), c.signer);
}

/** Streaming signer for the large-CRL generator. */
export function streamSigner(s: Signer) {
  const h = createSign(s.digest);
  return {
    update: (b: Buffer) => h.update(b),
    sign: () =>
      s.key.asymmetricKeyType === 'ec'
        ? h.sign({ key: s.key, dsaEncoding: 'der' })
        : h.sign(s.pss ? { key: s.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: s.saltLength ?? 32 } : s.key),
  };
}
