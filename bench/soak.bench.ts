// Soak (issue 20): N sessions in each mode through the whole daemon in process (startKiosk: simulated
// reader, session machine, document flows, screen server, audit trail, in-memory printer), with the demo's
// synthetic cards and anchors; RSS and V8 heap sampled (after a full GC) every N/100 sessions.
//   modes: My Number JPKI auth, 4 basic info, JPKI sign, face (券面AP), licence, residence card,
//          passport, age policy (age-20 walk-up, licence), and the demo's own configuration (cards rotated)
// Flat means, after warm-up (the first 10% of sessions): for the heap, the median of the last quarter of the
// samples minus that of the first quarter ≤ 5 MB and the least-squares slope projected over 10,000 sessions
// ≤ 5 MB; for RSS, the highest sample of the last quarter minus the highest of the first ≤ 5 MB (RSS is noisy:
// bench/soak-verdict.ts says why). No reference process. Run it as the unit runs the daemon
// (MALLOC_ARENA_MAX=2, systemd/idkiosk.service).
//   npx tsx bench/soak.bench.ts [--quick] [--sessions N] [--only MODE,…]   (10,000 per mode; --quick 500)
//   npx tsx bench/soak.bench.ts --report FILE    the RSS/heap rows of a SOAK_SERIES file (also of a run stopped early)
//   SOAK_SERIES=FILE appends every sample (mode, sessions, rss, heapUsed, external, arrayBuffers, and residentKB:
//   RSS by kind of mapping, bench/soak-verdict.ts) as a JSON line.
//   SOAK_DIR: where the audit trail goes (default /dev/shm); SOAK_HEAP_SNAPSHOTS=MODE@N,…: heap snapshots.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startKiosk, type Kiosk } from '../daemon/app.ts';
import { parseConfig } from '../daemon/config/config.ts';
import { DEMO_SECRETS } from '../drivers/sim/demo/demo-card-factory.ts';
import type { DemoCard } from '../daemon/server/protocol.ts';
import type { KioskState } from '../daemon/kiosk/session-machine.ts';
import { stat, printTable, type BenchRow } from './table.ts';
import { DemoCardSet } from '../drivers/sim/demo/demo-card-set.ts';
import { flatness, residentBy } from './soak-verdict.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** What the holder types for each secret the kiosk asks for (the demo cards' synthetic values). */
const SECRETS: Record<string, string> = {
  'jpki-auth-pin': DEMO_SECRETS.myNumberPin,
  'mynumber-text-pin': DEMO_SECRETS.myNumberPin,
  'jpki-sign-password': DEMO_SECRETS.myNumberSignPassword,
  'mynumber-check-code-b': DEMO_SECRETS.myNumberCheckCodeB,
  'license-pin1': DEMO_SECRETS.licensePin1,
  'license-pin2': DEMO_SECRETS.licensePin2,
  'residence-card-number': DEMO_SECRETS.residenceCardNumber,
  'passport-document-number': DEMO_SECRETS.passport.documentNumber,
  'passport-birth-date': DEMO_SECRETS.passport.dateOfBirth,
  'passport-expiry-date': DEMO_SECRETS.passport.dateOfExpiry,
};

function residentNow(): Record<string, number> {
  let smaps = '';
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return {};
  }
  // v8Code: the heap used by compiled code (code spaces), to tell JIT warm-up from objects kept
  const code = getHeapSpaceStatistics()
    .filter((sp) => sp.space_name.startsWith('code'))
    .reduce((a, sp) => a + sp.space_used_size, 0);
  return { ...residentBy(smaps), v8: Math.round(getHeapStatistics().total_physical_size / 1024), v8Code: Math.round(code / 1024) };
}

interface Mode {
  name: string;
  /** config blocks on top of the common ones; undefined documents = the default list (the demo's) */
  config: Record<string, unknown>;
  cards: DemoCard[];
}

export const MODES: Mode[] = [
  { name: 'jpki-auth', config: { documents: ['mynumber-jpki-auth'] }, cards: ['mynumber'] },
  { name: '4-info', config: { documents: ['mynumber-info'] }, cards: ['mynumber'] },
  { name: 'sign', config: { documents: ['mynumber-sign'] }, cards: ['mynumber'] },
  { name: 'face', config: { documents: ['mynumber-face'] }, cards: ['mynumber'] },
  { name: 'licence', config: { documents: ['license'] }, cards: ['license'] },
  { name: 'residence', config: { documents: ['residence'] }, cards: ['residence-gen2'] },
  { name: 'passport', config: { documents: ['passport'] }, cards: ['passport'] },
  {
    name: 'age policy',
    config: { documents: ['mynumber-sign', 'mynumber-info', 'license', 'residence', 'passport'], walkUpPolicy: 'age-20' },
    cards: ['license'],
  },
  { name: 'demo', config: {}, cards: ['mynumber', 'license', 'residence-gen2', 'passport'] },
];

