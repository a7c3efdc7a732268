// A full CRL into the store (importer.ts decides full or delta): a fresh generation of hashed serial blocks
// with its metadata row, fsynced and swapped in atomically — unless the CRL is the one in force already
// (unchanged) or not newer (refused). Also the current generation's reading helpers delta-apply.ts shares.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { defined } from '../../../core/checked.ts';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { compareHexInt } from './der.ts';
import type { EntryPartitioner } from './entry-partitioner.ts';
import type { Ctx, ImportResult } from './importer.ts';
import { REMOVE_FROM_CRL } from './oids.ts';
import { BlockEncoder, blockBits } from './serial-blocks.ts';
import { GENERATION_SCHEMA, LEGACY_FILE_SHA256, SCHEMA_VERSION, readMeta, type CrlMetaRow } from './store-schema.ts';
import { collectGarbage, currentGeneration, fsyncPath, swapGeneration } from './store-layout.ts';

export function openCurrent(dir: string): { db: Database.Database; gen: string; meta: CrlMetaRow } | undefined {
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

export function latestNumber(m: CrlMetaRow): string | null {
  if (m.delta_number !== null && (m.crl_number === null || compareHexInt(m.delta_number, m.crl_number) > 0)) return m.delta_number;
  return m.crl_number;
}

/**
 * Is the CRL being imported the one recorded as `stored`? Schema 1 generations recorded the SHA-256 of the
 * file instead of a fingerprint: for those (the first import after an upgrade) the file is hashed again.
 */
export function sameCrl(c: Ctx, stored: string | null): boolean {
  if (stored === null) return false;
  if (stored.startsWith(LEGACY_FILE_SHA256)) return stored === LEGACY_FILE_SHA256 + sha256File(c.file);
  return stored === c.crl.fingerprint;
}

function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

export function installFull(c: Ctx, skipRemovals: boolean): Pick<ImportResult, 'kind' | 'revokedInForce' | 'generation'> {
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
export function buildGeneration(
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
    // `?? 0`: the partitioner wrote these records whole (recordSize checked each), so it never applies.
    const isRemoval = (rec: Buffer, off: number) => ((rec[off + 1 + (rec[off] ?? 0) + 6] ?? 0) & 15) - 1 === REMOVE_FROM_CRL;
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
    c.dir.slice(c.dir.lastIndexOf('/') + 1),
    c.crl.issuerDer,
    c.issuerDer,
    c.crl.crlNumber ?? null,
    c.crl.thisUpdate,
    defined(c.crl.nextUpdate, ErrorCodes.INTERNAL, 'nextUpdate (the importer sets one)'),
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
