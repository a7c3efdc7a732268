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
import * as z from 'zod';
import { block, bool, object, oneOf, parseWith, text } from '../../config/schema-kit.ts';
import { configuredAnchor } from './cv-anchors.ts';
import type { MyNumberPermission } from './text-ap.ts';

export const MYNUMBER_MODES = ['auth', 'info', 'sign', 'face'] as const;
export type MyNumberMode = (typeof MYNUMBER_MODES)[number];

/** The document each mode runs (the id its results carry; mynumber-mode.ts picks the handler). */
export const MYNUMBER_DOCUMENT_BY_MODE: Readonly<Record<MyNumberMode, string>> = {
  auth: 'mynumber-jpki-auth',
  info: 'mynumber-info',
  sign: 'mynumber-sign',
  face: 'mynumber-face',
};

const BASIS_HINT = 'must be the recorded legal basis (text) or null';
const KEY_HINT = 'must be { keyId, modulus, exponent? }';

export const myNumberSchema = block({
  mode: oneOf(MYNUMBER_MODES).default('auth'),
  myNumberAllowed: bool().default(false),
  legalBasis: z
    .string({ error: BASIS_HINT })
    .refine((s) => s.trim().length >= 4, { error: BASIS_HINT })
    .nullable()
    .default(null),
  testCards: bool().default(false),
  cvCaKeys: z
    .array(object({ keyId: text(), modulus: text(), exponent: text().optional() }, KEY_HINT), { error: `must be a list of ${KEY_HINT.slice(8)}` })
    .default(() => []),
}).superRefine((c, ctx) => {
  // The 個人番号 is never touched without the deployment's recorded legal ground (番号法), and a ground
  // is never recorded for a kiosk that does not touch it.
  if (c.myNumberAllowed && c.legalBasis === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['myNumberAllowed'],
      message: 'true requires mynumber.legalBasis (the recorded legal basis for handling the My Number)',
    });
  }
  if (!c.myNumberAllowed && c.legalBasis !== null)
    ctx.addIssue({ code: 'custom', path: ['legalBasis'], message: 'is only meaningful with myNumberAllowed: true' });
  // Each key is checked now, not at the first card (throws CONFIG_INVALID naming the key).
  for (const [i, k] of c.cvCaKeys.entries()) configuredAnchor(k, `mynumber.cvCaKeys[${i}]`, c.testCards);
});

export type MyNumberConfig = z.output<typeof myNumberSchema>;

export const DEFAULT_MYNUMBER_CONFIG: MyNumberConfig = myNumberSchema.parse(undefined);

/** The `mynumber` block alone (the read CLI, tests); the daemon parses it as part of the whole file. */
export function parseMyNumberConfig(raw: unknown): MyNumberConfig {
  return parseWith(myNumberSchema, raw, ['mynumber']);
}

/** The permission object the protocol code demands before it touches the My Number; null when not allowed. */
export function myNumberPermission(c: MyNumberConfig | undefined): MyNumberPermission | null {
  return c?.myNumberAllowed && c.legalBasis ? { legalBasis: c.legalBasis } : null;
}
