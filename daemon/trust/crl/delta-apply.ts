// A delta CRL into the store (importer.ts decides full or delta): only on top of the base CRL number it
// names, written into a new delta generation (store-schema.ts, schema 3) — the overlay alone, on top of the
// full generation in force, which is not copied — and swapped in like a full import. A delta on top of a
// delta generation starts from a copy of that (small) file, on the same base. A schema 1 generation is
// rebuilt as a schema 2 full generation with the overlay inside. A generation in force is never written
// again.
import { randomBytes } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { at, defined } from '../../../core/checked.ts';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { compareHexInt } from './der.ts';
import { EntryPartitioner, HAS_INVALIDITY, recordSize } from './entry-partitioner.ts';
import { buildGeneration, latestNumber, openCurrent, sameCrl } from './generation-build.ts';
import { generationLookup, openGeneration, serialBlock, type Lookup, type OpenGeneration } from './generation-lookup.ts';
import type { Ctx, ImportResult } from './importer.ts';
import { REMOVE_FROM_CRL } from './oids.ts';
import { DELTA_GENERATION_SCHEMA, DELTA_SCHEMA_VERSION, LEGACY_FILE_SHA256, SCHEMA_VERSION, readMeta, type CrlMetaRow } from './store-schema.ts';
import { collectGarbage, fsyncPath, swapGeneration } from './store-layout.ts';

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

export function applyDelta(c: Ctx): Pick<ImportResult, 'kind' | 'revokedInForce' | 'generation' | 'added' | 'removed' | 'baseCrlNumber'> {
  const base = defined(c.crl.baseCrlNumber, ErrorCodes.CRL_MALFORMED, 'delta CRL base CRL number');
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
    const latest = defined(latestNumber(meta), ErrorCodes.CRL_STORE_UNAVAILABLE, 'CRL number in force');
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
    // generations are immutable once in force (readers hold them open): the delta goes into a new file,
    // which then replaces the current generation exactly like a full import
    const path = join(c.dir, c.gen);
    let under: OpenGeneration | undefined; // the full generation a delta generation stands on
    if (meta.schema_version === 1) rebuildLegacy(db, path, join(c.dir, `${c.gen}.rebuild`));
    else if (meta.schema_version === DELTA_SCHEMA_VERSION) {
      copyFileSync(join(c.dir, cur.gen), path); // the overlay so far, on the same base
      under = openGeneration(c.dir, defined(meta.base_generation, ErrorCodes.CRL_STORE_UNAVAILABLE, 'base generation of the delta'), true);
    } else {
      newDeltaGeneration(path, meta, cur.gen);
      under = openGeneration(c.dir, cur.gen, true);
    }
    db.close();
    const next = new Database(path);
    let r: { added: number; removed: number; inForce: number };
    try {
      next.pragma('journal_mode = OFF');
      next.pragma('synchronous = OFF');
      // underneath the overlay: the base generation, or (a rebuilt schema 1 generation) the file's own blocks
      const m = under?.meta ?? defined(readMeta(next), ErrorCodes.CRL_STORE_UNAVAILABLE, 'generation metadata');
      const blocks = under ? under.lookup : generationLookup(next, { ...m, overlay_count: 0 });
      r = next.transaction(() => writeOverlay(next, c, blocks, serialBlock(m)))();
    } finally {
      next.close();
      under?.close();
    }
    fsyncPath(path);
    swapGeneration(c.dir, c.gen);
    collectGarbage(c.dir);
    return { kind: 'delta', added: r.added, removed: r.removed, revokedInForce: r.inForce, generation: c.gen, baseCrlNumber: base };
  } finally {
    db.close();
  }
}

/** An empty delta generation at `path` on top of full generation `baseGen` (metadata `meta`, copied). */
function newDeltaGeneration(path: string, meta: CrlMetaRow, baseGen: string): void {
  const db = new Database(path);
  try {
    db.pragma('page_size = 4096');
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(DELTA_GENERATION_SCHEMA);
    const row: Record<string, unknown> = { ...meta, id: 1, schema_version: DELTA_SCHEMA_VERSION, overlay_count: 0, base_generation: baseGen };
    const cols = Object.keys(row);
    db.prepare(`INSERT INTO crl_meta (${cols.join(', ')}) VALUES (${cols.map((k) => `@${k}`).join(', ')})`).run(row);
  } finally {
    db.close();
  }
}

