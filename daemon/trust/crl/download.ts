// HTTP(S) download of a CRL with conditional requests (ETag / If-Modified-Since), resumption of an
// interrupted transfer (Range + If-Range) into a temporary file, and a hard size limit.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { ensureDir } from './store-layout.ts';

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type DownloadResult = { status: 'not-modified' } | { status: 'downloaded'; file: string; validators: Validators; resumed: boolean };

export interface DownloadOptions {
  url: string;
  dir: string;
  /** validators of the copy already imported */
  known?: Validators;
  maxBytes: number;
  timeoutMs?: number;
  onBytes?: (bytes: number) => void;
  fetchImpl?: typeof fetch;
}

function fail(message: string, detail: Record<string, string | number> = {}): KioskError {
  return new KioskError(ErrorCodes.CRL_SYNC_FAILED, message, detail);
}

export async function download(o: DownloadOptions): Promise<DownloadResult> {
  ensureDir(o.dir);
  const id = createHash('sha256').update(o.url).digest('hex').slice(0, 16);
  const part = join(o.dir, `${id}.part`);
  const partMeta = join(o.dir, `${id}.part.json`);
  const fetchImpl = o.fetchImpl ?? fetch;
  for (let attempt = 0; attempt < 2; attempt++) {
    let offset = 0;
    let partValidators: Validators = {};
    if (existsSync(part) && existsSync(partMeta)) {
      offset = statSync(part).size;
      partValidators = JSON.parse(readFileSync(partMeta, 'utf8')) as Validators;
    }
    const headers: Record<string, string> = { 'user-agent': 'idkiosk-crl-sync' };
    const ifRange = partValidators.etag ?? partValidators.lastModified;
    if (offset > 0 && ifRange) {
      headers.range = `bytes=${offset}-`;
      headers['if-range'] = ifRange;
    } else {
      offset = 0;
      if (o.known?.etag) headers['if-none-match'] = o.known.etag;
      if (o.known?.lastModified) headers['if-modified-since'] = o.known.lastModified;
    }
    let res: Response;
    try {
      res = await fetchImpl(o.url, { headers, signal: AbortSignal.timeout(o.timeoutMs ?? 300_000), redirect: 'follow' });
    } catch (e) {
      throw fail(`cannot fetch ${o.url}`, { error: (e as Error).message });
    }
    if (res.status === 304) return { status: 'not-modified' };
    if (res.status === 416 && offset > 0) {
      rmSync(part, { force: true });
      rmSync(partMeta, { force: true });
      continue; // the partial copy no longer fits the resource: start over
    }
    if (res.status !== 200 && res.status !== 206) throw fail(`HTTP ${res.status} from ${o.url}`, { status: res.status });
    const resumed = res.status === 206 && offset > 0;
    if (!resumed) offset = 0;
    const validators: Validators = {
      etag: res.headers.get('etag') ?? undefined,
      lastModified: res.headers.get('last-modified') ?? undefined,
    };
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(length) && offset + length > o.maxBytes) {
      await res.body?.cancel();
      throw new KioskError(ErrorCodes.CRL_TOO_LARGE, 'CRL download exceeds the size limit', { bytes: offset + length, maxBytes: o.maxBytes });
    }
    writeFileSync(partMeta, JSON.stringify(validators));
    const fd = openSync(part, resumed ? 'a' : 'w');
    let total = offset;
    try {
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          total += chunk.length;
          if (total > o.maxBytes) {
            closeSync(fd);
            rmSync(part, { force: true });
            rmSync(partMeta, { force: true });
            throw new KioskError(ErrorCodes.CRL_TOO_LARGE, 'CRL download exceeds the size limit', { maxBytes: o.maxBytes });
          }
          writeSync(fd, chunk);
          o.onBytes?.(total);
        }
      }
    } catch (e) {
      if (e instanceof KioskError) throw e;
      // keep the partial file and its validators: the next sync resumes from here
      throw fail(`download of ${o.url} interrupted`, { bytes: total, error: (e as Error).message });
    } finally {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    const file = join(o.dir, `${id}.crl`);
    renameSync(part, file);
    rmSync(partMeta, { force: true });
    return { status: 'downloaded', file, validators, resumed };
  }
  throw fail(`cannot resume or restart the download of ${o.url}`);
}
