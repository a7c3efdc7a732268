// `npm run fuzz`: mutation-fuzzes every target in test/fuzz/targets.ts, each in its own process, time-
// boxed, and prints a table (cases, seconds, crashes, hangs, proven verdicts from tampered data). A target whose process prints nothing for
// --stall seconds is killed and counted as a hang at the last case it reported.
//
//   npm run fuzz                                   all targets, 100,000 cases or 180 s each, seed 1
//   npm run fuzz -- --target crl --seconds 30      one target (or several: --target crl,ocsp)
//   npm run fuzz -- --target crl --seed 7 --case 4242   reproduce one case (prints the input, runs it)
//   npm run fuzz -- --target crl --from 98922 --cases 1078   continue a run the time box stopped
//   npm run fuzz -- --fresh                        record new virtual-card sessions first
// The document targets start from sessions recorded from the virtual cards (test/fuzz/recorded.ts) with
// keys generated at run time; they are kept in --recordings (default .test-artifacts/fuzz-recordings) so
// that every target and a later --case run see the same bytes. --fresh discards them.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mutate, type FuzzReport } from '../test/fuzz/engine.ts';
import { TARGETS } from '../test/fuzz/targets.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    seed: { type: 'string', default: '1' },
    cases: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '180' },
    stall: { type: 'string', default: '20' },
    // Until its first case a target only loads and builds its corpus (key generation, virtual-card sessions):
    // minutes on a loaded machine, so the stall watchdog waits this long for the first progress line.
    startup: { type: 'string', default: '300' },
    case: { type: 'string' },
    // Continue a time-boxed run: cases from --from on (the seeds are checked again first).
    from: { type: 'string', default: '0' },
    recordings: { type: 'string', default: resolve(fileURLToPath(new URL('..', import.meta.url)), '.test-artifacts/fuzz-recordings') },
    fresh: { type: 'boolean', default: false },
  },
});
// parseArgs types options with a default as possibly undefined; these three always have one
const recordings = values.recordings ?? '';
const cases = values.cases ?? '';
const from = values.from ?? '0';
if (values.fresh) rmSync(recordings, { recursive: true, force: true });
process.env.IDKIOSK_FUZZ_RECORDINGS = recordings;
const seed = Number(values.seed);
const names = values.target ? values.target.split(',') : Object.keys(TARGETS);
for (const n of names) if (!TARGETS[n]) throw new Error(`unknown target ${n}; targets: ${Object.keys(TARGETS).join(', ')}`);

if (values.case !== undefined) {
  const make = TARGETS[names[0] ?? ''];
  if (!make) throw new Error('no target');
  const target = make();
  const input = mutate(await target.corpus(), seed, Number(values.case));
  console.log(`target ${target.name} seed ${seed} case ${values.case}: ${input.length} bytes\n${input.toString('hex')}`);
  try {
    await target.run(input);
    console.log('no error');
  } catch (e) {
    console.log('threw:', e);
  }
  process.exit(0);
}

const runner = fileURLToPath(new URL('../test/fuzz/run-target.ts', import.meta.url));

function runOne(name: string): Promise<FuzzReport> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner, name, String(seed), cases, String(Number(values.seconds) * 1000), from], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastCase = Number(values.from);
    let report: FuzzReport | null = null;
    let buf = '';
    let timer: NodeJS.Timeout;
    let started = false;
    let killed = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          killed = true;
          child.kill('SIGKILL');
        },
        Number(started ? values.stall : values.startup) * 1000,
      );
    };
    arm();
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('progress ')) {
          lastCase = Number(line.slice(9));
          started = true;
        } else if (line.startsWith('report ')) report = JSON.parse(line.slice(7)) as FuzzReport;
        arm();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      // No report: killed by the watchdog (a hang, at the last case reported), or the process died on its own
      // (its error is on stderr above; e.g. a genuine seed that no longer verifies): a crash, never a pass.
      const hang = killed;
      const why = !killed
        ? `target process exited (code ${code}) without a report; see its stderr above`
        : started
          ? `no progress for ${values.stall} s after case ${lastCase} (killed); reproduce from --case ${lastCase}`
          : `no first case within ${values.startup} s (killed while loading or building the corpus)`;
      resolve(
        report ?? {
          target: name,
          seed,
          cases: lastCase,
          crashes: hang ? 0 : 1,
          hangs: hang ? 1 : 0,
          provenFromTampered: 0,
          ms: 0,
          findings: [{ caseNo: lastCase, kind: hang ? 'hang' : 'crash', error: why, inputHex: '' }],
        },
      );
    });
  });
}

const reports: FuzzReport[] = [];
for (const n of names) {
  const r = await runOne(n);
  reports.push(r);
  console.log(
    `${r.target.padEnd(24)} cases ${String(r.cases).padStart(7)}  crashes ${r.crashes}  hangs ${r.hangs}  proven-from-tampered ${r.provenFromTampered}  ${(r.ms / 1000).toFixed(1)} s`,
  );
  for (const f of r.findings) console.log(`  ${f.kind} case ${f.caseNo}: ${f.error}\n    ${f.inputHex.slice(0, 160)}`);
}
// "stopped by": the case count or the time box, whichever came first.
const maxCases = Number(values.cases);
console.log('\n| target | cases | seconds | stopped by | crashes | hangs | proven-from-tampered |\n|---|---:|---:|---|---:|---:|---:|');
for (const r of reports) {
  const by = r.cases >= maxCases ? 'cases' : r.ms === 0 ? (r.hangs ? 'stall' : 'died') : 'time';
  console.log(`| ${r.target} | ${r.cases} | ${(r.ms / 1000).toFixed(1)} | ${by} | ${r.crashes} | ${r.hangs} | ${r.provenFromTampered ?? 0} |`);
}
process.exit(reports.some((r) => r.crashes || r.hangs || r.provenFromTampered) ? 1 : 0);
