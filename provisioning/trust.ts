// `provision trust add|list|remove`: trust anchors per purpose, copied into the config directory and
// listed in the config. Every anchor is shown with its SHA-256 fingerprint; adding one needs the
// technician to confirm that fingerprint (--fingerprint, compared against the issuer's published value)
// or an explicit --yes. CSCA master lists (CMS, for the passport module) are stored as files; the
// operator's key (for sealed audit data) becomes audit.operatorKey.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { keyFingerprint, writeFileAtomic } from '../daemon/device/device-key.ts';
import { parseOperatorKey } from '../daemon/audit/seal.ts';
import { TRUST_PURPOSES, type TrustPurpose } from '../daemon/config/config.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';
import { fingerprintSha256, parseCertificates } from '../daemon/trust/trust-store.ts';
import { layout, loadValidConfig, writeConfig } from './config-file.ts';
import { markStep } from './state.ts';
import { at } from '../core/checked.ts';

export const PURPOSES = [...TRUST_PURPOSES, 'operator'] as const;
export type Purpose = TrustPurpose | 'operator';

export interface AnchorInfo {
  purpose: Purpose | 'cscaMasterList';
  fingerprintSha256: string;
  subject: string;
  notAfter: string | null;
  file: string;
  expired?: boolean;
}

const colon = (hex: string) => (hex.match(/../g) ?? []).join(':');
const normFp = (s: string) => s.replace(/[^0-9a-f]/gi, '').toUpperCase();

function isCmsMasterList(buf: Buffer): boolean {
  // A DER CMS ContentInfo starts with SEQUENCE { OID 1.2.840.113549.1.7.2 (signedData) … }
  return buf.includes(Buffer.from('06092a864886f70d010702', 'hex')) && !buf.toString('latin1').includes('BEGIN CERTIFICATE');
}

export interface AddOptions {
  configFile: string;
  purpose: string;
  file: string;
  /** Fingerprint(s) the technician read from the issuer's publication; every anchor must match one. */
  fingerprints?: string[];
  yes?: boolean;
  now?: Date;
}

export interface AddResult {
  added: AnchorInfo[];
  unchanged: AnchorInfo[];
  /** Present when confirmation is still needed: nothing was written. */
  needsConfirmation?: AnchorInfo[];
}

function confirm(found: AnchorInfo[], o: AddOptions): AnchorInfo[] | null {
  const wanted = (o.fingerprints ?? []).map(normFp);
  if (wanted.length) {
    const unmatched = found.filter((a) => !wanted.includes(a.fingerprintSha256));
    if (unmatched.length) {
      throw new KioskError(
        ErrorCodes.TRUST_ANCHOR_LOAD,
        `fingerprint mismatch: ${unmatched.map((a) => colon(a.fingerprintSha256)).join(', ')} is not the fingerprint you confirmed — do not install this file`,
      );
    }
    return null;
  }
  return o.yes ? null : found;
}

export function trustAdd(o: AddOptions): AddResult {
  if (!(PURPOSES as readonly string[]).includes(o.purpose)) {
    throw new KioskError(ErrorCodes.USAGE, `unknown purpose '${o.purpose}' (one of: ${PURPOSES.join(', ')})`);
  }
  const { raw } = loadValidConfig(o.configFile);
  const paths = layout(o.configFile);
  const content = readFileSync(o.file);
  const now = o.now ?? new Date();

  if (o.purpose === 'operator') {
    const key = parseOperatorKey(content, o.file);
    const info: AnchorInfo = {
      purpose: 'operator',
      fingerprintSha256: keyFingerprint(key),
      subject: 'operator audit key (EC P-256)',
      notAfter: null,
      file: paths.operatorKey,
    };
    const need = confirm([info], o);
    if (need) return { added: [], unchanged: [], needsConfirmation: need };
    const same = existsSync(paths.operatorKey) && keyFingerprint(parseOperatorKey(readFileSync(paths.operatorKey))) === info.fingerprintSha256;
    if (!same) writeFileAtomic(paths.operatorKey, key.export({ type: 'spki', format: 'pem' }) as string, 0o640);
    raw.audit = { ...(raw.audit ?? {}), operatorKey: paths.operatorKey };
    writeConfig(o.configFile, raw);
    markStep(paths.state, 'trust');
    return same ? { added: [], unchanged: [info] } : { added: [info], unchanged: [] };
  }

  if (o.purpose === 'csca' && isCmsMasterList(content)) {
    const fp = createHash('sha256').update(content).digest('hex').toUpperCase();
    const dest = join(paths.masterListDir, `${fp.slice(0, 16)}.ml`);
    const info: AnchorInfo = { purpose: 'cscaMasterList', fingerprintSha256: fp, subject: 'CSCA master list (CMS)', notAfter: null, file: dest };
    const need = confirm([info], o);
    if (need) return { added: [], unchanged: [], needsConfirmation: need };
    // The daemon loads trust.csca entries as certificates or master lists (detected by content).
    const csca: string[] = [...((raw.trust?.csca as string[] | undefined) ?? [])];
    const listed = csca.includes(dest);
    if (existsSync(dest) && listed) return { added: [], unchanged: [info] };
    mkdirSync(paths.masterListDir, { recursive: true });
    if (!existsSync(dest)) copyFileSync(o.file, dest);
    if (!listed) {
      raw.trust = { ...(raw.trust ?? {}), csca: [...csca, dest] };
      writeConfig(o.configFile, raw);
    }
    markStep(paths.state, 'trust');
    return { added: [info], unchanged: [] };
  }

  const certs = parseCertificates(content, o.file);
  const found: AnchorInfo[] = certs.map((c) => ({
    purpose: o.purpose as Purpose,
    fingerprintSha256: fingerprintSha256(c.raw),
    subject: c.subject.replace(/\n/g, ', '),
    notAfter: new Date(c.validTo).toISOString(),
    file: join(paths.trustDir(o.purpose), `${fingerprintSha256(c.raw).slice(0, 16)}.pem`),
    expired: new Date(c.validTo) < now,
  }));
  for (const [i, c] of certs.entries()) {
    if (!c.ca)
      throw new KioskError(
        ErrorCodes.TRUST_BASIC_CONSTRAINTS,
        `${o.file}: certificate ${colon(at(found, i).fingerprintSha256)} is not a CA certificate (basicConstraints cA is false)`,
      );
    const f = at(found, i);
    if (f.expired) throw new KioskError(ErrorCodes.TRUST_CERT_EXPIRED, `${o.file}: certificate ${f.subject} expired on ${f.notAfter}`);
  }
  const need = confirm(found, o);
  if (need) return { added: [], unchanged: [], needsConfirmation: need };
  const purpose = o.purpose as TrustPurpose;
  const list: string[] = [...((raw.trust?.[purpose] as string[] | undefined) ?? [])];
  const result: AddResult = { added: [], unchanged: [] };
  for (const [i, c] of certs.entries()) {
    const a = at(found, i);
    const already = list.includes(a.file) && existsSync(a.file);
    if (!already) {
      writeFileAtomic(a.file, c.toString(), 0o640);
      if (!list.includes(a.file)) list.push(a.file);
      result.added.push(a);
    } else result.unchanged.push(a);
  }
  raw.trust = { ...(raw.trust ?? {}), [purpose]: list };
  writeConfig(o.configFile, raw);
  markStep(paths.state, 'trust');
  return result;
}

