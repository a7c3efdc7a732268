// Importing a verified CRL into the store. Entries are grouped by serial hash as they stream past (spilling
// to a staging file when they do not fit in memory, see entry-partitioner.ts); nothing is written to a
// database before the whole CRL has verified. A full CRL becomes a fresh generation of hashed serial blocks
// that replaces the current one atomically; a delta CRL — only on top of the base CRL number it names — is
// written into the `delta_revoked` overlay of a copy of the current generation, swapped in the same way.
// A generation in force is never written again.
import { join } from 'node:path';
import { copyFileSync, rmSync } from 'node:fs';
import { createHash, randomBytes, type X509Certificate } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { parseCrlIssuer } from './cert-info.ts';
import { readCrl, type CrlReadResult } from './crl-reader.ts';
import { compareHexInt, isoFromSeconds } from './der.ts';
import { REMOVE_FROM_CRL } from './oids.ts';
import { EntryPartitioner, HAS_INVALIDITY } from './entry-partitioner.ts';
import { BlockEncoder, blockBits } from './serial-blocks.ts';
import { generationLookup } from './generation-lookup.ts';
import { GENERATION_SCHEMA, LEGACY_FILE_SHA256, SCHEMA_VERSION, readMeta, type CrlMetaRow } from './store-schema.ts';
import { acquireWriterLock, collectGarbage, currentGeneration, ensureDir, fsyncPath, issuerDir, newGenerationName, swapGeneration } from './store-layout.ts';

export interface ImportOptions {
  /** where the file came from (URL, path), recorded in the metadata */
  source?: string;
  now?: Date;
  maxBytes?: number;
  onProgress?: (bytes: number, entries: number) => void;
  /** memory for entries before they spill to the staging file, in bytes (default 32 MiB; tests use less) */
  bufferBytes?: number;
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
  /** the CRL's fingerprint (crl-reader.ts) */
  fingerprint: string;
  generation: string;
  /** nextUpdate already passed at import time */
  stale: boolean;
}

