// The daemon's configuration file (JSON), validated field by field with errors a technician can act on.
import { readFileSync } from 'node:fs';
import { ErrorCodes, KioskError } from '../errors.ts';
import { DEFAULT_MYNUMBER_CONFIG, parseMyNumberConfig, type MyNumberConfig } from '../documents/mynumber/mynumber-config.ts';
import * as ops from '../device/operations-config.ts';
import * as periph from './peripherals-config.ts';
import { DEFAULT_API, parseApi, type ApiConfig } from '../api/api-config.ts';
import { DEFAULT_POLICY_CONFIG, parsePolicyConfig, type PolicyConfig } from '../policy/policy-config.ts';
import { DEFAULT_PASSPORT_CONFIG, parsePassportConfig, type PassportConfig } from '../documents/passport/passport-config.ts';
import { screenBindHost } from '../server/bind-address.ts';

export interface OcspConfig {
  url: string;
  timeoutMs: number;
  retryAfterMs: number;
  /**
   * 'required' (default): a response must echo the request's nonce, so a captured answer cannot be replayed.
   * 'freshness': for responders that never echo nonces, a response without the echo is accepted only when its
   * producedAt lies within `freshnessSeconds` of now.
   */
  nonce: 'required' | 'freshness';
  freshnessSeconds: number;
}

export interface KioskConfig {
  kioskId: string;
  /** tokenFile: the per-boot WebSocket token written by systemd (root-owned; see systemd/idkiosk.service). */
  server: { host: string; port: number; tokenFile?: string | null };
  /** cardTimeoutMs: a card that does not answer one APDU within this time ends the session (READER_TIMEOUT). */
  reader: { backend: 'pcsc' | 'simulated' | null; name: string | null; extendedApdu: 'auto' | 'never' | 'always'; cardTimeoutMs: number };
  /** Enabled documents in detection order (ids from daemon/documents/registry.ts). */
  documents: string[];
  /** Trust-anchor files per purpose: jpkiAuth, jpkiSign, residence, csca, license. */
  trust: Record<TrustPurpose, string[]>;
  /** ocsp: online status first (daemon/trust/ocsp/), the CRL store as the offline fallback; null = CRL store only. */
  revocation: { crlDb: string | null; graceSeconds: number; ocsp?: OcspConfig | null };
  /** entryWarnMs: how long before the entry timeout the screen warns and offers more time (0: no warning). */
  timeouts: { entryMs: number; entryWarnMs: number; resultMs: number; cardLeftMs: number; requestMs: number };
  /** マイナンバーカード mode and My Number policy (daemon/documents/mynumber/mynumber-config.ts). */
  mynumber: MyNumberConfig;
  /** Fleet identity, device key, audit trail, health endpoint, heartbeat (daemon/device/operations-config.ts). */
  site: string | null;
  operator: string | null;
  device: ops.DeviceConfig;
  audit: ops.AuditConfig;
  health: ops.HealthConfig;
  fleet: ops.FleetConfig;
  /** PIN pad, receipt printer and receipts (daemon/config/peripherals-config.ts). */
  keypad: periph.KeypadSettings;
  printer: periph.PrinterSettings;
  receipt: periph.ReceiptSettings;
  /** Integration API for the business application (daemon/api/api-config.ts). */
  api: ApiConfig;
  /** Verification policies (built-ins + config `policies`) and `walkUpPolicy` (daemon/policy/policy-config.ts). */
  policy: PolicyConfig;
  /** Passport master-list signers and CSCA-country exceptions (daemon/documents/passport/passport-config.ts). */
  passport: PassportConfig;
}

export const TRUST_PURPOSES = ['jpkiAuth', 'jpkiSign', 'residence', 'csca', 'license'] as const;
export type TrustPurpose = (typeof TRUST_PURPOSES)[number];

export const DEFAULT_CONFIG: KioskConfig = {
  kioskId: 'kiosk-unprovisioned',
  server: { host: '127.0.0.1', port: 8080 },
  reader: { backend: null, name: null, extendedApdu: 'auto', cardTimeoutMs: 10_000 },
  documents: ['mynumber-jpki-auth', 'license', 'residence', 'passport'],
  trust: { jpkiAuth: [], jpkiSign: [], residence: [], csca: [], license: [] },
  revocation: { crlDb: null, graceSeconds: 0 },
  timeouts: { entryMs: 30_000, entryWarnMs: 10_000, resultMs: 10_000, cardLeftMs: 20_000, requestMs: 120_000 },
  mynumber: DEFAULT_MYNUMBER_CONFIG,
  site: null,
  operator: null,
  device: ops.DEFAULT_DEVICE,
  audit: ops.DEFAULT_AUDIT,
  health: ops.DEFAULT_HEALTH,
  fleet: ops.DEFAULT_FLEET,
  keypad: periph.DEFAULT_KEYPAD,
  printer: periph.DEFAULT_PRINTER,
  receipt: periph.DEFAULT_RECEIPT,
  api: DEFAULT_API,
  policy: DEFAULT_POLICY_CONFIG,
  passport: DEFAULT_PASSPORT_CONFIG,
};

type Obj = Record<string, unknown>;

function fail(path: string, msg: string): never {
  throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${path}: ${msg}`, { field: path });
}

function obj(v: unknown, path: string): Obj {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
  return v as Obj;
}

function known(o: Obj, path: string, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${path}.${k}`, `unknown setting (known: ${keys.join(', ')})`);
}

function str(v: unknown, path: string, dflt: string, pattern?: RegExp): string {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !v) fail(path, 'must be a non-empty string');
  if (pattern && !pattern.test(v)) fail(path, `must match ${pattern}`);
  return v;
}

function int(v: unknown, path: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `must be an integer from ${min} to ${max}`);
  return v;
}

