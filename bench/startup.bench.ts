// Start-up (issue 20): whole commands from the production bundle, each interleaved with its reference in
// the same run (A B A B …), wall time and CPU (user + system, from GNU time).
//   idkiosk --help, idkiosk crl check SERIAL       vs  node -e 0                     target ≤ 1.5×
//   daemon start → /healthz answers                vs  a minimal node HTTP server    target ≤ 2×
// The commands run `node dist/idkiosk.mjs …`, as the package's bin/idkiosk.js does (a checkout's
// bin/idkiosk.js first checks the bundle is fresh: ~300 stat calls, a few ms, not included).
// Alone: npx tsx bench/startup.bench.ts [--runs N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ratioOf, stat, printTable, type BenchRow } from './table.ts';
import { BUNDLE, freePort, kioskFixture, schedNs, startDaemon, stopChild, waitHttp } from './kiosk-fixture.ts';

/** Wall and CPU ms of one command, through GNU time (the `time` Debian package). */
function timed(args: string[], expectStatus: number[]): { wall: number; cpu: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %U %S', process.execPath, ...args], { encoding: 'utf8' });
  const m = /__TIME__ ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m || !expectStatus.includes(r.status ?? -1)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { wall: Number(m[1]) * 1000, cpu: (Number(m[2]) + Number(m[3])) * 1000 };
}

function cliRows(what: string, a: { wall: number; cpu: number }[], ref: { wall: number; cpu: number }[], target: number): BenchRow[] {
  return (['wall', 'cpu'] as const).map((k) => {
    const unit = k === 'wall' ? 'ms' : 'ms CPU';
    const idkiosk = stat(
      a.map((x) => x[k]),
      unit,
    );
    const reference = stat(
      ref.map((x) => x[k]),
      unit,
    );
    const ratio = ratioOf(idkiosk, reference);
    return {
      group: 'startup',
      kind: 'start-up' as const,
      what: `${what} (${k === 'wall' ? 'wall' : 'user+sys CPU'})`,
      idkiosk,
      reference: { name: 'node -e 0', stat: reference },
      ratio,
      target: `≤ ${target}× node -e 0`,
      met: ratio === undefined ? undefined : ratio <= target,
      note: k === 'cpu' ? 'GNU time, 10 ms resolution' : undefined,
    };
  });
}

/** A minimal node HTTP server, started and polled exactly like the daemon. */
async function minimalServer(): Promise<{ ms: number; cpu: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
  try {
    await waitHttp(port, '/healthz', child);
    return { ms: performance.now() - t0, cpu: schedNs(child.pid!) / 1e6 };
  } finally {
    await stopChild(child);
  }
}

export async function run(o: { runs: number; quick?: boolean }): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-bench-startup-'));
  try {
    const fx = await kioskFixture(dir);
    const help: { wall: number; cpu: number }[] = [];
    const check: { wall: number; cpu: number }[] = [];
    const node0: { wall: number; cpu: number }[] = [];
    // one untimed round first: page cache, the SQLite file
    timed(['-e', '0'], [0]);
    timed([BUNDLE, '--help'], [0]);
    timed([BUNDLE, 'crl', 'check', fx.revokedSerial, '--issuer', fx.caPem, '--db', fx.crlDb, '--json'], [1]);
    for (let i = 0; i < o.runs; i++) {
      node0.push(timed(['-e', '0'], [0]));
      help.push(timed([BUNDLE, '--help'], [0]));
      node0.push(timed(['-e', '0'], [0]));
      check.push(timed([BUNDLE, 'crl', 'check', fx.revokedSerial, '--issuer', fx.caPem, '--db', fx.crlDb, '--json'], [1]));
    }

    const daemon: number[] = [];
    const healthz: number[] = [];
    const daemonCpu: number[] = [];
    const server: number[] = [];
    const serverCpu: number[] = [];
    await minimalServer();
    await stopChild((await startDaemon(fx)).child);
    for (let i = 0; i < o.runs; i++) {
      const m = await minimalServer();
      server.push(m.ms);
      serverCpu.push(m.cpu);
      const d = await startDaemon(fx);
      daemonCpu.push(d.cpuAtReadyMs);
      daemon.push(d.readyMs);
      healthz.push(d.healthzMs);
      await stopChild(d.child);
    }
    const dStat = stat(daemon, 'ms');
    const sStat = stat(server, 'ms');
    const dRatio = ratioOf(dStat, sStat);
    return [
      ...cliRows('idkiosk --help', help, node0, 1.5),
      ...cliRows('idkiosk crl check SERIAL (1,000-entry store)', check, node0, 1.5),
      {
        group: 'startup',
        kind: 'daemon',
        what: 'daemon start → READY=1 (--simulated, audit trail, CRL store, trust anchor)',
        idkiosk: dStat,
        reference: { name: 'minimal node http server, spawn → first answer', stat: sStat },
        ratio: dRatio,
        target: '≤ 2× minimal server',
        met: dRatio === undefined ? undefined : dRatio <= 2,
        note: 'spawn to READY=1 on NOTIFY_SOCKET (sent once DB, listeners and drivers are up)',
      },
      {
        group: 'startup',
        kind: 'daemon',
        what: 'daemon start → /healthz answers',
        idkiosk: stat(healthz, 'ms'),
        reference: { name: 'minimal node http server', stat: sStat },
        ratio: ratioOf(stat(healthz, 'ms'), sStat),
        note: 'both polled every 2 ms',
      },
      {
        group: 'startup',
        kind: 'daemon',
        what: 'daemon CPU until READY=1',
        idkiosk: stat(daemonCpu, 'ms CPU'),
        reference: { name: 'minimal node http server, CPU until first answer', stat: stat(serverCpu, 'ms CPU') },
        ratio: ratioOf(stat(daemonCpu, 'ms CPU'), stat(serverCpu, 'ms CPU')),
        target: '≤ 2× (the READY target, applied to CPU)',
        met: (ratioOf(stat(daemonCpu, 'ms CPU'), stat(serverCpu, 'ms CPU')) ?? Infinity) <= 2,
        note: 'all threads, /proc/PID/task/*/schedstat, read as READY=1 (first answer) arrives',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 7;
  console.log(printTable(await run({ runs })));
}
