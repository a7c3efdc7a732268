// A throw-away PostgreSQL cluster for the fleet tests: initdb in a temp dir, pg_ctl on loopback on a free
// port, removed afterwards. PostgreSQL refuses to run as root, so as root (CI, scripts/in-testnet.sh) the
// cluster belongs to the `postgres` user from Debian's package and every server command runs through
// `runuser`; as any other user it runs as that user. The socket directory is the temp dir, so nothing in
// /var/run/postgresql is touched and several clusters run side by side.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';

export interface PgCluster {
  /** postgres://… connection string for the superuser on loopback. */
  url: string;
  port: number;
  dir: string;
  /** pg_ctl stop -m immediate: the crash case (WAL replay on start). */
  crash(): void;
  start(): void;
  /** Stops the server and removes its files. */
  close(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0]!, 'bin');
}

export async function startPostgres(o: { fsync?: boolean; settings?: Record<string, string> } = {}): Promise<PgCluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const pg = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, pg, gid);
  }
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? ['runuser', '-u', 'postgres', '--', join(bin, tool), ...args] : [join(bin, tool), ...args];
    return execFileSync(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    `-c listen_addresses=127.0.0.1`,
    // Tests measure behaviour, not durability against power loss; an immediate stop still replays WAL.
    `-c fsync=${o.fsync ? 'on' : 'off'}`,
    `-c synchronous_commit=${o.fsync ? 'on' : 'off'}`,
    `-c full_page_writes=off`,
    ...Object.entries(o.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`),
  ].join(' ');
  const start = () => void run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
  start();
  const user = asRoot ? 'postgres' : userInfo().username;
  if (!asRoot) run('createdb', ['-h', dir, '-p', String(port), '-U', 'postgres', user]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    crash: () => void run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    start,
    close: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
