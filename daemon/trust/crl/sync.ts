// `crl sync`: fetch each configured source (HTTP(S) URL, or a local file/directory such as a USB stick),
// verify, import, and report what changed. Sources are independent: one failing does not stop the rest.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { defined } from '../../../core/checked.ts';
import { KioskError, ErrorCodes, toKioskError } from '../../../core/errors.ts';
import { loadCertificateFile } from './cert-info.ts';
import { download, type Validators } from './download.ts';
import type { ImportResult } from './importer.ts';
import { ensureDir } from './store-layout.ts';
import { CrlStore } from './store.ts';

export interface SyncSource {
  /** http(s) URL of a DER CRL */
  url?: string;
  /** a DER CRL file, or a directory of them (*.crl, *.der) */
  path?: string;
  /** PEM/DER certificate of the CA that signs this source's CRLs */
  issuer: string;
}

export interface SyncConfig {
  db: string;
  sources: SyncSource[];
  /** per-file size limit (default 2 GiB) */
  maxBytes?: number;
  timeoutMs?: number;
}

export interface SyncOutcome {
  source: string;
  file?: string;
  result: 'full' | 'delta' | 'unchanged' | 'not-modified' | 'skipped' | 'error';
  crlNumber?: string;
  entries?: number;
  revokedInForce?: number;
  added?: number;
  removed?: number;
  nextUpdate?: string;
  stale?: boolean;
  code?: string;
  message?: string;
}

export interface SyncHooks {
  onProgress?: (what: string, bytes: number, entries: number) => void;
  fetchImpl?: typeof fetch;
  now?: Date;
}

export function loadSyncConfig(path: string): SyncConfig {
  let c: SyncConfig;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as SyncConfig;
  } catch (e) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `cannot read CRL sync config ${path}`, { error: (e as Error).message });
  }
  if (typeof c.db !== 'string' || !Array.isArray(c.sources)) throw new KioskError(ErrorCodes.CONFIG_INVALID, 'sync config needs "db" and "sources"');
  for (const s of c.sources) {
    if (typeof s.issuer !== 'string' || (typeof s.url === 'string') === (typeof s.path === 'string')) {
      throw new KioskError(ErrorCodes.CONFIG_INVALID, 'each source needs "issuer" and exactly one of "url" or "path"');
    }
  }
  return c;
}

type StateFile = Record<string, Validators & { fingerprint?: string }>;

function readState(path: string): StateFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StateFile;
  } catch {
    return {};
  }
}
function writeState(path: string, s: StateFile): void {
  writeFileSync(path + '.tmp', JSON.stringify(s, null, 1));
  renameSync(path + '.tmp', path);
}

function outcomeOf(source: string, file: string, r: ImportResult): SyncOutcome {
  return {
    source,
    file,
    result: r.kind,
    crlNumber: r.crlNumber,
    entries: r.entries,
    revokedInForce: r.revokedInForce,
    added: r.added,
    removed: r.removed,
    nextUpdate: r.nextUpdate,
    stale: r.stale,
  };
}

function errorOutcome(source: string, e: unknown, file?: string): SyncOutcome {
  const k = toKioskError(e, ErrorCodes.CRL_SYNC_FAILED);
  return { source, file, result: 'error', code: k.code, message: k.message };
}

export async function syncCrls(config: SyncConfig, hooks: SyncHooks = {}): Promise<SyncOutcome[]> {
  const store = new CrlStore(config.db);
  const maxBytes = config.maxBytes ?? 2 * 1024 ** 3;
  ensureDir(config.db);
  const statePath = join(config.db, 'sync-state.json');
  const out: SyncOutcome[] = [];
  try {
    for (const src of config.sources) {
      const url = src.url;
      const name = url ?? defined(src.path, ErrorCodes.CONFIG_INVALID, 'CRL sync source url or path');
      let issuer: ReturnType<typeof loadCertificateFile>;
      try {
        issuer = loadCertificateFile(src.issuer);
      } catch (e) {
        out.push(errorOutcome(name, e));
        continue;
      }
      const importOne = (file: string) =>
        store.import(file, issuer, {
          source: name,
          maxBytes,
          now: hooks.now,
          onProgress: (b, n) => hooks.onProgress?.(file, b, n),
        });
      if (url) {
        const state = readState(statePath);
        try {
          const d = await download({
            url,
            dir: join(config.db, 'downloads'),
            known: state[url],
            maxBytes,
            timeoutMs: config.timeoutMs,
            fetchImpl: hooks.fetchImpl,
            onBytes: (b) => hooks.onProgress?.(url, b, 0),
          });
          if (d.status === 'not-modified') {
            out.push({ source: name, result: 'not-modified' });
            continue;
          }
          try {
            const r = importOne(d.file);
            state[url] = { ...d.validators, fingerprint: r.fingerprint };
            writeState(statePath, state);
            out.push(outcomeOf(name, d.file, r));
          } catch (e) {
            // a CRL that is merely not newer is remembered, so it is not fetched again
            if (e instanceof KioskError && e.code === ErrorCodes.CRL_NOT_NEWER) {
              state[url] = { ...d.validators };
              writeState(statePath, state);
            }
            throw e;
          } finally {
            rmSync(d.file, { force: true });
          }
        } catch (e) {
          out.push(errorOutcome(name, e));
        }
      } else {
        out.push(...syncPath(defined(src.path, ErrorCodes.CONFIG_INVALID, 'CRL sync source path'), importOne));
      }
    }
  } finally {
    store.close();
  }
  return out;
}

/** A file, or every *.crl / *.der in a directory: complete CRLs before deltas (a delta failing on its base is retried once). */
function syncPath(path: string, importOne: (file: string) => ImportResult): SyncOutcome[] {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((n) => /\.(crl|der)$/i.test(n))
          .sort()
          .map((n) => join(path, n))
      : [path];
  } catch (e) {
    return [errorOutcome(path, new KioskError(ErrorCodes.CRL_SYNC_FAILED, `cannot read ${path}`, { errno: (e as NodeJS.ErrnoException).code ?? '' }))];
  }
  const out: SyncOutcome[] = [];
  let retry: string[] = [];
  for (let pass = 0; pass < 2; pass++) {
    const next: string[] = [];
    for (const f of pass === 0 ? files : retry) {
      try {
        out.push(outcomeOf(path, f, importOne(f)));
      } catch (e) {
        const k = toKioskError(e);
        if (pass === 0 && k.code === ErrorCodes.CRL_DELTA_BASE_MISMATCH) next.push(f);
        else if (files.length > 1 && k.code === ErrorCodes.CRL_ISSUER_MISMATCH) out.push({ source: path, file: f, result: 'skipped', code: k.code });
        else out.push(errorOutcome(path, e, f));
      }
    }
    retry = next;
  }
  return out;
}
