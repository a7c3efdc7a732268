// The fleet CA's acts: make its own certificate, the collector's TLS certificate, a device certificate
// from an approved CSR, and the CRL. Each takes a CaSigner, so the same code runs with a key file or an HSM.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { seq, tlv } from '../../core/der-build.ts';
import type { ParsedCsr } from './csr.ts';
import { issueCertificate, issueCrl, nameDer, type CaSigner, type RevokedEntry } from './x509.ts';

const DAY = 86_400_000;
/** Positive 127-bit serials (RFC 5280 §4.1.2.2: at most 20 octets, unpredictable). */
export const newSerial = () => {
  const b = randomBytes(16);
  b[0] = (b.readUInt8(0) & 0x7f) | 0x01;
  return b;
};

const spkiOf = (signer: CaSigner) => signer.publicKey.export({ type: 'spki', format: 'der' });

export async function makeCaCertificate(signer: CaSigner, name: string, now: Date, years = 20): Promise<string> {
  const subject = nameDer(name);
  return issueCertificate(
    {
      serial: newSerial(),
      issuerName: subject,
      subjectName: subject,
      spki: spkiOf(signer),
      issuerSpki: spkiOf(signer),
      notBefore: new Date(now.getTime() - 3_600_000),
      notAfter: new Date(now.getTime() + years * 365 * DAY),
      role: 'ca',
    },
    signer,
  );
}

function caCert(signer: CaSigner): X509Certificate {
  if (!signer.certificatePem) throw new Error('the CA signer has no certificate');
  return new X509Certificate(signer.certificatePem);
}

/** GeneralNames for the collector: dNSName [2] or iPAddress [7] per host name. */
function serverSan(hosts: string[]): Buffer {
  return seq(...hosts.map((h) => (isIP(h) === 4 ? tlv(0x87, Buffer.from(h.split('.').map(Number))) : tlv(0x82, Buffer.from(h, 'latin1')))));
}

/** The DER subject Name of the CA certificate (the issuer of what it signs). */
function subjectNameDer(cert: X509Certificate): Buffer {
  return Buffer.from(AsnConvert.serialize(AsnConvert.parse(cert.raw, Certificate).tbsCertificate.subject));
}

export async function makeServerCertificate(signer: CaSigner, hosts: string[], now: Date, days: number): Promise<{ certPem: string; keyPem: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ca = caCert(signer);
  const certPem = await issueCertificate(
    {
      serial: newSerial(),
      issuerName: subjectNameDer(ca),
      subjectName: nameDer(hosts[0] ?? 'idkiosk-fleet'),
      spki: publicKey.export({ type: 'spki', format: 'der' }),
      issuerSpki: spkiOf(signer),
      notBefore: new Date(now.getTime() - 3_600_000),
      notAfter: new Date(now.getTime() + days * DAY),
      role: 'server',
      sanDer: serverSan(hosts),
    },
    signer,
  );
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** The device certificate: the CSR's subject, key and SAN, as a TLS client certificate. */
export async function makeDeviceCertificate(signer: CaSigner, csr: ParsedCsr, now: Date, days: number): Promise<{ certPem: string; serialHex: string }> {
  const ca = caCert(signer);
  const serial = newSerial();
  const certPem = await issueCertificate(
    {
      serial,
      issuerName: subjectNameDer(ca),
      subjectName: csr.subjectName,
      spki: csr.spki,
      issuerSpki: spkiOf(signer),
      notBefore: new Date(now.getTime() - 3_600_000),
      notAfter: new Date(now.getTime() + days * DAY),
      role: 'client',
      sanDer: csr.sanDer,
    },
    signer,
  );
  return { certPem, serialHex: new X509Certificate(certPem).serialNumber.toUpperCase() };
}

export async function makeCrl(signer: CaSigner, revoked: RevokedEntry[], number: bigint, now: Date, days: number): Promise<string> {
  return issueCrl(
    {
      issuerName: subjectNameDer(caCert(signer)),
      issuerSpki: spkiOf(signer),
      thisUpdate: new Date(now.getTime() - 60_000),
      nextUpdate: new Date(now.getTime() + days * DAY),
      number,
      revoked,
    },
    signer,
  );
}
