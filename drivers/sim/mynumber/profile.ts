// A virtual My Number card's personalisation as a JSON file (`idkiosk sim pki` writes it, `idkiosk sim
// mynumber --profile` loads it). It holds test-only synthetic keys and a synthetic PIN; never real data.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import type { MyNumberPki } from '../pki.ts';
import type { JpkiApSpec } from './jpki-ap.ts';

export const PROFILE_FORMAT = 'idkiosk/sim-mynumber-profile@1';

interface KeyBlock {
  certPem: string;
  caCertPem: string;
  keyPem: string;
  triesLeft?: number;
}

export interface MyNumberProfile {
  format: typeof PROFILE_FORMAT;
  /** Always true: a reminder to anyone who opens the file. */
  synthetic: true;
  auth: KeyBlock & { pin: string };
  sign?: KeyBlock & { password: string };
  /** The anchor a kiosk should be configured with (differs from auth.caCertPem for an unknown-CA card). */
  trustedAuthCaPem: string;
}

export function profileFromPki(pki: MyNumberPki, secrets: { pin: string; triesLeft?: number; signPassword?: string }): MyNumberProfile {
  const p: MyNumberProfile = {
    format: PROFILE_FORMAT,
    synthetic: true,
    auth: {
      certPem: pki.authCert.pem,
      caCertPem: pki.authCa.pem,
      keyPem: pki.authCert.privateKeyPem,
      pin: secrets.pin,
      triesLeft: secrets.triesLeft,
    },
    trustedAuthCaPem: pki.trustedAuthCa.pem,
  };
  if (pki.signCert && pki.signCa && secrets.signPassword) {
    p.sign = { certPem: pki.signCert.pem, caCertPem: pki.signCa.pem, keyPem: pki.signCert.privateKeyPem, password: secrets.signPassword };
  }
  return p;
}

const bad = (what: string) => new KioskError(ErrorCodes.CONFIG_INVALID, `My Number card profile: ${what}`);

function certDer(pem: unknown, field: string): Buffer {
  if (typeof pem !== 'string') throw bad(`${field} missing`);
  try {
    return new X509Certificate(pem).raw;
  } catch {
    throw bad(`${field} is not a PEM certificate`);
  }
}

function key(pem: unknown, field: string) {
  if (typeof pem !== 'string') throw bad(`${field} missing`);
  try {
    return createPrivateKey(pem);
  } catch {
    throw bad(`${field} is not a PEM private key`);
  }
}

/** Validate a parsed profile and turn it into the card's JPKI-AP spec. Errors never echo the PIN. */
export function specFromProfile(json: unknown): JpkiApSpec {
  const p = json as Partial<MyNumberProfile> | null;
  if (!p || typeof p !== 'object' || p.format !== PROFILE_FORMAT) throw bad(`format is not ${PROFILE_FORMAT}`);
  const a = p.auth;
  if (!a || typeof a !== 'object') throw bad('auth block missing');
  if (typeof a.pin !== 'string' || !/^[0-9]{4}$/.test(a.pin)) throw bad('auth.pin must be 4 digits');
  const spec: JpkiApSpec = {
    auth: {
      cert: certDer(a.certPem, 'auth.certPem'),
      caCert: certDer(a.caCertPem, 'auth.caCertPem'),
      privateKey: key(a.keyPem, 'auth.keyPem'),
      pin: a.pin,
      triesLeft: a.triesLeft,
    },
  };
  const s = p.sign;
  if (s) {
    if (typeof s.password !== 'string' || !/^[A-Z0-9]{6,16}$/.test(s.password)) throw bad('sign.password must be 6-16 of A-Z 0-9');
    spec.sign = {
      cert: certDer(s.certPem, 'sign.certPem'),
      caCert: certDer(s.caCertPem, 'sign.caCertPem'),
      privateKey: key(s.keyPem, 'sign.keyPem'),
      password: s.password,
      triesLeft: s.triesLeft,
    };
  }
  return spec;
}
