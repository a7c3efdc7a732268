// Idle cost (issue 20): a started daemon with nobody at the kiosk, CPU per second of wall time over
// ≥ 20 s after it settled, from /proc/PID/stat (utime + stime, 10 ms ticks: the measure) and
// from /proc/PID/task/*/schedstat (ns, all threads), plus how often it is scheduled (context switches).
// Two configurations: production-like (--simulated, audit trail, CRL store, systemd notify + watchdog)
// and the demo (--demo). Target ≤ 1 ms CPU/s. No reference process: the target is absolute.
// Alone: npx tsx bench/idle.bench.ts [--runs N] [--seconds S]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stat, printTable, type BenchRow } from './table.ts';
import { cpuMs, kioskFixture, schedNs, SLOWDOWN, startDaemon, stopChild, wakeups } from './kiosk-fixture.ts';

const SETTLE_MS = 5000 * SLOWDOWN;

async function measure(args: string[], seconds: number, dir: string): Promise<{ statMsPerS: number; schedMsPerS: number; wakesPerS: number }> {
  const fx = await kioskFixture(dir);
  const d = await startDaemon(fx, args);
  try {
    await new Promise((r) => setTimeout(r, SETTLE_MS)); // start-up work and first timers done
    const pid = d.child.pid!;
    const c0 = cpuMs(pid);
    const s0 = schedNs(pid);
    const w0 = wakeups(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const wall = (performance.now() - t0) / 1000;
    return {
      statMsPerS: (cpuMs(pid) - c0) / wall,
      schedMsPerS: (schedNs(pid) - s0) / 1e6 / wall,
      wakesPerS: (wakeups(pid) - w0) / wall,
    };
  } finally {
    await stopChild(d.child);
  }
}

export async function run(o: { runs: number; quick?: boolean; seconds?: number }): Promise<BenchRow[]> {
  const seconds = o.seconds ?? (Number(process.env.IDLE_SECONDS) || (o.quick ? 20 : 30));
  // fewer runs than the others (each window costs half a minute), at least 3 unless IDLE_RUNS says
  const runs = Number(process.env.IDLE_RUNS) || Math.max(3, Math.min(o.runs, o.quick ? 3 : 5));
  const rows: BenchRow[] = [];
  for (const [name, args] of [
    ['production-like (--simulated, audit, CRL store, watchdog)', []],
    ['demo (--demo)', ['--demo']],
  ] as const) {
    const m: { statMsPerS: number; schedMsPerS: number; wakesPerS: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'idkiosk-bench-idle-'));
      try {
        m.push(await measure([...args], seconds, dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const st = stat(
      m.map((x) => x.statMsPerS),
      'ms CPU',
    );
    const sc = stat(
      m.map((x) => x.schedMsPerS),
      'ms CPU',
    );
    rows.push(
      {
        group: 'idle',
        kind: 'daemon',
        what: `idle daemon CPU per second, ${name} — /proc/PID/stat`,
        idkiosk: st,
        target: '≤ 1 ms CPU/s',
        met: st.median <= 1,
        note: `${runs} windows of ${seconds} s after ${SETTLE_MS / 1000} s settling; 10 ms ticks`,
      },
      {
        group: 'idle',
        kind: 'daemon',
        what: `idle daemon CPU per second, ${name} — schedstat, all threads`,
        idkiosk: sc,
        target: '≤ 1 ms CPU/s',
        met: sc.median <= 1,
        note: 'ns resolution',
      },
      {
        group: 'idle',
        kind: 'daemon',
        what: `idle daemon context switches per second, ${name}`,
        idkiosk: stat(
          m.map((x) => x.wakesPerS),
          'count',
        ),
        note: 'all threads',
      },
    );
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (n: string) => (process.argv.indexOf(n) > 0 ? Number(process.argv[process.argv.indexOf(n) + 1]) : undefined);
  console.log(printTable(await run({ runs: arg('--runs') ?? 3, quick: process.argv.includes('--quick'), seconds: arg('--seconds') })));
}
