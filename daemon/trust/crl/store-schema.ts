// Schema of one generation database, and the metadata row it carries.
//
// One file holds one issuer's CRL: `revoked` is a WITHOUT ROWID table keyed by the serial (the canonical
// DER INTEGER content), so a lookup is a single B-tree descent; the issuer is the file (see store-layout).
import type { Database } from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

export const GENERATION_SCHEMA = `
CREATE TABLE revoked (
  serial     BLOB PRIMARY KEY,
  revoked_at INTEGER NOT NULL,   -- seconds since the epoch
  reason     INTEGER,            -- RFC 5280 CRLReason, NULL when the entry has none
  invalidity INTEGER             -- seconds since the epoch, NULL when absent
) WITHOUT ROWID;
CREATE TABLE crl_meta (
  id                  INTEGER PRIMARY KEY CHECK (id = 1),
  schema_version      INTEGER NOT NULL,
  issuer_id           TEXT NOT NULL,
  issuer_name         BLOB NOT NULL,
  issuer_cert         BLOB NOT NULL,
  crl_number          TEXT,
  this_update         INTEGER NOT NULL,
  next_update         INTEGER NOT NULL,
  sha256              TEXT NOT NULL,
  source              TEXT NOT NULL,
  imported_at         INTEGER NOT NULL,
  signature_algorithm TEXT NOT NULL,
  idp_dp              BLOB,
  idp_only_user       INTEGER NOT NULL DEFAULT 0,
  idp_only_ca         INTEGER NOT NULL DEFAULT 0,
  delta_number        TEXT,
  delta_this_update   INTEGER,
  delta_next_update   INTEGER,
  delta_sha256        TEXT,
  delta_applied_at    INTEGER
);
CREATE TABLE delta_log (
  crl_number TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  source     TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  added      INTEGER NOT NULL,
  removed    INTEGER NOT NULL
);
`;

export interface CrlMetaRow {
  schema_version: number;
  issuer_id: string;
  issuer_name: Buffer;
  issuer_cert: Buffer;
  crl_number: string | null;
  this_update: number;
  next_update: number;
  sha256: string;
  source: string;
  imported_at: number;
  signature_algorithm: string;
  idp_dp: Buffer | null;
  idp_only_user: number;
  idp_only_ca: number;
  delta_number: string | null;
  delta_this_update: number | null;
  delta_next_update: number | null;
  delta_sha256: string | null;
  delta_applied_at: number | null;
}

export function readMeta(db: Database): CrlMetaRow | undefined {
  return db.prepare('SELECT * FROM crl_meta WHERE id = 1').get() as CrlMetaRow | undefined;
}

/** The freshness that applies: the latest delta's when one was applied, else the full CRL's. */
export function effectiveTimes(m: CrlMetaRow): { thisUpdate: number; nextUpdate: number } {
  if (m.delta_number !== null && m.delta_next_update !== null && m.delta_this_update !== null) {
    return { thisUpdate: m.delta_this_update, nextUpdate: m.delta_next_update };
  }
  return { thisUpdate: m.this_update, nextUpdate: m.next_update };
}