function oneOf<T extends string | null>(v: unknown, path: string, dflt: T, values: readonly T[]): T {
  if (v === undefined) return dflt;
  if (!values.includes(v as T)) fail(path, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
  return v as T;
}

function paths(v: unknown, path: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x)) fail(path, 'must be a list of file paths');
  return v as string[];
}

function names(v: unknown, path: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || !/^[a-z0-9-]+$/.test(x))) {
    fail(path, 'must be a non-empty list of document ids');
  }
  return v as string[];
}

export function parseConfig(raw: unknown): KioskConfig {
  const root = obj(raw, '(root)');
  known(root, '(root)', ['kioskId', 'server', 'reader', 'documents', 'trust', 'revocation', 'timeouts', 'mynumber', 'site', 'operator', 'device', 'audit', 'health', 'fleet', 'keypad', 'printer', 'receipt', 'api', 'policies', 'walkUpPolicy', 'passport']);
  const server = obj(root.server, 'server');
  known(server, 'server', ['host', 'port', 'tokenFile']);
  const reader = obj(root.reader, 'reader');
  known(reader, 'reader', ['backend', 'name', 'extendedApdu', 'cardTimeoutMs']);
  const trust = obj(root.trust, 'trust');
  known(trust, 'trust', [...TRUST_PURPOSES]);
  const rev = obj(root.revocation, 'revocation');
  known(rev, 'revocation', ['crlDb', 'graceSeconds', 'ocsp']);
  const ocsp = rev.ocsp === undefined || rev.ocsp === null ? null : obj(rev.ocsp, 'revocation.ocsp');
  if (ocsp) known(ocsp, 'revocation.ocsp', ['url', 'timeoutMs', 'retryAfterMs', 'nonce', 'freshnessSeconds']);
  const to = obj(root.timeouts, 'timeouts');
  known(to, 'timeouts', ['entryMs', 'entryWarnMs', 'resultMs', 'cardLeftMs', 'requestMs']);
  const d = DEFAULT_CONFIG;
  return {
    kioskId: str(root.kioskId, 'kioskId', d.kioskId, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    server: {
      host: screenBindHost(str(server.host, 'server.host', d.server.host)),
      port: int(server.port, 'server.port', d.server.port, 0, 65535),
      tokenFile: server.tokenFile === undefined || server.tokenFile === null ? null : str(server.tokenFile, 'server.tokenFile', ''),
    },
    reader: {
      backend: oneOf(reader.backend, 'reader.backend', d.reader.backend, ['pcsc', 'simulated', null]),
      name: reader.name === undefined || reader.name === null ? null : str(reader.name, 'reader.name', ''),
      extendedApdu: oneOf(reader.extendedApdu, 'reader.extendedApdu', d.reader.extendedApdu, ['auto', 'never', 'always']),
      cardTimeoutMs: int(reader.cardTimeoutMs, 'reader.cardTimeoutMs', d.reader.cardTimeoutMs, 1_000, 120_000),
    },
    documents: root.documents === undefined ? [...d.documents] : names(root.documents, 'documents'),
    trust: Object.fromEntries(TRUST_PURPOSES.map((p) => [p, paths(trust[p], `trust.${p}`)])) as KioskConfig['trust'],
    revocation: {
      crlDb: rev.crlDb === undefined || rev.crlDb === null ? null : str(rev.crlDb, 'revocation.crlDb', ''),
      graceSeconds: int(rev.graceSeconds, 'revocation.graceSeconds', d.revocation.graceSeconds, 0, 30 * 86400),
      ...(ocsp
        ? {
            ocsp: {
              url: str(ocsp.url, 'revocation.ocsp.url', '', /^https?:\/\/[^\s]+$/),
              timeoutMs: int(ocsp.timeoutMs, 'revocation.ocsp.timeoutMs', 2000, 100, 30_000),
              retryAfterMs: int(ocsp.retryAfterMs, 'revocation.ocsp.retryAfterMs', 60_000, 0, 3_600_000),
              nonce: oneOf(ocsp.nonce, 'revocation.ocsp.nonce', 'required', ['required', 'freshness'] as const),
              freshnessSeconds: int(ocsp.freshnessSeconds, 'revocation.ocsp.freshnessSeconds', 300, 10, 3600),
            },
          }
        : {}),
    },
    timeouts: {
      entryMs: int(to.entryMs, 'timeouts.entryMs', d.timeouts.entryMs, 1000, 600_000),
      entryWarnMs: int(to.entryWarnMs, 'timeouts.entryWarnMs', d.timeouts.entryWarnMs, 0, 600_000),
      resultMs: int(to.resultMs, 'timeouts.resultMs', d.timeouts.resultMs, 1000, 600_000),
      cardLeftMs: int(to.cardLeftMs, 'timeouts.cardLeftMs', d.timeouts.cardLeftMs, 1000, 600_000),
      requestMs: int(to.requestMs, 'timeouts.requestMs', d.timeouts.requestMs, 1000, 3_600_000),
    },
    mynumber: parseMyNumberConfig(root.mynumber),
    site: ops.parseIdentity(root.site, 'site'),
    operator: ops.parseIdentity(root.operator, 'operator'),
    device: ops.parseDevice(root.device),
    audit: ops.parseAudit(root.audit),
    health: ops.parseHealth(root.health),
    fleet: ops.parseFleet(root.fleet),
    keypad: periph.parseKeypad(root.keypad),
    printer: periph.parsePrinter(root.printer),
    receipt: periph.parseReceipt(root.receipt),
    api: parseApi(root.api),
    policy: parsePolicyConfig(root.policies, root.walkUpPolicy),
    passport: parsePassportConfig(root.passport),
  };
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