const MB = 2 ** 20;

/** The RSS and heap rows of one mode's samples (taken after warm-up, `at` = sessions done). */
function memoryRows(mode: string, sessions: number, warmup: number, at: number[], rss: number[], heap: number[]): BenchRow[] {
  return (
    [
      ['RSS', rss, 'envelope'],
      ['V8 heap used', heap, 'median'],
    ] as const
  ).map(([what, series, rule]) => {
    const f = flatness(at, series, rule);
    const by = rule === 'median' ? 'median' : 'highest';
    return {
      group: 'soak',
      kind: 'in process',
      what: `${mode}: ${what} over ${sessions.toLocaleString('en')} sessions`,
      idkiosk: stat(
        series.map((b) => b / MB),
        'MB',
      ),
      target: rule === 'median' ? 'flat (Δ of quarter medians ≤ 5 MB, slope·10k ≤ 5 MB)' : 'flat (Δ of quarter maxima ≤ 5 MB)',
      met: f.flat,
      note: `after ${warmup} warm-up: first-quarter ${by} ${f.startMB.toFixed(1)} → last-quarter ${f.endMB.toFixed(1)} MB, max ${f.maxMB.toFixed(1)}; slope ${f.perKiloSessionsKB.toFixed(0)} KB/1000 sessions; ${at.length} samples`,
    };
  });
}

interface SeriesLine {
  mode: string;
  sessions: number;
  rss: number;
  heapUsed: number;
}

/** The rows of a SOAK_SERIES file (a run that was stopped early still has its samples so far). */
export function rowsFromSeries(text: string): BenchRow[] {
  const byMode = new Map<string, SeriesLine[]>();
  for (const line of text.split('\n').filter(Boolean)) {
    const l = JSON.parse(line) as SeriesLine;
    byMode.set(l.mode, [...(byMode.get(l.mode) ?? []), l]);
  }
  return [...byMode].flatMap(([mode, ls]) =>
    memoryRows(
      mode,
      ls[ls.length - 1]!.sessions,
      ls[0]!.sessions,
      ls.map((l) => l.sessions),
      ls.map((l) => l.rss),
      ls.map((l) => l.heapUsed),
    ),
  );
}

