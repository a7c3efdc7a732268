// Loading gmrtd's published test data (test/conformance/gmrtd/, MIT, see NOTICE.md): the JSON files keep
// gmrtd's shapes, where a byte string is { "hex": "…" } (or null for "no file").
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GMRTD = join(import.meta.dirname, '../../conformance/gmrtd');
export const MASTER_LISTS = join(GMRTD, 'master_list');
export const IDN_DIR = join(MASTER_LISTS, 'IDN_2010_SERIES_CSCA_CERT');

/** The German and Dutch lists with the root each signer must chain to (as gmrtd pairs them). */
export const LISTS = [
  { country: 'DE', list: join(MASTER_LISTS, 'DE_ML_2026-05-28-08-28-45.ml'), root: join(MASTER_LISTS, 'DE_ROOT_CA_CSCA07.cer') },
  { country: 'NL', list: join(MASTER_LISTS, 'NL_ML_2026-07-22.ml'), root: join(MASTER_LISTS, 'NL_ROOT_CA.cer') },
] as const;

/** A time at which the newest list is published and every sample DSC has been issued. */
export const AT = new Date('2026-08-01T00:00:00Z');

export type Hex = { hex: string } | null | undefined;

export function bytes(h: Hex): Buffer | null {
  return h ? Buffer.from(h.hex, 'hex') : null;
}

export function gmrtdJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(GMRTD, name), 'utf8')) as T;
}

export function certificateFile(path: string): X509Certificate {
  return new X509Certificate(readFileSync(path));
}

export function idnCertificates(): Map<string, X509Certificate> {
  return new Map(readdirSync(IDN_DIR).map((f) => [f.replace(/\.cer$/, ''), certificateFile(join(IDN_DIR, f))]));
}

/** Country of a gmrtd case: its first comment. */
export const label = (c: { comments: string[] | string }) => (Array.isArray(c.comments) ? c.comments[0]! : c.comments);