/** entries of a delta applied together (memory: ~150 bytes each) */
const DELTA_BATCH = 65536;

/**
 * The delta's entries into the overlay of generation `db`. `under` answers for the serials the overlay has
 * no entry for (the base generation of a delta generation, or the blocks of `db` itself), `blockOf` gives
 * where in it a serial lives. Per serial, removeFromCRL entries apply before the others (a serial both
 * removed and listed again ends up revoked); `added` counts the listed entries, `removed` the serials that
 * were in force and are no longer.
 */
function writeOverlay(db: Database.Database, c: Ctx, under: Lookup, blockOf: (serial: Buffer) => number): { added: number; removed: number; inForce: number } {
  const meta = defined(readMeta(db), ErrorCodes.CRL_STORE_UNAVAILABLE, 'generation metadata');
  const overlay = db.prepare('SELECT removed FROM delta_revoked WHERE serial = ?').pluck();
  const upsert = db.prepare('INSERT OR REPLACE INTO delta_revoked (serial, revoked_at, reason, invalidity, removed) VALUES (?, ?, ?, ?, ?)');
  let added = 0;
  let removed = 0;
  let inForce = meta.revoked_count;
  // Entries in batches of whole partitions (a serial's entries are one run of equal hashes, never split):
  // first whether each serial is revoked underneath, asked in the order of its blocks there (neighbouring
  // pages, one pass through the file; these lookups are about half of a 10k delta's CPU on a 5M store),
  // then the entries themselves, in the order they arrived.
  let part: { hash: number; rec: Buffer; off: number; serial: Buffer; block: number; revokedUnder: boolean }[] = [];
  const applyBatch = () => {
    for (const e of [...part].sort((a, b) => a.block - b.block)) e.revokedUnder = under(e.serial) !== undefined;
    for (let s = 0; s < part.length; ) {
      let end = s + 1;
      while (end < part.length && part[end]?.hash === part[s]?.hash) end++;
      for (const pass of [true, false]) {
        for (let k = s; k < end; k++) {
          const { rec, off, serial, revokedUnder } = at(part, k);
          const len = at(rec, off, ErrorCodes.INTERNAL, 'CRL record length');
          const flags = at(rec, off + 1 + len + 6, ErrorCodes.INTERNAL, 'CRL record flags');
          const reason = (flags & 15) - 1;
          if ((reason === REMOVE_FROM_CRL) !== pass) continue;
          const o = overlay.get(serial) as number | undefined;
          const was = o === undefined ? revokedUnder : o === 0;
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
      s = end;
    }
    part = [];
  };
  c.entries.finish(
    (hash, rec, off) => {
      // the partitioner's records are valid until the end of their partition: keep a copy
      const len = at(rec, off, ErrorCodes.INTERNAL, 'CRL record length');
      const copy = Buffer.from(rec.subarray(off, off + recordSize(rec, off)));
      const serial = copy.subarray(1, 1 + len);
      part.push({ hash, rec: copy, off: 0, serial, block: blockOf(serial), revokedUnder: false });
    },
    () => {
      if (part.length >= DELTA_BATCH) applyBatch();
    },
  );
  applyBatch();
  const count = (db.prepare('SELECT count(*) AS n FROM delta_revoked').get() as { n: number }).n;
  db.prepare(
    `UPDATE crl_meta SET delta_number = ?, delta_this_update = ?, delta_next_update = ?, delta_fingerprint = ?, delta_applied_at = ?,
       revoked_count = ?, overlay_count = ? WHERE id = 1`,
  ).run(
    c.crl.crlNumber,
    c.crl.thisUpdate,
    defined(c.crl.nextUpdate, ErrorCodes.INTERNAL, 'nextUpdate (the importer sets one)'),
    c.crl.fingerprint,
    Math.floor(c.now),
    inForce,
    count,
  );
  db.prepare('INSERT INTO delta_log VALUES (?, ?, ?, ?, ?, ?)').run(c.crl.crlNumber, c.crl.fingerprint, c.source, Math.floor(c.now), added, removed);
  return { added, removed, inForce };
}
