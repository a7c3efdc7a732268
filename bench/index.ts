// `npm run bench` — runs every benchmark file and prints one markdown table (issue 20).
//   npm run bench                      all benchmarks
//   npm run bench -- --only crl        one (or --only startup,idle)
//   npm run bench -- --quick           shorter runs (soak: 500 sessions instead of 10,000)
//   npm run bench -- --runs 9          runs per measured figure (≥ 5; or BENCH_RUNS=9)
// Sizes, by environment, for a quick look (the defaults are what docs/performance.md reports):
//   CRL_BENCH_SIZES=1000000,5000000    CRL sizes (the delta row runs on the largest)
//   SOAK_SESSIONS=10000  SOAK_MODES=demo,passport    sessions per soak mode, which modes
//   IDLE_SECONDS=30  IDLE_RUNS=5       length and number of the idle windows
//   IDLE_REFERENCE_BUNDLE=…/dist/idkiosk.mjs   another build's daemon idling beside each measured one
//   BENCH_LABEL=…                      a line printed above the table (scripts/bench-arm64.sh: "emulated")
// Benchmarks never run in CI. Each file exports run(o) → BenchRow[] and can also be run alone.
import { printTable, type BenchRow } from './table.ts';

interface BenchModule {
  run(o: { runs: number; quick?: boolean }): Promise<BenchRow[]>;
}

/** One line per benchmark file: name → module loader. Add yours here (re-read the file before editing). */
const BENCHES: Record<string, () => Promise<BenchModule>> = {
  startup: () => import('./startup.bench.ts'),
  idle: () => import('./idle.bench.ts'),
  soak: () => import('./soak.bench.ts'),
  crl: () => import('./crl.bench.ts'),
  passport: () => import('./passport.bench.ts'),
};

function parseArgs(argv: string[]): { only?: string[]; quick: boolean; runs: number } {
  let only: string[] | undefined;
  let quick = false;
  let runs = Number(process.env.BENCH_RUNS ?? 7);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a.startsWith('--runs=')) runs = Number(a.slice(7));
    else throw new Error(`unknown argument ${a} (use --only NAME[,NAME], --quick, --runs N)`);
  }
  if (!Number.isInteger(runs) || runs < 5) throw new Error('--runs / BENCH_RUNS must be an integer ≥ 5 (the contract asks for ≥ 5 runs)');
  return { only, quick, runs };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const names = o.only ?? Object.keys(BENCHES);
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  const rows: BenchRow[] = [];
  for (const name of names) {
    process.stderr.write(`bench: ${name}…\n`);
    const t0 = Date.now();
    const mod = await BENCHES[name]!();
    const own = await mod.run({ runs: o.runs, quick: o.quick });
    rows.push(...own);
    // its rows now, on stderr: a long run (emulated arm64: hours) that dies later still leaves them
    process.stderr.write(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n${printTable(own)}\n`);
  }
  const { cpus, loadavg } = await import('node:os');
  console.log(
    `${process.env.BENCH_LABEL ? `${process.env.BENCH_LABEL}\n\n` : ''}idkiosk benchmarks — ${new Date().toISOString()}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, node ${process.version}, ${o.runs} runs per figure, load average at the end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
  console.log(printTable(rows));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
