// The CA keys a kiosk accepts for the 券面 applications' CV certificates. Production J-LIS keys always
// (cv-ca-keys.ts); the JPKI test hierarchy's keys only when the deployment sets mynumber.testCards —
// never silently, because a test card is not a person's card; plus keys the configuration adds
// (mynumber.cvCaKeys: a rotated production key, or the synthetic test CA of the demo and the tests).
// A configured key in the test hierarchy (identifier starting '6') is refused without testCards.
import { readFileSync } from 'node:fs';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { checkKeyId, rsaPublicKey, type CvAnchor } from './cv-certificate.ts';
import { JLIS_CV_CA_KEYS } from './cv-ca-keys.ts';

export interface CvCaKeyConfig {
  /** 証明者鍵ID, 32 hex digits (16 bytes). */
  keyId: string;
  /** RSA-2048 modulus, hex. */
  modulus: string;
  /** Public exponent, hex (default 010001). */
  exponent?: string;
}

export interface CvTrustConfig {
  testCards: boolean;
  cvCaKeys: readonly CvCaKeyConfig[];
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** The hierarchy a 証明者鍵ID belongs to: '5…' production, '6…' JPKI test (soltia48/myna-card src/data.rs). */
export const hierarchyOf = (keyId: Buffer): 'production' | 'test' => (keyId[0] === 0x36 ? 'test' : 'production');

/** One configured key, validated (throws CONFIG_INVALID naming the field). */
export function configuredAnchor(k: CvCaKeyConfig, field: string, testCards: boolean): CvAnchor {
  const fail = (msg: string): never => {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${field}: ${msg}`, { field });
  };
  if (typeof k?.keyId !== 'string' || !HEX.test(k.keyId) || k.keyId.length !== 32) fail('keyId must be 32 hex digits (the 16-byte 証明者鍵ID)');
  if (typeof k.modulus !== 'string' || !HEX.test(k.modulus)) fail('modulus must be hex');
  if (k.exponent !== undefined && (typeof k.exponent !== 'string' || !HEX.test(k.exponent))) fail('exponent must be hex');
  const keyId = Buffer.from(k.keyId, 'hex');
  try {
    checkKeyId(keyId, 'keyId');
  } catch {
    fail('keyId must be 7 digits, 08 05, 3 digits and 4 bytes of padding');
  }
  const hierarchy = hierarchyOf(keyId);
  if (hierarchy === 'test' && !testCards) fail('a test-hierarchy key (identifier 6…) needs mynumber.testCards: true');
  let key: ReturnType<typeof rsaPublicKey>;
  try {
    key = rsaPublicKey(Buffer.from(k.modulus, 'hex'), Buffer.from(k.exponent ?? '010001', 'hex'), 'key');
  } catch (e) {
    return fail(`not a usable RSA-2048 public key (${(e as Error).message})`);
  }
  return { keyId, key, hierarchy, origin: `config ${field}` };
}

/** Built-in J-LIS keys (test hierarchy only with testCards) followed by the configured ones. */
export function cvAnchors(c: CvTrustConfig | undefined): CvAnchor[] {
  const testCards = c?.testCards ?? false;
  const builtIn = JLIS_CV_CA_KEYS.filter((k) => k.hierarchy === 'production' || testCards).map((k) => ({
    keyId: Buffer.from(k.keyIdHex, 'hex'),
    key: rsaPublicKey(Buffer.from(k.modulusHex, 'hex'), Buffer.from(k.exponentHex, 'hex'), `J-LIS key ${k.keyIdHex}`),
    hierarchy: k.hierarchy,
    origin: `J-LIS ${k.hierarchy} key (${k.application})`,
  }));
  return [...builtIn, ...(c?.cvCaKeys ?? []).map((k, i) => configuredAnchor(k, `mynumber.cvCaKeys[${i}]`, testCards))];
}

/**
 * CV CA keys from a JSON file — one { keyId, modulus, exponent? } or { cvCaKeys: [...] } (what
 * `idkiosk sim mynumber --cv-ca-out` writes) — for the read CLI's --cv-ca. Validated like the config.
 */
export function loadCvCaKeyFile(path: string): CvCaKeyConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `cannot read CV CA key file ${path}: ${(e as Error).message}`);
  }
  const list = Array.isArray((json as { cvCaKeys?: unknown })?.cvCaKeys) ? (json as { cvCaKeys: unknown[] }).cvCaKeys : [json];
  return list.map((k) => {
    const o = (k ?? {}) as Record<string, unknown>;
    return { keyId: String(o.keyId ?? ''), modulus: String(o.modulus ?? ''), ...(o.exponent !== undefined ? { exponent: String(o.exponent) } : {}) };
  });
}
