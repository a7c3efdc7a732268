// The collector's configuration file (written by `fleet init`, edited by the operator). Unknown keys and
// bad values are refused with the field named, like the kiosk's own configuration (the same schema kit).
import { readFileSync } from 'node:fs';
import type * as z from 'zod';
import { block, int, object, parseWith, text } from '../daemon/config/schema-kit.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';

const limit = (min: number, max: number, dflt: number) => int(min, max).default(dflt);

export const fleetConfigSchema = object({
  /** PostgreSQL connection string; a password belongs in PGPASSWORD or ~/.pgpass, not here. */
  database: text(),
  listen: object({ host: text(), port: int(0, 65535) }),
  /** Prometheus /metrics over plain HTTP (loopback by default: the scraper sits beside the collector). */
  metricsListen: object({ host: text(), port: int(0, 65535) })
    .nullable()
    .default(null),
  tls: object({
    certFile: text(),
    keyFile: text(),
    /**
     * 48 random bytes every instance shares (mode 0600): the keys of TLS session tickets, so a kiosk
     * resumes its TLS session on whichever instance the load balancer picks instead of a full handshake.
     * Each instance reloads the file when it changes (rotation: write a new one, rename it into place).
     * null: each instance makes its own keys (resumption only on the instance that issued the ticket).
     */
    ticketKeyFile: text().nullable().default(null),
  }),
  ca: object({ certFile: text(), keyFile: text().nullable() }),
  /** Where each instance writes the CRL it enforces on TLS (also served at GET /v1/crl). */
  crlFile: text(),
  limits: block({
    bodyBytes: limit(1024, 64 << 20, 1 << 20),
    headersTimeoutMs: limit(100, 600_000, 10_000),
    requestTimeoutMs: limit(100, 600_000, 30_000),
    /**
     * A kept-alive connection with no request is closed after this long. Above the kiosk's own idle
     * timeout (90 s), which is above its 60 s heartbeat interval: a kiosk keeps one TLS connection across
     * beats, and it is always the kiosk that closes an idle one (no race with a beat on a closing socket).
     */
    idleTimeoutMs: limit(100, 3_600_000, 120_000),
    /** Requests per kiosk per minute, per instance (token bucket, burst = the same number). */
    perKioskPerMinute: limit(1, 1_000_000, 60),
    maxRecordsPerBatch: limit(1, 100_000, 1000),
  }),
  silentAfterSeconds: int(10, 86_400 * 30).default(300),
  retentionMonths: int(1, 1200).default(84),
  certDays: int(1, 3650).default(825),
  crlDays: int(1, 365).default(7),
});

export type FleetConfig = z.output<typeof fleetConfigSchema>;

export const DEFAULT_LIMITS: FleetConfig['limits'] = fleetConfigSchema.shape.limits.parse(undefined);

export function parseFleetConfig(raw: unknown): FleetConfig {
  return parseWith(fleetConfigSchema, raw, [], 'fleet config');
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
