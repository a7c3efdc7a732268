// The command line that runs an image decoder (opj_decompress, tifftopnm) inside a bubblewrap sandbox.
// Why: the decoders are native code parsing bytes straight off a card (issue 17). Even after the document's
// signature has been checked, a bug in libopenjp2 or libtiff must not give a card's author the daemon's
// powers. Inside the sandbox the decoder sees only /usr read-only (programs and libraries), a private empty
// /tmp, and the one directory it must write (opj_decompress works on files); it has no /etc (so no
// /etc/idkiosk and no device key), no /var, /run or /home, no /proc, and its own user, PID, IPC and network
// namespaces (a network namespace holds only a loopback of its own, so nothing on the host is reachable).
// It runs as nobody with no capabilities, in a new session (no terminal injection), and dies with its parent.
import { existsSync, lstatSync, readlinkSync, type Stats } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** bubblewrap (Debian package "bubblewrap", a dependency of the idkiosk package). */
export const BWRAP = '/usr/bin/bwrap';

/** Where a decoder is looked up: the system directories only, never the daemon's own PATH. */
export const SANDBOX_PATH = '/usr/bin:/bin';

/** A tool name resolved to the absolute path the sandbox will show it at, or null when it is not installed. */
export function resolveTool(tool: string, searchPath: string = SANDBOX_PATH): string | null {
  if (isAbsolute(tool)) return existsSync(tool) ? tool : null;
  if (tool.includes('/')) return null;
  for (const dir of searchPath.split(delimiter)) {
    const p = join(dir, tool);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/**
 * The top-level paths a merged-/usr system links into /usr (/bin → usr/bin, /lib → usr/lib, …), recreated
 * as the same symlinks inside the sandbox; a real directory there (an older layout) is bound read-only.
 */
function rootLinks(): string[] {
  const out: string[] = [];
  for (const p of ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32']) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) out.push('--symlink', readlinkSync(p), p);
    else if (st.isDirectory()) out.push('--ro-bind', p, p);
  }
  return out;
}

export interface SandboxOptions {
  bwrap?: string;
  /** The only host directory the decoder may write (bound read-write at the same path), and its working directory. */
  writableDir?: string | null;
}

/** argv for running `tool args…` (tool: an absolute path from resolveTool) inside the sandbox. */
export function sandboxedCommand(tool: string, args: readonly string[], o: SandboxOptions = {}): [string, string[]] {
  const bwrapArgs = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv',
    'PATH',
    SANDBOX_PATH,
    '--ro-bind',
    '/usr',
    '/usr',
    ...rootLinks(),
    // The loader's cache of library paths (not secret; without it multiarch libraries may not be found).
    '--ro-bind-try',
    '/etc/ld.so.cache',
    '/etc/ld.so.cache',
    '--tmpfs',
    '/tmp',
  ];
  // A decoder installed outside /usr (tests, /usr/local is under /usr) is made visible, read-only, alone.
  if (!tool.startsWith('/usr/')) bwrapArgs.push('--ro-bind', tool, tool);
  if (o.writableDir) bwrapArgs.push('--bind', o.writableDir, o.writableDir, '--chdir', o.writableDir);
  else bwrapArgs.push('--chdir', '/tmp');
  return [o.bwrap ?? BWRAP, [...bwrapArgs, '--', tool, ...args]];
}

/** bubblewrap reports its own failures (no user namespaces, a bind that failed) with this prefix on stderr. */
export function isSandboxFailure(stderr: string): boolean {
  return /^bwrap: /m.test(stderr);
}
