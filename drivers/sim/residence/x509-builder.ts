// A small X.509 v3 certificate writer for the synthetic residence-card PKI: RSA (1st gen) and ECDSA
// P-384 (2nd gen) keys, which node-forge's certificate model cannot hold (it knows RSA only). DER is
// written by hand for the few structures needed; node:crypto signs (sha256WithRSAEncryption or
// ecdsa-with-SHA256) and parses the result back, so a malformed build fails here, not in a test.
import { createHash, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

const len = (n: number): Buffer =>
  n < 0x80 ? Buffer.from([n]) : n <= 0xff ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
export const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...p: Buffer[]) => der(0x30, ...p);
const set = (...p: Buffer[]) => der(0x31, ...p);

function oid(dotted: string): Buffer {
  const n = dotted.split('.').map(Number);
  const out = [40 * n[0]! + n[1]!];
  for (const v of n.slice(2)) {
    const bytes = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) bytes.unshift((x & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return der(0x06, Buffer.from(out));
}

function integer(b: Buffer): Buffer {
  let v = b;
  while (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) v = v.subarray(1);
  return der(0x02, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? der(0x17, Buffer.from(iso.slice(2), 'latin1')) : der(0x18, Buffer.from(iso, 'latin1'));
}

export interface DnPart {
  type: 'C' | 'O' | 'OU' | 'CN';
  value: string;
}
const DN_OID = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' } as const;
const name = (dn: DnPart[]) =>
  seq(...dn.map((a) => set(seq(oid(DN_OID[a.type]), a.type === 'C' ? der(0x13, Buffer.from(a.value, 'latin1')) : der(0x0c, Buffer.from(a.value, 'utf8'))))));

const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));

/** keyUsage BIT STRING for the named bits (0 = digitalSignature … 5 = keyCertSign, 6 = cRLSign). */
function keyUsage(bits: number[]): Buffer {
  let v = 0;
  for (const b of bits) v |= 0x80 >> b;
  const unused = v === 0 ? 0 : Math.min(...bits.map((b) => 7 - b));
  return der(0x03, Buffer.from([unused, v]));
}

export interface CertSpec {
  subject: DnPart[];
  issuer: DnPart[];
  publicKey: KeyObject;
  signer: KeyObject;
  /** Issuer's subject key identifier (for authorityKeyIdentifier); absent on a self-signed CA. */
  issuerKeyId?: Buffer;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
}

export function keyIdOf(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

export function buildCertificate(s: CertSpec): X509Certificate {
  const ec = s.signer.asymmetricKeyType === 'ec';
  const sigAlg = ec ? seq(oid('1.2.840.10045.4.3.2')) : seq(oid('1.2.840.113549.1.1.11'), der(0x05));
  const serial = randomBytes(9);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const exts = [
    s.ca ? ext('2.5.29.19', true, seq(der(0x01, Buffer.from([0xff])))) : null,
    ext('2.5.29.15', true, s.ca ? keyUsage([5, 6]) : keyUsage([0])),
    ext('2.5.29.14', false, der(0x04, keyIdOf(s.publicKey))),
    s.issuerKeyId ? ext('2.5.29.35', false, seq(der(0x80, s.issuerKeyId))) : null,
  ].filter((x): x is Buffer => x !== null);
  const tbs = seq(
    der(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    sigAlg,
    name(s.issuer),
    seq(time(s.notBefore), time(s.notAfter)),
    name(s.subject),
    s.publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, s.signer);
  return new X509Certificate(seq(tbs, sigAlg, der(0x03, Buffer.concat([Buffer.from([0]), signature]))));
}
