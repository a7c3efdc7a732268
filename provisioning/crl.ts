// `provision crl`: where the CRLs come from (the file `idkiosk crl sync` and its timer read) and the first
// sync, so the kiosk does not start its life failing closed on "revocation unknown".
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../daemon/device/device-key.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';
import { loadSyncConfig, syncCrls, type SyncConfig, type SyncOutcome } from '../daemon/trust/crl/sync.ts';
import { layout, loadValidConfig } from './config-file.ts';
import { markStep } from './state.ts';

export interface CrlOptions {
  configFile: string;
  sources: { source: string; issuer: string }[];
  sync: boolean;
}

export async function provisionCrl(o: CrlOptions): Promise<{ syncConfig: string; sources: number; outcomes: SyncOutcome[] }> {
  const { config } = loadValidConfig(o.configFile);
  if (!config.revocation.crlDb) throw new KioskError(ErrorCodes.CONFIG_INVALID, 'revocation.crlDb is not set (run provision init)');
  const paths = layout(o.configFile);
  const current: SyncConfig = existsSync(paths.crlSync) ? loadSyncConfig(paths.crlSync) : { db: config.revocation.crlDb, sources: [] };
  current.db = config.revocation.crlDb;
  for (const s of o.sources) {
    if (!existsSync(s.issuer)) throw new KioskError(ErrorCodes.USAGE, `--issuer ${s.issuer} does not exist`);
    const isUrl = /^https?:\/\//i.test(s.source);
    const entry = isUrl ? { url: s.source, issuer: resolve(s.issuer) } : { path: resolve(s.source), issuer: resolve(s.issuer) };
    const key = JSON.stringify(entry);
    if (!current.sources.some((x) => JSON.stringify(x) === key)) current.sources.push(entry);
  }
  if (!current.sources.length) throw new KioskError(ErrorCodes.USAGE, 'no CRL source configured: give --source URL|PATH --issuer CA.pem');
  writeFileAtomic(paths.crlSync, JSON.stringify(current, null, 2) + '\n', 0o640);
  const outcomes = o.sync ? await syncCrls(current) : [];
  if (outcomes.some((x) => x.result === 'error')) {
    markStep(paths.state, 'crl', 'sync failed');
  } else markStep(paths.state, 'crl', `${current.sources.length} sources`);
  return { syncConfig: paths.crlSync, sources: current.sources.length, outcomes };
}