export function importCrl(root: string, file: string, issuerCert: X509Certificate | Buffer, o: ImportOptions = {}): ImportResult {
  const issuer = parseCrlIssuer(issuerCert);
  const dir = issuerDir(root, issuer.issuerId);
  ensureDir(dir);
  const gen = newGenerationName();
  const stagingPath = join(dir, `${gen}.staging`);
  const entries = new EntryPartitioner(stagingPath, randomBytes(4).readUInt32LE(0), o.bufferBytes);
  const lock = acquireWriterLock(root);
  let installed = false;
  try {
    collectGarbage(dir);
    let removals = 0;
    const crl = readCrl(file, {
      issuer,
      maxBytes: o.maxBytes,
      onProgress: o.onProgress,
      onEntry(buf, s, e, revokedAt, reason, invalidity) {
        entries.add(buf, s, e, revokedAt, reason, invalidity);
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
      fingerprint: crl.fingerprint,
      stale: now > crl.nextUpdate,
    };
    const ctx: Ctx = { file, dir, gen, entries, crl, issuerDer: issuer.der, source: o.source ?? file, now };
    if (crl.baseCrlNumber !== undefined) {
      const delta = applyDelta(ctx);
      installed = delta.generation === gen;
      return { ...common, ...delta };
    }
    // A removeFromCRL entry in a complete CRL (RFC 5280 §5.3.1 meant it for delta CRLs) leaves its serial
    // UNREVOKED as far as this CRL goes (§6.3.3 (j), (k)): it is not written. A serial the same CRL also lists
    // with another reason stays revoked (fail closed).
    const full = installFull(ctx, removals > 0);
    installed = full.generation === gen;
    return { ...common, ...full };
  } finally {
    entries.close();
    rmSync(stagingPath, { force: true });
    if (!installed) rmSync(join(dir, gen), { force: true });
    lock.release();
  }
}

interface Ctx {
  file: string;
  dir: string;
  gen: string;
  entries: EntryPartitioner;
  crl: CrlReadResult;
  issuerDer: Buffer;
  source: string;
  now: number;
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

/**
 * Is the CRL being imported the one recorded as `stored`? Schema 1 generations recorded the SHA-256 of the
 * file instead of a fingerprint: for those (the first import after an upgrade) the file is hashed again.
 */
function sameCrl(c: Ctx, stored: string | null): boolean {
  if (stored === null) return false;
  if (stored.startsWith(LEGACY_FILE_SHA256)) return stored === LEGACY_FILE_SHA256 + sha256File(c.file);
  return stored === c.crl.fingerprint;
}

function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

function installFull(c: Ctx, skipRemovals: boolean): Pick<ImportResult, 'kind' | 'revokedInForce' | 'generation'> {
  const cur = openCurrent(c.dir);
  if (cur) {
    try {
      if (sameCrl(c, cur.meta.fingerprint)) {
        return { kind: 'unchanged', revokedInForce: cur.meta.revoked_count, generation: cur.gen };
      }
      const latest = latestNumber(cur.meta);
      const newer = latest !== null && c.crl.crlNumber !== undefined ? compareHexInt(c.crl.crlNumber, latest) > 0 : c.crl.thisUpdate > cur.meta.this_update;
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
  const inForce = buildGeneration(path, c.entries, (db, bits, count) => insertMeta(db, c, bits, count), skipRemovals);
  fsyncPath(path);
  swapGeneration(c.dir, c.gen);
  collectGarbage(c.dir);
  return { kind: 'full', revokedInForce: inForce, generation: c.gen };
}

/** Write a new generation file: the blocks of `entries`, then its metadata row. Returns the serials kept. */
function buildGeneration(
  path: string,
  entries: EntryPartitioner,
  meta: (db: Database.Database, bits: number, count: number) => void,
  skipRemovals = false,
): number {
  const db = new Database(path);
  try {
    db.pragma('page_size = 16384'); // a block (~128 entries, ~3 KiB) stays on one page
    // not visible to anyone until the swap, which follows an explicit fsync: no journal needed
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(GENERATION_SCHEMA);
    db.exec('BEGIN');
    const bits = blockBits(entries.count);
    const insert = db.prepare('INSERT INTO serial_blocks (id, data) VALUES (?, ?)');
    const blocks = new BlockEncoder(bits, (id, data) => insert.run(id, data));
    // Record layout (entry-partitioner.ts): length, serial, revocationDate (6), flags (low 4 bits: reason + 1).
    const isRemoval = (rec: Buffer, off: number) => (rec[off + 1 + rec[off]! + 6]! & 15) - 1 === REMOVE_FROM_CRL;
    entries.finish(skipRemovals ? (h, rec, off) => !isRemoval(rec, off) && blocks.push(h, rec, off) : blocks.push, blocks.end);
    meta(db, bits, blocks.kept);
    db.exec('COMMIT');
    return blocks.kept;
  } finally {
    db.close();
  }
}

function insertMeta(db: Database.Database, c: Ctx, bits: number, count: number): void {
  const idp = c.crl.issuingDistributionPoint;
  db.prepare(
    `INSERT INTO crl_meta (id, schema_version, issuer_id, issuer_name, issuer_cert, crl_number, this_update, next_update,
       fingerprint, source, imported_at, signature_algorithm, idp_dp, idp_only_user, idp_only_ca, block_bits, hash_seed, revoked_count)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    SCHEMA_VERSION,
    c.dir.split('/').pop()!,
    c.crl.issuerDer,
    c.issuerDer,
    c.crl.crlNumber ?? null,
    c.crl.thisUpdate,
    c.crl.nextUpdate!,
    c.crl.fingerprint,
    c.source,
    Math.floor(c.now),
    c.crl.signatureAlgorithm,
    idp?.distributionPoint ?? null,
    idp?.onlyContainsUserCerts ? 1 : 0,
    idp?.onlyContainsCACerts ? 1 : 0,
    bits,
    c.entries.seed,
    count,
  );
}

/**
 * A schema 1 generation rebuilt as schema 2 at `path` (same metadata, same entries, same delta log): the
 * first delta after an upgrade is applied to this instead of to a copy.
 */
function rebuildLegacy(old: Database.Database, path: string, staging: string): void {
  const entries = new EntryPartitioner(staging, randomBytes(4).readUInt32LE(0));
  try {
    for (const [s, t, r, inv] of old.prepare('SELECT serial, revoked_at, reason, invalidity FROM revoked').raw().iterate() as Iterable<
      [Buffer, number, number | null, number | null]
    >) {
      entries.add(s, 0, s.length, t, r ?? -1, inv ?? NaN);
    }
    const m = old.prepare('SELECT * FROM crl_meta WHERE id = 1').get() as Record<string, unknown>;
    const log = old.prepare('SELECT crl_number, sha256, source, applied_at, added, removed FROM delta_log').raw().all() as unknown[][];
    const legacy = (h: unknown) => (typeof h === 'string' ? LEGACY_FILE_SHA256 + h : null);
    buildGeneration(path, entries, (db, bits, count) => {
      db.prepare(
        `INSERT INTO crl_meta (id, schema_version, issuer_id, issuer_name, issuer_cert, crl_number, this_update, next_update,
           fingerprint, source, imported_at, signature_algorithm, idp_dp, idp_only_user, idp_only_ca, delta_number,
           delta_this_update, delta_next_update, delta_fingerprint, delta_applied_at, block_bits, hash_seed, revoked_count)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        SCHEMA_VERSION,
        m.issuer_id,
        m.issuer_name,
        m.issuer_cert,
        m.crl_number,
        m.this_update,
        m.next_update,
        legacy(m.sha256),
        m.source,
        m.imported_at,
        m.signature_algorithm,
        m.idp_dp,
        m.idp_only_user,
        m.idp_only_ca,
        m.delta_number,
        m.delta_this_update,
        m.delta_next_update,
        legacy(m.delta_sha256),
        m.delta_applied_at,
        bits,
        entries.seed,
        count,
      );
      const insertLog = db.prepare('INSERT INTO delta_log VALUES (?, ?, ?, ?, ?, ?)');
      for (const [n, h, src, at, a, r] of log) insertLog.run(n, legacy(h), src, at, a, r);
    });
  } finally {
    entries.close();
    rmSync(staging, { force: true });
  }
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
    if (sameCrl(c, meta.delta_fingerprint)) return { kind: 'unchanged', revokedInForce: meta.revoked_count, generation: cur.gen, baseCrlNumber: base };
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
    // generations are immutable once in force (readers hold them open): the delta goes into a copy, which
    // then replaces the current generation exactly like a full import
    const path = join(c.dir, c.gen);
    if (meta.schema_version === 1) rebuildLegacy(db, path, join(c.dir, `${c.gen}.rebuild`));
    else copyFileSync(join(c.dir, cur.gen), path);
    db.close();
    const next = new Database(path);
    let r: { added: number; removed: number; inForce: number };
    try {
      next.pragma('journal_mode = OFF');
      next.pragma('synchronous = OFF');
      r = next.transaction(() => writeOverlay(next, c))();
    } finally {
      next.close();
    }
    fsyncPath(path);
    swapGeneration(c.dir, c.gen);
    collectGarbage(c.dir);
    return { kind: 'delta', added: r.added, removed: r.removed, revokedInForce: r.inForce, generation: c.gen, baseCrlNumber: base };
  } finally {
    db.close();
  }
}

/**
 * The delta's entries into the overlay of generation `db`. Per serial, removeFromCRL entries apply before
 * the others (a serial both removed and listed again ends up revoked); `added` counts the listed entries,
 * `removed` the serials that were in force and are no longer.
 */
function writeOverlay(db: Database.Database, c: Ctx): { added: number; removed: number; inForce: number } {
  const meta = readMeta(db)!;
  const lookup = generationLookup(db, { ...meta, overlay_count: 1 });
  const upsert = db.prepare('INSERT OR REPLACE INTO delta_revoked (serial, revoked_at, reason, invalidity, removed) VALUES (?, ?, ?, ?, ?)');
  let added = 0;
  let removed = 0;
  let inForce = meta.revoked_count;
  // entries arrive grouped by hash; one serial's entries are all in one run of equal hashes
  let run: { rec: Buffer; off: number }[] = [];
  let runHash = -1;
  const applyRun = () => {
    for (const pass of [true, false]) {
      for (const { rec, off } of run) {
        const len = rec[off]!;
        const flags = rec[off + 1 + len + 6]!;
        const reason = (flags & 15) - 1;
        if ((reason === REMOVE_FROM_CRL) !== pass) continue;
        const serial = Buffer.from(rec.subarray(off + 1, off + 1 + len));
        const was = lookup(serial) !== undefined;
        if (pass) {
          if (!was) continue;
          upsert.run(serial, null, null, null, 1);
          removed++;
          inForce--;
        } else {
          const inv = flags & HAS_INVALIDITY ? rec.readIntLE(off + 1 + len + 7, 6) : null;
          upsert.run(serial, rec.readIntLE(off + 1 + len, 6), reason < 0 ? null : reason, inv, 0);
          added++;
          if (!was) inForce++;
        }
      }
    }
    run = [];
  };
  c.entries.finish(
    (hash, rec, off) => {
      if (hash !== runHash) applyRun();
      runHash = hash;
      run.push({ rec, off });
    },
    applyRun, // a partition's records are valid until its end
  );
  const overlay = (db.prepare('SELECT count(*) AS n FROM delta_revoked').get() as { n: number }).n;
  db.prepare(
    `UPDATE crl_meta SET delta_number = ?, delta_this_update = ?, delta_next_update = ?, delta_fingerprint = ?, delta_applied_at = ?,
       revoked_count = ?, overlay_count = ? WHERE id = 1`,
  ).run(c.crl.crlNumber, c.crl.thisUpdate, c.crl.nextUpdate!, c.crl.fingerprint, Math.floor(c.now), inForce, overlay);
  db.prepare('INSERT INTO delta_log VALUES (?, ?, ?, ?, ?, ?)').run(c.crl.crlNumber, c.crl.fingerprint, c.source, Math.floor(c.now), added, removed);
  return { added, removed, inForce };
}