async function soakMode(mode: Mode, sessions: number, dir: string): Promise<BenchRow[]> {
  const cfg = parseConfig({
    kioskId: `soak-${mode.name.replace(/\W+/g, '-')}`,
    server: { port: 0 },
    audit: { db: join(dir, 'audit.db') },
    health: { port: 0, diskPath: dir },
    ...mode.config,
  });
  const kiosk: Kiosk = await startKiosk({ config: cfg, demo: new DemoCardSet(), version: 'soak', log: () => {} });
  const outcomes = new Map<string, number>();
  let ended = 0;
  let typedFor = '';
  // Waits are woken by the kiosk's own events (no polling loop spinning a core while the session runs).
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const offEnded = kiosk.runtime.events.on('session-ended', ({ result }) => {
    ended++;
    setImmediate(wake);
    const key = result.outcome === 'verified' ? 'verified' : `${result.outcome} (${result.reasons.join('+') || 'no reason'})`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  });
  // Types each secret the moment the kiosk asks for it, as a holder on the keypad would.
  const offState = kiosk.runtime.events.on('state', (s: KioskState) => {
    setImmediate(wake);
    if (s.phase !== 'secret-entry' || !s.entry) return;
    // printed numbers are one form with a review step (entry-fields.ts): confirmed as a holder would
    const review = s.entry.form?.review === true;
    const key = `${s.session}:${s.entry.purpose}${review ? ':review' : ''}`;
    if (key === typedFor) return;
    typedFor = key;
    if (review) {
      setImmediate(() => kiosk.runtime.key('confirm'));
      return;
    }
    const secret = SECRETS[s.entry.purpose];
    if (!secret) throw new Error(`soak: no secret for ${s.entry.purpose}`);
    setImmediate(() => {
      for (const ch of secret) kiosk.runtime.key(ch as never);
      kiosk.runtime.key('enter');
    });
  });
  const until = (cond: () => boolean, what: string, ms = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(deadline);
        waiters.delete(check);
      };
      const check = () => {
        if (!cond()) return;
        done();
        resolve();
      };
      const deadline = setTimeout(() => {
        done();
        reject(new Error(`soak ${mode.name}: no ${what} within ${ms} ms`));
      }, ms);
      waiters.add(check);
      check();
    });
  const every = Math.max(1, Math.floor(sessions / 100));
  const warmup = Math.floor(sessions / 10);
  const at: number[] = [];
  const rss: number[] = [];
  const heap: number[] = [];
  const perSession: number[] = [];
  const snapshotsAt = new Set(
    (process.env.SOAK_HEAP_SNAPSHOTS ?? '')
      .split(',')
      .filter((s) => s.startsWith(`${mode.name}@`))
      .map((s) => Number(s.slice(mode.name.length + 1))),
  );
  try {
    for (let i = 0; i < sessions; i++) {
      const t0 = performance.now();
      const before = ended;
      kiosk.demo!.insert(mode.cards[i % mode.cards.length]!);
      await until(() => ended > before, 'session end');
      kiosk.demo!.remove();
      kiosk.runtime.cancel();
      await until(() => kiosk.runtime.getState().phase === 'idle', 'idle');
      perSession.push(performance.now() - t0);
      const done = i + 1;
      // SOAK_HEAP_SNAPSHOTS=demo@2000,demo@10000: a V8 heap snapshot of that mode after that many sessions,
      // into the temporary directory (to diff by constructor and retainer)
      if (snapshotsAt.has(done)) {
        gc();
        process.stderr.write(`soak: heap snapshot ${writeHeapSnapshot(join(tmpdir(), `soak-${mode.name.replace(/\W+/g, '-')}-${done}.heapsnapshot`))}\n`);
      }
      if (done >= warmup && (done - warmup) % every === 0) {
        gc();
        const m = process.memoryUsage();
        at.push(done);
        rss.push(m.rss);
        heap.push(m.heapUsed);
        // SOAK_SERIES=FILE: every sample as one JSON line, so a long run can be followed and kept whole
        if (process.env.SOAK_SERIES) {
          const line = {
            mode: mode.name,
            sessions: done,
            rss: m.rss,
            heapUsed: m.heapUsed,
            external: m.external,
            arrayBuffers: m.arrayBuffers,
            residentKB: residentNow(),
            at: new Date().toISOString(),
          };
          appendFileSync(process.env.SOAK_SERIES, `${JSON.stringify(line)}\n`);
        }
      }
    }
  } finally {
    offEnded();
    offState();
    await kiosk.stop();
  }
  const verified = outcomes.get('verified') ?? 0;
  const outcomeNote = [...outcomes].map(([k, v]) => `${k} ${v}`).join(', ');
  const rows = memoryRows(mode.name, sessions, warmup, at, rss, heap);
  rows.push({
    group: 'soak',
    kind: 'in process',
    what: `${mode.name}: wall time per session (in process)`,
    idkiosk: stat(perSession, 'ms'),
    note: `outcomes: ${outcomeNote}${verified === sessions ? '' : ' (not all verified)'}`,
  });
  return rows;
}

export async function run(o: { runs: number; quick?: boolean; sessions?: number; only?: string[] }): Promise<BenchRow[]> {
  const sessions = o.sessions ?? (Number(process.env.SOAK_SESSIONS) || (o.quick ? 500 : 10_000));
  const only = o.only ?? process.env.SOAK_MODES?.split(',').filter(Boolean);
  const unknown = only?.filter((n) => !MODES.some((m) => m.name === n)) ?? [];
  if (unknown.length) throw new Error(`soak: unknown mode ${unknown.join(', ')}; known: ${MODES.map((m) => m.name).join(', ')}`);
  const rows: BenchRow[] = [];
  // in the order asked for (SOAK_MODES=licence,demo runs licence first), else the table's order
  const modes = only ? only.map((n) => MODES.find((m) => m.name === n)!) : MODES;
  for (const mode of modes) {
    // The audit trail on tmpfs by default (SOAK_DIR to change): the same statements and fsync calls, without
    // waiting for a shared disk — the soak is about memory, and a session is cheaper.
    const dir = mkdtempSync(join(process.env.SOAK_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()), 'idkiosk-bench-soak-'));
    try {
      const t0 = Date.now();
      rows.push(...(await soakMode(mode, sessions, dir)));
      process.stderr.write(`soak: ${mode.name} ${sessions} sessions in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv.includes('--report')) {
  console.log(printTable(rowsFromSeries(readFileSync(process.argv[process.argv.indexOf('--report') + 1]!, 'utf8'))));
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--sessions');
  const j = process.argv.indexOf('--only');
  const rows = await run({
    runs: 1,
    quick: process.argv.includes('--quick'),
    sessions: i > 0 ? Number(process.argv[i + 1]) : undefined,
    only: j > 0 ? process.argv[j + 1]!.split(',') : undefined,
  });
  console.log(printTable(rows));
}
