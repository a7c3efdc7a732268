// Deployment settings for the passport (config block `passport`):
//   masterListSigners      certificate files (PEM/DER) of the parties whose signature makes an ICAO CSCA
//                          master list in trust.csca acceptable: either the master-list signer certificate
//                          itself, or the CA (a CSCA) that issued it — then the signer must carry the
//                          master-list-signer extKeyUsage 2.23.136.1.1.3. A master list whose CMS signature does
//                          not verify, or whose signer is neither, is refused at load (TRUST_ANCHOR_LOAD):
//                          a list is only as trustworthy as its signer. Default [] (master lists refused;
//                          single CSCA certificates in trust.csca still load).
//   cscaCountryExceptions  [{ issuingState: 'XXX', cscaCountry: 'YY' }]: passports of DG1 issuing state
//                          XXX (ICAO 9303-3 code) may chain to a CSCA whose subject C is YY. Without an
//                          entry the CSCA country must be the issuing state's (issuing-state.ts). Default [].
import { X509Certificate } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { loadCscaFile } from './pki/csca-store.ts';
import { parseCertificates } from '../../trust/trust-store.ts';
import { readFileSync } from 'node:fs';
import type { CscaCountryException } from './passport-verdict.ts';

export interface PassportConfig {
  masterListSigners: string[];
  cscaCountryExceptions: CscaCountryException[];
}

export const DEFAULT_PASSPORT_CONFIG: PassportConfig = { masterListSigners: [], cscaCountryExceptions: [] };

const fail = (path: string, msg: string): never => {
  throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${path}: ${msg}`, { field: path });
};

export function parsePassportConfig(raw: unknown): PassportConfig {
  if (raw === undefined) return { masterListSigners: [], cscaCountryExceptions: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('passport', 'must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['masterListSigners', 'cscaCountryExceptions'].includes(k)) fail(`passport.${k}`, 'unknown setting (known: masterListSigners, cscaCountryExceptions)');
  const signers = o.masterListSigners ?? [];
  if (!Array.isArray(signers) || signers.some((s) => typeof s !== 'string' || s === '')) fail('passport.masterListSigners', 'must be a list of certificate file paths');
  const ex = o.cscaCountryExceptions ?? [];
  if (!Array.isArray(ex)) fail('passport.cscaCountryExceptions', 'must be a list of { issuingState, cscaCountry }');
  const cscaCountryExceptions = (ex as unknown[]).map((e, i) => {
    const path = `passport.cscaCountryExceptions[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return fail(path, 'must be an object { issuingState, cscaCountry }');
    const x = e as Record<string, unknown>;
    for (const k of Object.keys(x)) if (!['issuingState', 'cscaCountry'].includes(k)) fail(`${path}.${k}`, 'unknown setting (known: issuingState, cscaCountry)');
    if (typeof x.issuingState !== 'string' || !/^[A-Z]{1,3}$/.test(x.issuingState)) fail(`${path}.issuingState`, 'must be an ICAO 9303-3 issuing-state code (1–3 capital letters, e.g. "RKS")');
    if (typeof x.cscaCountry !== 'string' || !/^[A-Z]{2}$/.test(x.cscaCountry)) fail(`${path}.cscaCountry`, 'must be a two-letter country code as in the CSCA subject (e.g. "XK")');
    return { issuingState: x.issuingState as string, cscaCountry: x.cscaCountry as string };
  });
  return { masterListSigners: [...(signers as string[])], cscaCountryExceptions };
}

/** The certificates of passport.masterListSigners. */
export function loadMasterListSigners(paths: readonly string[]): X509Certificate[] {
  return paths.flatMap((p) => {
    let content: Buffer;
    try {
      content = readFileSync(p);
    } catch (e) {
      throw new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, `cannot read master-list signer file ${p}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    return parseCertificates(content, p);
  });
}

/** trust.csca entries (certificates and master lists), master lists checked against the configured signers. */
export function loadCscaFiles(files: readonly string[], cfg: PassportConfig = DEFAULT_PASSPORT_CONFIG): X509Certificate[] {
  const masterListSigners = loadMasterListSigners(cfg.masterListSigners);
  return files.flatMap((f) => loadCscaFile(f, { masterListSigners }));
}