export function trustList(configFile: string, now = new Date()): AnchorInfo[] {
  const { config } = loadValidConfig(configFile);
  const paths = layout(configFile);
  const out: AnchorInfo[] = [];
  for (const p of TRUST_PURPOSES) {
    for (const file of config.trust[p]) {
      if (p === 'csca' && file.startsWith(paths.masterListDir)) continue; // listed below, as a master list
      if (!existsSync(file)) {
        out.push({ purpose: p, fingerprintSha256: '', subject: '(file missing)', notAfter: null, file });
        continue;
      }
      for (const c of parseCertificates(readFileSync(file), file)) {
        out.push({
          purpose: p,
          fingerprintSha256: fingerprintSha256(c.raw),
          subject: c.subject.replace(/\n/g, ', '),
          notAfter: new Date(c.validTo).toISOString(),
          file,
          expired: new Date(c.validTo) < now,
        });
      }
    }
  }
  if (existsSync(paths.masterListDir)) {
    for (const f of readdirSync(paths.masterListDir)
      .filter((x) => x.endsWith('.ml'))
      .sort()) {
      const file = join(paths.masterListDir, f);
      out.push({
        purpose: 'cscaMasterList',
        fingerprintSha256: createHash('sha256').update(readFileSync(file)).digest('hex').toUpperCase(),
        subject: 'CSCA master list (CMS)',
        notAfter: null,
        file,
      });
    }
  }
  if (config.audit.operatorKey && existsSync(config.audit.operatorKey)) {
    out.push({
      purpose: 'operator',
      fingerprintSha256: keyFingerprint(parseOperatorKey(readFileSync(config.audit.operatorKey))),
      subject: 'operator audit key (EC P-256)',
      notAfter: null,
      file: config.audit.operatorKey,
    });
  }
  return out;
}

/** Removes the anchor whose fingerprint starts with `fp` (at least 8 hex digits) from a purpose. */
export function trustRemove(configFile: string, purpose: string, fp: string): AnchorInfo {
  const want = normFp(fp);
  if (want.length < 8) throw new KioskError(ErrorCodes.USAGE, 'give at least 8 hex digits of the fingerprint');
  const { raw } = loadValidConfig(configFile);
  const match = trustList(configFile).find(
    (a) => (a.purpose === purpose || (purpose === 'csca' && a.purpose === 'cscaMasterList')) && a.fingerprintSha256.startsWith(want),
  );
  if (!match) throw new KioskError(ErrorCodes.USAGE, `no ${purpose} anchor with fingerprint ${fp}`);
  if (match.purpose === 'operator') {
    if (raw.audit?.personalData) throw new KioskError(ErrorCodes.CONFIG_INVALID, 'audit.personalData is on: turn it off before removing the operator key');
    if (raw.audit) delete raw.audit.operatorKey;
  } else {
    const p = (match.purpose === 'cscaMasterList' ? 'csca' : purpose) as TrustPurpose;
    raw.trust = { ...(raw.trust ?? {}), [p]: ((raw.trust?.[p] as string[]) ?? []).filter((f) => f !== match.file) };
  }
  writeConfig(configFile, raw);
  // a master list is its file; an anchor file may still be listed under another purpose
  const stillUsed = match.purpose !== 'cscaMasterList' && trustList(configFile).some((a) => a.file === match.file);
  if (!stillUsed) rmSync(match.file, { force: true });
  return match;
}

export { colon as formatFingerprint };
