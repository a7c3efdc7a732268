// The daemon's configuration file (JSON): one schema (zod) composed of each block's schema, from which
// KioskConfig is inferred. A bad value fails with CONFIG_INVALID naming the field by its path.
import { readFileSync } from 'node:fs';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { myNumberSchema } from '../documents/mynumber/mynumber-config.ts';
import { auditSchema, deviceSchema, fleetSchema, healthSchema, identitySchema } from '../device/operations-config.ts';
import { keypadSchema, printerSchema, receiptSchema } from './peripherals-config.ts';
import { apiSchema } from '../api/api-config.ts';
import { documentIds, policyKeys, resolvePolicies } from '../policy/policy-config.ts';
import { passportSchema } from '../documents/passport/passport-config.ts';
import { screenBindHost } from '../server/bind-address.ts';
import type * as z from 'zod';
import { block, fileList, int, object, oneOf, parseWith, text } from './schema-kit.ts';

export const TRUST_PURPOSES = ['jpkiAuth', 'jpkiSign', 'residence', 'csca', 'license'] as const;
export type TrustPurpose = (typeof TRUST_PURPOSES)[number];

const ocspSchema = object({
  url: text(/^https?:\/\/[^\s]+$/),
  timeoutMs: int(100, 30_000).default(2000),
  retryAfterMs: int(0, 3_600_000).default(60_000),
  /**
   * 'required' (default): a response must echo the request's nonce, so a captured answer cannot be replayed.
   * 'freshness': for responders that never echo nonces, a response without the echo is accepted only when its
   * producedAt lies within `freshnessSeconds` of now.
   */
  nonce: oneOf(['required', 'freshness']).default('required'),
  freshnessSeconds: int(10, 3600).default(300),
});
export type OcspConfig = z.output<typeof ocspSchema>;

const nullableText = () => text().nullable().default(null);
const timeout = (max: number, dflt: number) => int(1000, max).default(dflt);
const paths = () => fileList().default(() => []);

export const configSchema = object(
  {
    kioskId: text(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).default('kiosk-unprovisioned'),
    /** tokenFile: the per-boot WebSocket token written by systemd (root-owned; see systemd/idkiosk.service). */
    server: block({
      host: text()
        .default('127.0.0.1')
        .transform((h) => screenBindHost(h)),
      port: int(0, 65535).default(8080),
      tokenFile: nullableText(),
    }),
    /** cardTimeoutMs: a card that does not answer one APDU within this time ends the session (READER_TIMEOUT). */
    reader: block({
      backend: oneOf(['pcsc', 'simulated', null]).default(null),
      name: nullableText(),
      extendedApdu: oneOf(['auto', 'never', 'always']).default('auto'),
      cardTimeoutMs: int(1_000, 120_000).default(10_000),
    }),
    /** Enabled documents in detection order (ids from daemon/documents/registry.ts). */
    documents: documentIds.default(() => ['mynumber-jpki-auth', 'license', 'residence', 'passport']),
    /** Trust-anchor files per purpose. */
    trust: block({ jpkiAuth: paths(), jpkiSign: paths(), residence: paths(), csca: paths(), license: paths() }),
    /** ocsp: online status first (daemon/trust/ocsp/), the CRL store as the offline fallback; null = CRL store only. */
    revocation: block({
      crlDb: nullableText(),
      graceSeconds: int(0, 30 * 86400).default(0),
      ocsp: ocspSchema.nullable().default(null),
    }),
    timeouts: block({
      entryMs: timeout(600_000, 30_000),
      /** How long before the entry timeout the screen warns and offers more time (0: no warning). */
      entryWarnMs: int(0, 600_000).default(10_000),
      resultMs: timeout(600_000, 10_000),
      cardLeftMs: timeout(600_000, 20_000),
      requestMs: timeout(3_600_000, 120_000),
    }),
    /** マイナンバーカード mode and My Number policy (daemon/documents/mynumber/mynumber-config.ts). */
    mynumber: myNumberSchema,
    /** Fleet identity, device key, audit trail, health endpoint, heartbeat (daemon/device/operations-config.ts). */
    site: identitySchema,
    operator: identitySchema,
    device: deviceSchema,
    audit: auditSchema,
    health: healthSchema,
    fleet: fleetSchema,
    /** PIN pad, receipt printer and receipts (daemon/config/peripherals-config.ts). */
    keypad: keypadSchema,
    printer: printerSchema,
    receipt: receiptSchema,
    /** Integration API for the business application (daemon/api/api-config.ts). */
    api: apiSchema,
    /** Verification policies (built-ins + config `policies`) and `walkUpPolicy` (daemon/policy/policy-config.ts). */
    ...policyKeys,
    /** Passport master-list signers and CSCA-country exceptions (daemon/documents/passport/passport-config.ts). */
    passport: passportSchema,
  },
  'must be an object (the configuration file holds one JSON object)',
).transform(({ policies, walkUpPolicy, ...rest }, ctx) => ({ ...rest, policy: resolvePolicies({ policies, walkUpPolicy }, ctx) }));

export type KioskConfig = z.output<typeof configSchema>;

export function parseConfig(raw: unknown): KioskConfig {
  return parseWith(configSchema, raw);
}

export function loadConfig(file: string | undefined): KioskConfig {
  if (!file) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw);
}
