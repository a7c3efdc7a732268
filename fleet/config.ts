// The collector's configuration file (written by `fleet init`, edited by the operator). Unknown keys and
// bad values are refused with the field named, like the kiosk's own configuration.
import { readFileSync } from 'node:fs';
import { ErrorCodes, KioskError } from '../core/errors.ts';

export interface FleetConfig {
  /** PostgreSQL connection string; a password belongs in PGPASSWORD or ~/.pgpass, not here. */
  database: string;
  listen: { host: string; port: number };
  /** Prometheus /metrics over plain HTTP (loopback by default: the scraper sits beside the collector). */
  metricsListen: { host: string; port: number } | null;
  tls: { certFile: string; keyFile: string };
  ca: { certFile: string; keyFile: string | null };
  /** Where each instance writes the CRL it enforces on TLS (also served at GET /v1/crl). */
  crlFile: string;
  limits: {
    bodyBytes: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    idleTimeoutMs: number;
    /** Requests per kiosk per minute, per instance (token bucket, burst = the same number). */
    perKioskPerMinute: number;
    maxRecordsPerBatch: number;
  };
  silentAfterSeconds: number;
  retentionMonths: number;
  certDays: number;
  crlDays: number;
}

export const DEFAULT_LIMITS: FleetConfig['limits'] = {
  bodyBytes: 1 << 20,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 65_000,
  perKioskPerMinute: 60,
  maxRecordsPerBatch: 1000,
};

const KEYS = ['database', 'listen', 'metricsListen', 'tls', 'ca', 'crlFile', 'limits', 'silentAfterSeconds', 'retentionMonths', 'certDays', 'crlDays'];

const bad = (field: string, m: string) => new KioskError(ErrorCodes.CONFIG_INVALID, `fleet config: ${field} ${m}`, { field });

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || !v) throw bad(field, 'must be a non-empty string');
  return v;
}
function num(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(field, `must be an integer in ${min}…${max}`);
  return v;
}
function obj(v: unknown, field: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(field, 'must be an object');
  return v as Record<string, unknown>;
}
const listen = (v: unknown, field: string) => {
  const o = obj(v, field);
  return { host: str(o.host, `${field}.host`), port: num(o.port, `${field}.port`, 0, 65535) };
};

export function parseFleetConfig(raw: unknown): FleetConfig {
  const o = obj(raw, '(root)');
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw bad(k, 'is not a known key');
  const tls = obj(o.tls, 'tls');
  const ca = obj(o.ca, 'ca');
  const l = { ...DEFAULT_LIMITS, ...obj(o.limits ?? {}, 'limits') };
  for (const k of Object.keys(l)) if (!(k in DEFAULT_LIMITS)) throw bad(`limits.${k}`, 'is not a known key');
  return {
    database: str(o.database, 'database'),
    listen: listen(o.listen, 'listen'),
    metricsListen: o.metricsListen === null || o.metricsListen === undefined ? null : listen(o.metricsListen, 'metricsListen'),
    tls: { certFile: str(tls.certFile, 'tls.certFile'), keyFile: str(tls.keyFile, 'tls.keyFile') },
    ca: { certFile: str(ca.certFile, 'ca.certFile'), keyFile: ca.keyFile === null ? null : str(ca.keyFile, 'ca.keyFile') },
    crlFile: str(o.crlFile, 'crlFile'),
    limits: {
      bodyBytes: num(l.bodyBytes, 'limits.bodyBytes', 1024, 64 << 20),
      headersTimeoutMs: num(l.headersTimeoutMs, 'limits.headersTimeoutMs', 100, 600_000),
      requestTimeoutMs: num(l.requestTimeoutMs, 'limits.requestTimeoutMs', 100, 600_000),
      idleTimeoutMs: num(l.idleTimeoutMs, 'limits.idleTimeoutMs', 100, 3_600_000),
      perKioskPerMinute: num(l.perKioskPerMinute, 'limits.perKioskPerMinute', 1, 1_000_000),
      maxRecordsPerBatch: num(l.maxRecordsPerBatch, 'limits.maxRecordsPerBatch', 1, 100_000),
    },
    silentAfterSeconds: num(o.silentAfterSeconds ?? 300, 'silentAfterSeconds', 10, 86_400 * 30),
    retentionMonths: num(o.retentionMonths ?? 84, 'retentionMonths', 1, 1200),
    certDays: num(o.certDays ?? 825, 'certDays', 1, 3650),
    crlDays: num(o.crlDays ?? 7, 'crlDays', 1, 365),
  };
}

export function loadFleetConfig(file: string): FleetConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  try {
    return parseFleetConfig(JSON.parse(text));
  } catch (e) {
    if (e instanceof KioskError) throw e;
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `${file}: not JSON`);
  }
}
