// After every provisioning step: give everything provisioning keeps next to the config (the config, the
// device key, certificates, trust anchors, the CRL sync config, the progress file) the owner and mode of
// provisioning/ownership.ts, and hand the CRL store the first sync created over to the service account.
// The same walk, read-only, is the selftest's file-ownership check.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { layout } from './config-file.ts';
import { applyOwnership, handOverTree, ownershipProblem, type FileRole, type ServiceAccount } from './ownership.ts';

/** Every provisioned path that exists, with its role. The trust/ tree is provisioning's own. */
export function provisionedPaths(configFile: string): { path: string; role: FileRole }[] {
  const p = layout(configFile);
  const out: { path: string; role: FileRole }[] = [];
  if (dedicatedDir(configFile)) out.push({ path: p.dir, role: 'dir' });
  for (const f of [configFile, p.deviceCsr, p.deviceCert, p.fleetCa, p.operatorKey, p.crlSync, p.state]) {
    if (existsSync(f)) out.push({ path: f, role: 'config' });
  }
  if (existsSync(p.deviceKey)) out.push({ path: p.deviceKey, role: 'secret' });
  const walk = (d: string) => {
    out.push({ path: d, role: 'dir' });
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.includes('.tmp-')) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile()) out.push({ path: join(d, e.name), role: 'config' });
    }
  };
  const trust = join(p.dir, 'trust');
  if (existsSync(trust) && lstatSync(trust).isDirectory()) walk(trust);
  return out;
}

/**
 * The config directory is changed only when it holds nothing but provisioning's files: `--config
 * /etc/foo.json` must never chmod /etc.
 */
export function dedicatedDir(configFile: string): boolean {
  const p = layout(configFile);
  const ours = new Set([configFile, p.deviceKey, p.deviceCsr, p.deviceCert, p.fleetCa, p.operatorKey, p.crlSync, p.state].map((f) => basename(f)));
  ours.add('trust');
  try {
    return readdirSync(p.dir).every((n) => ours.has(n) || n.includes('.tmp-'));
  } catch {
    return false;
  }
}

export function secureProvisionedFiles(configFile: string, account: ServiceAccount, crlStore?: string): void {
  for (const { path, role } of provisionedPaths(configFile)) applyOwnership(path, role, account);
  if (crlStore && existsSync(crlStore)) handOverTree(crlStore, account);
}

/**
 * Each provisioned path whose owner or mode is not what the service account needs; and the CRL store
 * (written by the sync service as that account) when it is owned by someone else or open to others.
 */
export function ownershipProblems(configFile: string, account: ServiceAccount, crlStore?: string): string[] {
  const problems = provisionedPaths(configFile)
    .map(({ path, role }) => ownershipProblem(path, role, account))
    .filter((x): x is string => x !== null);
  if (crlStore && existsSync(crlStore)) {
    const st = lstatSync(crlStore);
    if (st.uid !== account.uid) problems.push(`${crlStore}: owner uid ${st.uid}, want ${account.uid} (the CRL sync service writes it)`);
    if (st.mode & 0o007) problems.push(`${crlStore}: mode ${(st.mode & 0o7777).toString(8)} lets other users in`);
  }
  return problems;
}
