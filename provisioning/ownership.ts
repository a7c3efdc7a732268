// Who may read what provisioning writes. The daemon runs as the package's system user (idkiosk); systemd
// does not chown ConfigurationDirectory= (/etc/idkiosk), so files a technician writes there as root stay
// root's unless provisioning hands them over. The rule (docs/operations.md, "File ownership"):
//
// - the device key:              owner = service user, group = service group, 0600
// - every other provisioned file: owner = root,         group = service group, 0640 (0644 never)
// - their directories:            owner = root,         group = service group, 0750
//
// So the service reads its configuration, trust anchors and key, no other local user reads any of them,
// and a compromised daemon cannot rewrite its own trust anchors or configuration (only root can).
// Run without root (a developer's checkout), nothing can be chowned: the files belong to the caller,
// who is then the "service user" as far as the checks go.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, KioskError } from '../core/errors.ts';

export const SERVICE_USER = 'idkiosk';

export interface ServiceAccount {
  /** name as given (or the numeric form) — for messages */
  name: string;
  uid: number;
  gid: number;
}

const isRoot = () => process.getuid?.() === 0;

function idOf(flag: '-u' | '-g', user: string): number | undefined {
  try {
    const out = execFileSync('id', [flag, '--', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return /^\d+$/.test(out) ? Number(out) : undefined;
  } catch {
    return undefined;
  }
}

function groupId(group: string): number | undefined {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    const line = execFileSync('getent', ['group', group], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const gid = line.split(':')[2];
    return gid && /^\d+$/.test(gid) ? Number(gid) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The account the daemon runs as. `spec` is USER, USER:GROUP or UID:GID (numbers need not exist in
 * /etc/passwd — tests use them). Without a spec: the package's `idkiosk` user when run as root (an error
 * if the package did not create it — files left to root would make the service fail with EACCES), and
 * the calling user otherwise.
 */
export function resolveServiceAccount(spec?: string): ServiceAccount {
  if (spec === undefined) {
    if (!isRoot()) return { name: `uid ${process.getuid?.() ?? -1}`, uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
    spec = SERVICE_USER;
  }
  const [user, group] = spec.split(':', 2) as [string, string | undefined];
  const uid = /^\d+$/.test(user) ? Number(user) : idOf('-u', user);
  if (uid === undefined) {
    throw new KioskError(
      ErrorCodes.USAGE,
      `no user '${user}' on this machine: install the idkiosk package (its sysusers.d entry creates it; or run systemd-sysusers), or name the service account with --owner USER[:GROUP]`,
    );
  }
  const gid = group !== undefined ? groupId(group) : /^\d+$/.test(user) ? uid : idOf('-g', user);
  if (gid === undefined) throw new KioskError(ErrorCodes.USAGE, `no group '${group ?? user}' on this machine (--owner ${spec})`);
  return { name: spec, uid, gid };
}

export type FileRole = 'secret' | 'config' | 'dir';

/** The owner and mode a provisioned path must have. */
export function wanted(role: FileRole, a: ServiceAccount): { uid: number; gid: number; mode: number } {
  const rootUid = isRoot() ? 0 : a.uid;
  if (role === 'secret') return { uid: a.uid, gid: a.gid, mode: 0o600 };
  if (role === 'dir') return { uid: rootUid, gid: a.gid, mode: 0o750 };
  return { uid: rootUid, gid: a.gid, mode: 0o640 };
}

/** Give a provisioned path its owner and mode (no-op for owners when not root: only root can chown). */
export function applyOwnership(path: string, role: FileRole, a: ServiceAccount): void {
  const w = wanted(role, a);
  if (isRoot()) chownSync(path, w.uid, w.gid);
  chmodSync(path, w.mode);
}

/**
 * A directory tree the service writes to and provisioning created as root (the CRL store after the first
 * sync): hand all of it to the service account, modes kept but never readable by others.
 */
export function handOverTree(path: string, a: ServiceAccount): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (isRoot()) chownSync(path, a.uid, a.gid);
  chmodSync(path, st.mode & 0o7770);
  if (st.isDirectory()) for (const e of readdirSync(path)) handOverTree(join(path, e), a);
}

/** What is wrong with a path's owner and mode, or null. Group-writable and other-accessible are always wrong. */
export function ownershipProblem(path: string, role: FileRole, a: ServiceAccount): string | null {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    return `${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  if (st.isSymbolicLink()) return `${path} is a symbolic link`;
  const w = wanted(role, a);
  const mode = st.mode & 0o7777;
  const problems: string[] = [];
  if (st.uid !== w.uid) problems.push(`owner uid ${st.uid}, want ${w.uid}`);
  if (st.gid !== w.gid) problems.push(`group gid ${st.gid}, want ${w.gid}`);
  if (mode !== w.mode) problems.push(`mode ${mode.toString(8).padStart(4, '0')}, want ${w.mode.toString(8).padStart(4, '0')}`);
  return problems.length ? `${path}: ${problems.join(', ')}` : null;
}
