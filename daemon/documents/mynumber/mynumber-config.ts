// Deployment settings for the マイナンバーカード (config block `mynumber`):
//   mode             which My Number check the kiosk runs when the document list says 'mynumber':
//                    'auth' (JPKI user authentication), 'info' (4 basic info), 'sign' (JPKI signature),
//                    'face' (券面AP images)
//   myNumberAllowed  whether the kiosk may ever touch the 個人番号 (text AP EF 0001, 照合番号A). Default
//                    false. true is accepted only together with `legalBasis`, the deployment's recorded
//                    ground under 番号法 (e.g. "番号法第19条第x号 …"), which goes to the audit trail.
//   legalBasis       free text, required with myNumberAllowed, rejected without it.
//   testCards        accept JPKI test-hierarchy CA keys (identifiers 6…) for the 券面 applications' CV
//                    certificates (cv-anchors.ts). Default false: production J-LIS keys only.
//   cvCaKeys         extra CV CA keys [{ keyId: 32 hex, modulus: hex, exponent?: hex }] (a rotated J-LIS
//                    key; the synthetic test CA of `idkiosk sim mynumber --cv-ca-out`, with testCards).
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { configuredAnchor, type CvCaKeyConfig } from './cv-anchors.ts';
import type { MyNumberPermission } from './text-ap.ts';

export const MYNUMBER_MODES = ['auth', 'info', 'sign', 'face'] as const;
export type MyNumberMode = (typeof MYNUMBER_MODES)[number];

export interface MyNumberConfig {
  mode: MyNumberMode;
  myNumberAllowed: boolean;
  legalBasis: string | null;
  testCards: boolean;
  cvCaKeys: CvCaKeyConfig[];
}

export const DEFAULT_MYNUMBER_CONFIG: MyNumberConfig = { mode: 'auth', myNumberAllowed: false, legalBasis: null, testCards: false, cvCaKeys: [] };

const fail = (path: string, msg: string): never => {
  throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${path}: ${msg}`, { field: path });
};

export function parseMyNumberConfig(raw: unknown): MyNumberConfig {
  if (raw === undefined) return { ...DEFAULT_MYNUMBER_CONFIG };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('mynumber', 'must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['mode', 'myNumberAllowed', 'legalBasis', 'testCards', 'cvCaKeys'].includes(k)) fail(`mynumber.${k}`, 'unknown setting (known: mode, myNumberAllowed, legalBasis, testCards, cvCaKeys)');
  const mode = o.mode === undefined ? DEFAULT_MYNUMBER_CONFIG.mode : o.mode;
  if (!MYNUMBER_MODES.includes(mode as MyNumberMode)) fail('mynumber.mode', `must be one of ${MYNUMBER_MODES.join(', ')}`);
  const allowed = o.myNumberAllowed === undefined ? false : o.myNumberAllowed;
  if (typeof allowed !== 'boolean') fail('mynumber.myNumberAllowed', 'must be true or false');
  const basis = o.legalBasis === undefined ? null : o.legalBasis;
  if (basis !== null && (typeof basis !== 'string' || basis.trim().length < 4)) fail('mynumber.legalBasis', 'must be the recorded legal basis (text) or null');
  if (allowed && basis === null) fail('mynumber.myNumberAllowed', 'true requires mynumber.legalBasis (the recorded legal basis for handling the My Number)');
  if (!allowed && basis !== null) fail('mynumber.legalBasis', 'is only meaningful with myNumberAllowed: true');
  const testCards = o.testCards === undefined ? false : o.testCards;
  if (typeof testCards !== 'boolean') fail('mynumber.testCards', 'must be true or false');
  const keys = o.cvCaKeys === undefined ? [] : o.cvCaKeys;
  if (!Array.isArray(keys)) fail('mynumber.cvCaKeys', 'must be a list of { keyId, modulus, exponent? }');
  const cvCaKeys = (keys as unknown[]).map((k, i) => {
    if (typeof k !== 'object' || k === null || Array.isArray(k)) return fail(`mynumber.cvCaKeys[${i}]`, 'must be { keyId, modulus, exponent? }');
    for (const f of Object.keys(k)) if (!['keyId', 'modulus', 'exponent'].includes(f)) fail(`mynumber.cvCaKeys[${i}].${f}`, 'unknown field (known: keyId, modulus, exponent)');
    const key = k as CvCaKeyConfig;
    configuredAnchor(key, `mynumber.cvCaKeys[${i}]`, testCards as boolean); // validates now, not at the first card
    return { keyId: key.keyId, modulus: key.modulus, ...(key.exponent !== undefined ? { exponent: key.exponent } : {}) };
  });
  return { mode: mode as MyNumberMode, myNumberAllowed: allowed as boolean, legalBasis: basis as string | null, testCards: testCards as boolean, cvCaKeys };
}

/** The permission object the protocol code demands before it touches the My Number; null when not allowed. */
export function myNumberPermission(c: MyNumberConfig | undefined): MyNumberPermission | null {
  return c?.myNumberAllowed && c.legalBasis ? { legalBasis: c.legalBasis } : null;
}
