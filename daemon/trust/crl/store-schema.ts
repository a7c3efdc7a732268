// Schema of one generation database, and the metadata row it carries.
//
// One file holds one issuer's CRL (the issuer is the file, see store-layout). Schema 2: the revoked serials
// are hashed blocks (`serial_blocks`, see serial-blocks.ts) written once by the full import, and
// `delta_revoked`, an overlay a lookup consults first (an entry there either revokes the serial or,
// `removed` = 1, takes it off the list). Schema 3 (a delta generation, 2026-12): a small file with only the
// overlay, the metadata and the delta log, on top of the schema 2 generation `base_generation` names, which
// stays untouched — a delta no longer copies the whole store. It has no `serial_blocks` table, so code that
// predates it fails to read it (closed) instead of answering from an empty block table. Schema 1 (before
// 2026-12) kept one row per serial in `revoked`; such generations stay readable, and a delta on top of one
// rebuilds it as schema 2.
import type { Database } from 'better-sqlite3';

export const SCHEMA_VERSION = 2;
/** a delta generation: overlay only, on top of a schema 2 base generation */
export const DELTA_SCHEMA_VERSION = 3;

/** the tables of a delta generation (schema 3); a full generation has these and `serial_blocks` */
export const DELTA_GENERATION_SCHEMA = `
CREATE TABLE delta_revoked (
  serial     BLOB PRIMARY KEY,     -- canonical DER INTEGER content
  revoked_at INTEGER,              -- seconds since the epoch (NULL when removed)
  reason     INTEGER,              -- RFC 5280 CRLReason, NULL when the entry has none
  invalidity INTEGER,              -- seconds since the epoch, NULL when absent
  removed    INTEGER NOT NULL      -- 1: removeFromCRL took the serial off the list
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
  fingerprint         TEXT NOT NULL,
  source              TEXT NOT NULL,
  imported_at         INTEGER NOT NULL,
  signature_algorithm TEXT NOT NULL,
  idp_dp              BLOB,
  idp_only_user       INTEGER NOT NULL DEFAULT 0,
  idp_only_ca         INTEGER NOT NULL DEFAULT 0,
  delta_number        TEXT,
  delta_this_update   INTEGER,
  delta_next_update   INTEGER,
  delta_fingerprint   TEXT,
  delta_applied_at    INTEGER,
  block_bits          INTEGER NOT NULL,
  hash_seed           INTEGER NOT NULL,
  revoked_count       INTEGER NOT NULL,
  overlay_count       INTEGER NOT NULL DEFAULT 0,
  base_generation     TEXT                   -- schema 3: the full generation underneath (NULL otherwise)
);
CREATE TABLE delta_log (
  crl_number  TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  source      TEXT NOT NULL,
  applied_at  INTEGER NOT NULL,
  added       INTEGER NOT NULL,
  removed     INTEGER NOT NULL
);
`;

export const GENERATION_SCHEMA = `
CREATE TABLE serial_blocks (
  id   INTEGER PRIMARY KEY,        -- top block_bits bits of the serial hash
  data BLOB NOT NULL
);
${DELTA_GENERATION_SCHEMA}`;

export interface CrlMetaRow {
  schema_version: number;
  issuer_id: string;
  issuer_name: Buffer;
  issuer_cert: Buffer;
  crl_number: string | null;
  this_update: number;
  next_update: number;
  /** schema 2: fingerprint of the CRL (crl-reader.ts); schema 1: `file-sha256:` + SHA-256 of the file */
  fingerprint: string;
  source: string;
  imported_at: number;
  signature_algorithm: string;
  idp_dp: Buffer | null;
  idp_only_user: number;
  idp_only_ca: number;
  delta_number: string | null;
  delta_this_update: number | null;
  delta_next_update: number | null;
  delta_fingerprint: string | null;
  delta_applied_at: number | null;
  /** schema 2 only (schema 1: 0) */
  block_bits: number;
  hash_seed: number;
  revoked_count: number;
  overlay_count: number;
  /** schema 3: file name of the full generation underneath (null otherwise) */
  base_generation: string | null;
}

export const LEGACY_FILE_SHA256 = 'file-sha256:';

/** The metadata row, schema 1 rows mapped onto schema 2's fields. */
export function readMeta(db: Database): CrlMetaRow | undefined {
  const m = db.prepare('SELECT * FROM crl_meta WHERE id = 1').get() as (CrlMetaRow & { sha256?: string; delta_sha256?: string | null }) | undefined;
  if (!m) return m;
  if (m.schema_version !== 1) return { ...m, base_generation: m.base_generation ?? null }; // schema 2 files before the column
  const { sha256, delta_sha256, ...rest } = m;
  const n = (db.prepare('SELECT count(*) AS n FROM revoked').get() as { n: number }).n;
  return {
    ...rest,
    fingerprint: LEGACY_FILE_SHA256 + sha256,
    delta_fingerprint: delta_sha256 ? LEGACY_FILE_SHA256 + delta_sha256 : null,
    block_bits: 0,
    hash_seed: 0,
    revoked_count: n,
    overlay_count: 0,
    base_generation: null,
  };
}

/** The freshness that applies: the latest delta's when one was applied, else the full CRL's. */
export function effectiveTimes(m: CrlMetaRow): { thisUpdate: number; nextUpdate: number } {
  if (m.delta_number !== null && m.delta_next_update !== null && m.delta_this_update !== null) {
    return { thisUpdate: m.delta_this_update, nextUpdate: m.delta_next_update };
  }
  return { thisUpdate: m.this_update, nextUpdate: m.next_update };
}
