// `provision enroll`: a PKCS#10 CSR for the operator's fleet CA, signed by the device key (P-256 / ES256),
// and the installation of the certificate that comes back — only if it certifies this device's key (and,
// given the fleet CA, was issued by it). node-forge builds the ASN.1 (its CSR API is RSA-only);
// node:crypto signs.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import forge from 'node-forge';
import { DeviceKey, writeFileAtomic } from '../daemon/device/device-key.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';
import { layout, loadValidConfig, writeConfig } from './config-file.ts';
import { markStep } from './state.ts';

const { asn1 } = forge;
const T = asn1.Type;
const C = asn1.Class;
const OID = { cn: '2.5.4.3', o: '2.5.4.10', ou: '2.5.4.11', ecdsaSha256: '1.2.840.10045.4.3.2', extensionRequest: '1.2.840.113549.1.9.14', san: '2.5.29.17' };

const bin = (b: Buffer) => b.toString('binary');
const oid = (o: string) => asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(o).getBytes());

function rdn(type: string, value: string): forge.asn1.Asn1 {
  return asn1.create(C.UNIVERSAL, T.SET, true, [
    asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [oid(type), asn1.create(C.UNIVERSAL, T.UTF8, false, forge.util.encodeUtf8(value))]),
  ]);
}

/** DER PKCS#10: subject O=operator, OU=site, CN=kiosk id; SAN URI urn:idkiosk:<operator>:<kiosk>. */
export function buildCsr(key: DeviceKey, subject: { kioskId: string; site: string | null; operator: string | null }): Buffer {
  const name = asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [
    ...(subject.operator ? [rdn(OID.o, subject.operator)] : []),
    ...(subject.site ? [rdn(OID.ou, subject.site)] : []),
    rdn(OID.cn, subject.kioskId),
  ]);
  const spki = asn1.fromDer(forge.util.createBuffer(bin(key.spkiDer())));
  const uri = `urn:idkiosk:${subject.operator ?? '-'}:${subject.kioskId}`;
  const san = asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [asn1.create(C.CONTEXT_SPECIFIC, 6, false, uri)]);
  const extensions = asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [
    asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [oid(OID.san), asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, asn1.toDer(san).getBytes())]),
  ]);
  const attributes = asn1.create(C.CONTEXT_SPECIFIC, 0, true, [
    asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [oid(OID.extensionRequest), asn1.create(C.UNIVERSAL, T.SET, true, [extensions])]),
  ]);
  const info = asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [asn1.create(C.UNIVERSAL, T.INTEGER, false, '\x00'), name, spki, attributes]);
  const infoDer = Buffer.from(asn1.toDer(info).getBytes(), 'binary');
  const sig = key.signDer(infoDer);
  const csr = asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [
    info,
    asn1.create(C.UNIVERSAL, T.SEQUENCE, true, [oid(OID.ecdsaSha256)]),
    asn1.create(C.UNIVERSAL, T.BITSTRING, false, '\x00' + bin(sig)),
  ]);
  return Buffer.from(asn1.toDer(csr).getBytes(), 'binary');
}

export function toPem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

export function enrollCsr(configFile: string): { csrFile: string; pem: string; keyFingerprint: string } {
  const { config } = loadValidConfig(configFile);
  if (!config.device.keyFile) throw new KioskError(ErrorCodes.CONFIG_INVALID, 'device.keyFile is not set: run provision init first');
  const key = DeviceKey.load(config.device.keyFile);
  const paths = layout(configFile);
  const pem = toPem(buildCsr(key, { kioskId: config.kioskId, site: config.site, operator: config.operator }), 'CERTIFICATE REQUEST');
  writeFileAtomic(paths.deviceCsr, pem, 0o640);
  markStep(paths.state, 'enroll-csr', key.fingerprint);
  return { csrFile: paths.deviceCsr, pem, keyFingerprint: key.fingerprint };
}

export interface InstallResult {
  certFile: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notAfter: string;
  unchanged: boolean;
}

export function enrollInstall(configFile: string, certFile: string, caFile?: string, now = new Date()): InstallResult {
  const { raw, config } = loadValidConfig(configFile);
  if (!config.device.keyFile) throw new KioskError(ErrorCodes.CONFIG_INVALID, 'device.keyFile is not set: run provision init first');
  const key = DeviceKey.load(config.device.keyFile);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certFile));
  } catch (e) {
    throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `${certFile}: not a certificate (${(e as Error).message})`);
  }
  const certSpki = cert.publicKey.export({ type: 'spki', format: 'der' });
  if (!certSpki.equals(key.spkiDer())) {
    throw new KioskError(ErrorCodes.TRUST_CHAIN_INVALID, `${certFile} certifies another key, not this device's (${key.fingerprint.slice(0, 16)}…): was it issued for this kiosk's CSR?`);
  }
  if (new Date(cert.validTo) < now) throw new KioskError(ErrorCodes.TRUST_CERT_EXPIRED, `${certFile} expired on ${cert.validTo}`);
  if (new Date(cert.validFrom) > now) throw new KioskError(ErrorCodes.TRUST_CERT_NOT_YET_VALID, `${certFile} is valid only from ${cert.validFrom} (is the clock right?)`);
  const paths = layout(configFile);
  if (caFile) {
    const ca = new X509Certificate(readFileSync(caFile));
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new KioskError(ErrorCodes.TRUST_CHAIN_INVALID, `${certFile} was not issued by the fleet CA in ${caFile}`);
    writeFileAtomic(paths.fleetCa, ca.toString(), 0o640);
  }
  const pem = cert.toString();
  const unchanged = existsSync(paths.deviceCert) && readFileSync(paths.deviceCert, 'utf8') === pem;
  if (!unchanged) writeFileAtomic(paths.deviceCert, pem, 0o640);
  raw.device = { ...(raw.device ?? {}), certFile: paths.deviceCert };
  writeConfig(configFile, raw);
  markStep(paths.state, 'enroll', cert.serialNumber);
  return { certFile: paths.deviceCert, subject: cert.subject.replace(/\n/g, ', '), issuer: cert.issuer.replace(/\n/g, ', '), serialNumber: cert.serialNumber, notAfter: new Date(cert.validTo).toISOString(), unchanged };
}
