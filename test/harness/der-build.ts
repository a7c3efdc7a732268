// DER building blocks for test fixtures and the CRL benchmark generator: certificates and CRLs signed
// with node:crypto, with every field overridable so tests can craft each malformation class.
import { createSign, sign as oneShotSign, constants, type KeyObject, createHash } from 'node:crypto';

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
export const oid = (hex: string) => tlv(0x06, Buffer.from(hex, 'hex'));
export const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const nul = () => Buffer.from([0x05, 0x00]);
export const bitString = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b);
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));

/** DER INTEGER of a non-negative number or of raw content bytes (used as given). */
export function int(v: bigint | number | Buffer): Buffer {
  if (Buffer.isBuffer(v)) return tlv(0x02, v);
  let hex = BigInt(v).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = Buffer.from(hex, 'hex');
  if (b[0]! >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
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
export const genTime = (d: Date) => tlv(0x18, Buffer.from(d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z')));

export function name(cn: string, o = 'idkiosk test'): Buffer {
  return seq(set(seq(oid('550403'), utf8(cn))), set(seq(oid('55040a'), utf8(o))));
}

export function extension(oidHex: string, value: Buffer, critical = false): Buffer {
  return seq(oid(oidHex), ...(critical ? [bool(true)] : []), octets(value));
}

export type Digest = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const RSA_ALG: Record<Digest, string> = { sha1: '2a864886f70d010105', sha256: '2a864886f70d01010b', sha384: '2a864886f70d01010c', sha512: '2a864886f70d01010d' };
const EC_ALG: Record<Digest, string> = { sha1: '2a8648ce3d0401', sha256: '2a8648ce3d040302', sha384: '2a8648ce3d040303', sha512: '2a8648ce3d040304' };
const HASH_OID: Record<Digest, string> = { sha1: '2b0e03021a', sha256: '608648016503040201', sha384: '608648016503040202', sha512: '608648016503040203' };

export interface Signer {
  key: KeyObject;
  digest: Digest;
  pss?: boolean;
  saltLength?: number;
}

export function algorithmIdentifier(s: Signer): Buffer {
  const type = s.key.asymmetricKeyType;
  if (type === 'ec') return seq(oid(EC_ALG[s.digest]));
  if (s.pss) {
    const h = seq(oid(HASH_OID[s.digest]), nul());
    return seq(
      oid('2a864886f70d01010a'),
      seq(ctx(0, h), ctx(1, seq(oid('2a864886f70d010108'), h)), ctx(2, int(s.saltLength ?? 32))),
    );
  }
  return seq(oid(RSA_ALG[s.digest]), nul());
}

export function signBytes(s: Signer, data: Buffer): Buffer {
  if (s.key.asymmetricKeyType === 'ec') return oneShotSign(s.digest, data, { key: s.key, dsaEncoding: 'der' });
  if (s.pss) return oneShotSign(s.digest, data, { key: s.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: s.saltLength ?? 32 });
  return oneShotSign(s.digest, data, s.key);
}

/** Wrap a TBS (certificate or CRL) with algorithm and signature. */
export function signed(tbs: Buffer, s: Signer, alg = algorithmIdentifier(s)): Buffer {
  return seq(tbs, alg, bitString(signBytes(s, tbs)));
}

export function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}
export function keyIdOf(pub: KeyObject): Buffer {
  return createHash('sha1').update(spkiOf(pub)).digest();
}

export interface CertSpec {
  subject: Buffer;
  issuer: Buffer;
  publicKey: KeyObject;
  signer: Signer;
  serial: bigint | Buffer;
  ca?: boolean;
  /** keyUsage bits content (first byte after unused-bits byte); default certSign+cRLSign for CAs */
  keyUsage?: number;
  ski?: Buffer;
  aki?: Buffer;
  /** DER of a DistributionPointName for a cRLDistributionPoints extension */
  cdpName?: Buffer;
  notBefore?: Date;
  notAfter?: Date;
}

export function buildCert(c: CertSpec): Buffer {
  const exts: Buffer[] = [];
  if (c.ca !== undefined) exts.push(extension('551d13', seq(...(c.ca ? [bool(true)] : [])), true));
  const ku = c.keyUsage ?? (c.ca ? 0x06 : undefined);
  if (ku !== undefined) exts.push(extension('551d0f', bitString(Buffer.from([ku]), 1), true));
  if (c.ski) exts.push(extension('551d0e', octets(c.ski)));
  if (c.aki) exts.push(extension('551d23', seq(tlv(0x80, c.aki))));
  if (c.cdpName) exts.push(extension('551d1f', seq(seq(ctx(0, c.cdpName)))));
  const tbs = seq(
    ctx(0, int(2)),
    int(c.serial),
    algorithmIdentifier(c.signer),
    c.issuer,
    seq(time(c.notBefore ?? new Date('2024-01-01T00:00:00Z')), time(c.notAfter ?? new Date('2040-01-01T00:00:00Z'))),
    c.subject,
    spkiOf(c.publicKey),
    ...(exts.length ? [ctx(3, seq(...exts))] : []),
  );
  return signed(tbs, c.signer);
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
