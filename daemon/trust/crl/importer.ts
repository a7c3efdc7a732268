// Importing a verified CRL into the store. Entries are sorted by serial as they stream past (sorted runs
// spill to a staging file, see entry-sort.ts); once the whole CRL has verified, a full CRL is appended in
// key order to a fresh generation database that replaces the current one atomically, and a delta CRL is
// applied to a copy of the current generation in one transaction — only on top of the base CRL number it
// names — and swapped in the same way. A generation in force is never written again.
import { join } from 'node:path';
import { copyFileSync, rmSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import Database from 'better-sqlite3';
import { KioskError, ErrorCodes } from '../../errors.ts';
import { parseCrlIssuer } from './cert-info.ts';
import { readCrl, type CrlReadResult } from './crl-reader.ts';
import { compareHexInt, isoFromSeconds } from './der.ts';
import { REMOVE_FROM_CRL } from './oids.ts';
import { EntrySorter } from './entry-sort.ts';
import { GENERATION_SCHEMA, SCHEMA_VERSION, readMeta, type CrlMetaRow } from './store-schema.ts';
import {
  acquireWriterLock,
  collectGarbage,
  currentGeneration,
  ensureDir,
  fsyncPath,
  issuerDir,
  newGenerationName,
  swapGeneration,
} from './store-layout.ts';

export interface ImportOptions {
  /** where the file came from (URL, path), recorded in the metadata */
  source?: string;
  now?: Date;
  maxBytes?: number;
  onProgress?: (bytes: number, entries: number) => void;
  /** SQLite page cache while building a generation, in KiB (default 4 MiB; rows arrive in key order) */
  cacheKiB?: number;
  /** size of one in-memory sort run in bytes (default 4 MiB; tests use small runs to exercise spilling) */
  runBytes?: number;
  /** how long a CRL without nextUpdate is used after its thisUpdate (default 7 days) */
  maxAgeWithoutNextUpdateSeconds?: number;
}

export interface ImportResult {
  kind: 'full' | 'delta' | 'unchanged';
  issuerId: string;
  crlNumber?: string;
  baseCrlNumber?: string;
  thisUpdate: string;
  nextUpdate: string;
  /** entries in the CRL file */
  entries: number;
  /** revoked serials in force after the import */
  revokedInForce: number;
  added?: number;
  removed?: number;
  sha256: string;
  generation: string;
  /** nextUpdate already passed at import time */
  stale: boolean;
}

const BATCH = 256; // ≤ VIEW_LIFETIME: the sorter's serial views must outlive one batch

export function importCrl(root: string, file: string, issuerCert: X509Certificate | Buffer, o: ImportOptions = {}): ImportResult {
  const issuer = parseCrlIssuer(issuerCert);
  const dir = issuerDir(root, issuer.issuerId);
  ensureDir(dir);
  const gen = newGenerationName();
  const stagingPath = join(dir, `${gen}.staging`);
  const sorter = new EntrySorter(stagingPath, o.runBytes);
  const lock = acquireWriterLock(root);
  let installed = false;
  try {
    collectGarbage(dir);
    let removals = 0;
    // entries are sorted by serial while the file is read (spilling sorted runs to the staging file);
    // nothing reaches a database before the signature has verified
    const crl = readCrl(file, {
      issuer,
      maxBytes: o.maxBytes,
      onProgress: o.onProgress,
      onEntry(buf, s, e, revokedAt, reason, invalidity) {
        // packed = revoked_at * 16 + (reason + 1): one number instead of two per row
        sorter.add(buf, s, e, revokedAt * 16 + reason + 1, invalidity);
        if (reason === REMOVE_FROM_CRL) removals++;
      },
    });
    // RFC 5280 §5.1.2.5 lets a CRL omit nextUpdate. Such a CRL is used for a bounded time from its thisUpdate
    // (default 7 days, as BoringSSL's CRL checks do), after which checks answer unknown (CRL_STALE).
    if (crl.nextUpdate === undefined) crl.nextUpdate = crl.thisUpdate + (o.maxAgeWithoutNextUpdateSeconds ?? 7 * 86400);
    const idp = crl.issuingDistributionPoint;
    if (idp && (idp.indirectCRL || idp.onlySomeReasons || idp.onlyContainsAttributeCerts)) {
      throw new KioskError(ErrorCodes.CRL_SCOPE, 'indirect, reason-partitioned and attribute-certificate CRLs are not supported');
    }
    const now = (o.now ?? new Date()).getTime() / 1000;
    const common = {
      issuerId: issuer.issuerId,
      crlNumber: crl.crlNumber,
      thisUpdate: isoFromSeconds(crl.thisUpdate),
      nextUpdate: isoFromSeconds(crl.nextUpdate),
      entries: crl.entries,
      sha256: crl.sha256,
      stale: now > crl.nextUpdate,
    };
    const ctx = { root, dir, gen, stagingPath, sorter, crl, issuerDer: issuer.der, source: o.source ?? file, now, cacheKiB: o.cacheKiB ?? 4096 };
    if (crl.baseCrlNumber !== undefined) {
      const delta = applyDelta(ctx);
      installed = delta.generation === gen;
      return { ...common, ...delta };
    }
    if (removals > 0) throw new KioskError(ErrorCodes.CRL_MALFORMED, 'a complete CRL lists removeFromCRL entries', { removals });
    const full = installFull(ctx);
    installed = full.generation === gen;
    return { ...common, ...full };
  } finally {
    sorter.close();
    rmSync(stagingPath, { force: true });
    rmSync(`${stagingPath}-db`, { force: true });
    if (!installed) rmSync(join(dir, gen), { force: true });
    lock.release();
  }
}

interface Ctx {
  root: string;
  dir: string;
  gen: string;
  stagingPath: string;
  sorter: EntrySorter;
  crl: CrlReadResult;
  issuerDer: Buffer;
  source: string;
  now: number;
  cacheKiB: number;
}

function openCurrent(dir: string): { db: Database.Database; gen: string; meta: CrlMetaRow } | undefined {
  const gen = currentGeneration(dir);
  if (!gen) return undefined;
  const db = new Database(join(dir, gen), { fileMustExist: true });
  const meta = readMeta(db);
  if (!meta) {
    db.close();
    throw new KioskError(ErrorCodes.CRL_STORE_UNAVAILABLE, 'current generation has no metadata');
  }
  return { db, gen, meta };
}

function latestNumber(m: CrlMetaRow): string | null {
  if (m.delta_number !== null && (m.crl_number === null || compareHexInt(m.delta_number, m.crl_number) > 0)) return m.delta_number;
  return m.crl_number;
}

function installFull(c: Ctx): Pick<ImportResult, 'kind' | 'revokedInForce' | 'generation'> {
  const cur = openCurrent(c.dir);
  if (cur) {
    try {
      if (cur.meta.sha256 === c.crl.sha256) {
        return { kind: 'unchanged', revokedInForce: count(cur.db), generation: cur.gen };
      }
      const latest = latestNumber(cur.meta);
      const newer =
        latest !== null && c.crl.crlNumber !== undefined
          ? compareHexInt(c.crl.crlNumber, latest) > 0
          : c.crl.thisUpdate > cur.meta.this_update;
      if (!newer) {
        throw new KioskError(ErrorCodes.CRL_NOT_NEWER, 'CRL is not newer than the one in force', {
          crlNumber: c.crl.crlNumber ?? null,
          current: latest,
        });
      }
    } finally {
      cur.db.close();
    }
  }
  const path = join(c.dir, c.gen);
  const db = new Database(path);
  let inForce: number;
  try {
    db.pragma('page_size = 16384'); // fewer, fuller pages: faster bulk build, still one descent per lookup
    // not visible to anyone until the swap, which follows an explicit fsync: no journal needed
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma(`cache_size = -${c.cacheKiB}`);
    db.exec(GENERATION_SCHEMA);
    db.exec('BEGIN');
    // rows arrive sorted by serial, so every insert appends to the B-tree's rightmost leaf
    inForce = 0;
    const rows = batchInserter(db, 'INSERT OR IGNORE INTO revoked', UNPACK, (n) => (inForce += n));
    c.sorter.finish(rows.add);
    rows.flush();
    insertMeta(db, c);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
  fsyncPath(path);
  swapGeneration(c.dir, c.gen);
  collectGarbage(c.dir);
  return { kind: 'full', revokedInForce: inForce, generation: c.gen };
}

/** (serial, packed, invalidity) → the columns of `revoked` */
const UNPACK = 'column1, column2 >> 4, nullif(column2 & 15, 0) - 1, column3';

/** Multi-row INSERT of (serial, packed, invalidity) rows: fewer JS↔SQLite round trips per row. */
function batchInserter(db: Database.Database, insert: string, cols: string, changed: (n: number) => void) {
  const row = '(?,?,?)';
  const values = (k: number) => Array(k).fill(row).join(',');
  const many = db.prepare(`${insert} SELECT ${cols} FROM (VALUES ${values(BATCH)})`);
  const params: unknown[] = new Array(BATCH * 3);
  let n = 0;
  return {
    add(serial: Buffer, packed: number, invalidity: number): void {
      const k = n * 3;
      params[k] = serial;
      params[k + 1] = packed;
      params[k + 2] = invalidity === invalidity ? invalidity : null;
      if (++n === BATCH) {
        changed(many.run(params).changes);
        n = 0;
      }
    },
    flush(): void {
      if (n > 0) changed(db.prepare(`${insert} SELECT ${cols} FROM (VALUES ${values(n)})`).run(params.slice(0, n * 3)).changes);
      n = 0;
    },
  };
}

/** Delta CRLs are applied in SQL: their (few) entries go to a staging database first. */
function stageDelta(c: Ctx): string {
  const path = `${c.stagingPath}-db`;
  const st = new Database(path);
  try {
    st.pragma('journal_mode = OFF');
    st.pragma('synchronous = OFF');
    st.exec('CREATE TABLE staging (serial BLOB NOT NULL, packed INTEGER NOT NULL, invalidity INTEGER)');
    st.exec('BEGIN');
    const rows = batchInserter(st, 'INSERT INTO staging', 'column1, column2, column3', () => {});
    c.sorter.finish(rows.add);
    rows.flush();
    st.exec('COMMIT');
  } finally {
    st.close();
  }
  return path;
}

function insertMeta(db: Database.Database, c: Ctx): void {
  const idp = c.crl.issuingDistributionPoint;
  db.prepare(
    `INSERT INTO crl_meta (id, schema_version, issuer_id, issuer_name, issuer_cert, crl_number, this_update, next_update,
       sha256, source, imported_at, signature_algorithm, idp_dp, idp_only_user, idp_only_ca)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    SCHEMA_VERSION,
    c.dir.split('/').pop()!,
    c.crl.issuerDer,
    c.issuerDer,
    c.crl.crlNumber ?? null,
    c.crl.thisUpdate,
    c.crl.nextUpdate!,
    c.crl.sha256,
    c.source,
    Math.floor(c.now),
    c.crl.signatureAlgorithm,
    idp?.distributionPoint ?? null,
    idp?.onlyContainsUserCerts ? 1 : 0,
    idp?.onlyContainsCACerts ? 1 : 0,
  );
}

function count(db: Database.Database): number {
  return (db.prepare('SELECT count(*) AS n FROM revoked').get() as { n: number }).n;
}

function applyDelta(c: Ctx): Pick<ImportResult, 'kind' | 'revokedInForce' | 'generation' | 'added' | 'removed' | 'baseCrlNumber'> {
  const base = c.crl.baseCrlNumber!;
  const cur = openCurrent(c.dir);
  if (!cur) throw new KioskError(ErrorCodes.CRL_DELTA_BASE_MISMATCH, 'delta CRL but no base CRL in the store', { base });
  const { db, meta } = cur;
  try {
    if (meta.crl_number === null || compareHexInt(meta.crl_number, base) !== 0) {
      throw new KioskError(ErrorCodes.CRL_DELTA_BASE_MISMATCH, 'delta CRL names a base CRL other than the one in force', {
        base,
        current: meta.crl_number,
      });
    }
    if (c.crl.crlNumber === undefined) throw new KioskError(ErrorCodes.CRL_MALFORMED, 'delta CRL has no CRL number');
    if (meta.delta_sha256 === c.crl.sha256) return { kind: 'unchanged', revokedInForce: count(db), generation: cur.gen, baseCrlNumber: base };
    const latest = latestNumber(meta)!;
    if (compareHexInt(c.crl.crlNumber, latest) <= 0) {
      throw new KioskError(ErrorCodes.CRL_NOT_NEWER, 'delta CRL is not newer than the state in force', {
        crlNumber: c.crl.crlNumber,
        current: latest,
      });
    }
    const dp = c.crl.issuingDistributionPoint?.distributionPoint ?? null;
    if ((dp === null) !== (meta.idp_dp === null) || (dp && meta.idp_dp && !dp.equals(meta.idp_dp))) {
      throw new KioskError(ErrorCodes.CRL_DELTA_BASE_MISMATCH, 'delta CRL scope differs from its base CRL');
    }
    // generations are immutable once in force (readers open them with immutable=1): the delta is applied
    // to a copy, which then replaces the current generation exactly like a full import
    db.close();
    const path = join(c.dir, c.gen);
    copyFileSync(join(c.dir, cur.gen), path);
    const next = new Database(path);
    let r: { added: number; removed: number };
    let inForce: number;
    try {
      next.pragma('journal_mode = OFF');
      next.pragma('synchronous = OFF');
      next.prepare('ATTACH DATABASE ? AS st').run(stageDelta(c));
      const tx = next.transaction(() => {
        const removed = next.prepare('DELETE FROM revoked WHERE serial IN (SELECT serial FROM st.staging WHERE packed & 15 = 9)').run().changes;
        const added = next
          .prepare('INSERT OR REPLACE INTO revoked SELECT serial, packed >> 4, nullif(packed & 15, 0) - 1, invalidity FROM st.staging WHERE packed & 15 != 9 ORDER BY serial')
          .run().changes;
        next
          .prepare(
            'UPDATE crl_meta SET delta_number = ?, delta_this_update = ?, delta_next_update = ?, delta_sha256 = ?, delta_applied_at = ? WHERE id = 1',
          )
          .run(c.crl.crlNumber, c.crl.thisUpdate, c.crl.nextUpdate!, c.crl.sha256, Math.floor(c.now));
        next.prepare('INSERT INTO delta_log VALUES (?, ?, ?, ?, ?, ?)').run(c.crl.crlNumber, c.crl.sha256, c.source, Math.floor(c.now), added, removed);
        return { added, removed };
      });
      r = tx();
      next.exec('DETACH DATABASE st');
      inForce = count(next);
    } finally {
      next.close();
    }
    fsyncPath(path);
    swapGeneration(c.dir, c.gen);
    collectGarbage(c.dir);
    return { kind: 'delta', ...r, revokedInForce: inForce, generation: c.gen, baseCrlNumber: base };
  } finally {
    db.close();
  }
}
