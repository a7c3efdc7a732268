// On-disk layout of the revocation store, and the generation swap.
//
//   <root>/lock.sqlite                      cross-process writer lock (an EXCLUSIVE SQLite transaction:
//                                           the kernel drops it when the holder dies, even on kill -9)
//   <root>/issuers/<issuerId>/current       symlink → the generation in force
//   <root>/issuers/<issuerId>/previous      symlink → the one before (kept for readers still on it)
//   <root>/issuers/<issuerId>/gen-*.sqlite  one database per import: a full generation (the whole CRL),
//                                           or a delta generation (schema 3: the delta overlay only, on
//                                           top of the full generation its metadata names as base)
//
// A CRL is imported into a fresh gen-*.sqlite next to the current one, fsynced, then `current` is
// replaced by rename(2) of a new symlink — atomic, so a crash at any point leaves either the old or the
// new generation in force, never a partial one. A delta generation's base is never written; it is kept
// while the current or previous generation stands on it. Leftovers of an interrupted import are removed
// by the next writer (under the lock).
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';

export function issuerDir(root: string, issuerId: string): string {
  return join(root, 'issuers', issuerId);
}

export function listIssuerIds(root: string): string[] {
  try {
    return readdirSync(join(root, 'issuers')).filter((n) => /^[0-9a-f]{32}$/.test(n));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Name of the generation file `current` points at, or undefined when there is none. */
export function currentGeneration(dir: string, link = 'current'): string | undefined {
  try {
    return readlinkSync(join(dir, link));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new KioskError(ErrorCodes.CRL_STORE_UNAVAILABLE, 'cannot read the CRL store generation link', { errno: code });
  }
}

export function newGenerationName(): string {
  return `gen-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.sqlite`;
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function replaceLink(dir: string, link: string, target: string): void {
  const tmp = join(dir, `${link}.tmp-${randomBytes(4).toString('hex')}`);
  symlinkSync(target, tmp);
  renameSync(tmp, join(dir, link));
}

/** Make `gen` (a file in dir, already fsynced) the generation in force. */
export function swapGeneration(dir: string, gen: string): void {
  const old = currentGeneration(dir);
  if (old) replaceLink(dir, 'previous', old);
  replaceLink(dir, 'current', gen);
  fsyncPath(dir);
}

/**
 * The full generation a delta generation stands on (null for a full generation), or undefined when the file
 * cannot be read.
 */
function baseGeneration(path: string): string | null | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const m = db.prepare('SELECT * FROM crl_meta WHERE id = 1').get() as { base_generation?: string | null } | undefined;
    return m ? (m.base_generation ?? null) : undefined;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/**
 * Delete every file in dir that is not the current or previous generation or the base of one of them (crash
 * leftovers, old generations). When a live generation cannot be read, nothing is deleted.
 */
export function collectGarbage(dir: string): string[] {
  const live = [currentGeneration(dir), currentGeneration(dir, 'previous')].filter(Boolean) as string[];
  const keep = new Set(live);
  for (const g of live) {
    const base = baseGeneration(join(dir, g));
    if (base === undefined) return [];
    if (base) keep.add(base);
  }
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    if (n === 'current' || n === 'previous') continue;
    const base = n.replace(/(-journal|-wal|-shm|\.staging.*)$/, '');
    if (keep.has(base) && base !== n && !n.includes('.staging')) continue; // a live generation's journal
    if (keep.has(n)) continue;
    rmSync(join(dir, n), { force: true });
    removed.push(n);
  }
  return removed;
}

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true });
}

/** Exclusive writer lock over the whole store; released by release() or by the process dying. */
export function acquireWriterLock(root: string, timeoutMs = 120_000): { release(): void } {
  ensureDir(root);
  const db = new Database(join(root, 'lock.sqlite'), { timeout: timeoutMs });
  try {
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    throw new KioskError(ErrorCodes.CRL_STORE_UNAVAILABLE, 'the CRL store is locked by another writer', {
      error: (e as Error).message,
    });
  }
  return {
    release() {
      try {
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
    },
  };
}
