// `provision enroll`: a PKCS#10 CSR for the operator's fleet CA, signed by the device key (P-256 / ES256),
// and the installation of the certificate that comes back — only if it certifies this device's key (and,
// given the fleet CA, was issued by it). The project's DER builder (core/der-build.ts) lays the request out;
// the device key signs.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { algorithmIdentifier, assemble, certificationRequestInfo, dn, extension, pem, seq, tlv } from '../core/der-build.ts';
import { DeviceKey, writeFileAtomic } from '../daemon/device/device-key.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';
import { validateChain } from '../daemon/trust/chain.ts';
import { fleetDeviceProfile } from '../daemon/trust/chain-profiles.ts';
import { TrustStore } from '../daemon/trust/trust-store.ts';
import { layout, loadValidConfig, writeConfig } from './config-file.ts';
import { markStep } from './state.ts';

/** DER PKCS#10: subject O=operator, OU=site, CN=kiosk id; SAN URI urn:idkiosk:<operator>:<kiosk>. */
export function buildCsr(key: DeviceKey, subject: { kioskId: string; site: string | null; operator: string | null }): Buffer {
  const name = dn([
    ...(subject.operator ? [{ type: 'O' as const, value: subject.operator }] : []),
    ...(subject.site ? [{ type: 'OU' as const, value: subject.site }] : []),
    { type: 'CN', value: subject.kioskId },
  ]);
  const uri = `urn:idkiosk:${subject.operator ?? '-'}:${subject.kioskId}`;
  const san = seq(tlv(0x86, Buffer.from(uri, 'utf8')));
  const info = certificationRequestInfo(name, key.spkiDer(), [extension('2.5.29.17', san)]);
  return assemble(info, algorithmIdentifier({ key: key.publicKey, digest: 'sha256' }), key.signDer(info));
}

export const toPem = pem;

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
    throw new KioskError(
      ErrorCodes.TRUST_CHAIN_INVALID,
      `${certFile} certifies another key, not this device's (${key.fingerprint.slice(0, 16)}…): was it issued for this kiosk's CSR?`,
    );
  }
  if (new Date(cert.validTo) < now) throw new KioskError(ErrorCodes.TRUST_CERT_EXPIRED, `${certFile} expired on ${cert.validTo}`);
  if (new Date(cert.validFrom) > now)
    throw new KioskError(ErrorCodes.TRUST_CERT_NOT_YET_VALID, `${certFile} is valid only from ${cert.validFrom} (is the clock right?)`);
  const paths = layout(configFile);
  if (caFile) {
    const ca = new X509Certificate(readFileSync(caFile));
    const path = validateChain(cert, new TrustStore([ca]), fleetDeviceProfile(now));
    if (!path.valid) throw new KioskError(path.code, `${certFile} was not issued by the fleet CA in ${caFile} (${path.message})`);
    writeFileAtomic(paths.fleetCa, ca.toString(), 0o640);
  }
  const pem = cert.toString();
  const unchanged = existsSync(paths.deviceCert) && readFileSync(paths.deviceCert, 'utf8') === pem;
  if (!unchanged) writeFileAtomic(paths.deviceCert, pem, 0o640);
  raw.device = { ...(raw.device ?? {}), certFile: paths.deviceCert };
  writeConfig(configFile, raw);
  markStep(paths.state, 'enroll', cert.serialNumber);
  return {
    certFile: paths.deviceCert,
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    serialNumber: cert.serialNumber,
    notAfter: new Date(cert.validTo).toISOString(),
    unchanged,
  };
}
