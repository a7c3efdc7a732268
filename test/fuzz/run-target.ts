// Runs one fuzz target in this process (scripts/fuzz.ts starts one per target and watches it):
//   run-target.ts <target> <seed> <maxCases> <budgetMs> [firstCase]
// prints `progress <case>` lines while it runs and one `report <json>` line at the end.
import { fuzz } from './engine.ts';
import { TARGETS } from './targets.ts';

const [name, seed, maxCases, budgetMs, firstCase] = process.argv.slice(2);
const make = TARGETS[name ?? ''];
if (!make) {
  process.stderr.write(`unknown target ${name}; targets: ${Object.keys(TARGETS).join(', ')}\n`);
  process.exit(2);
}
let last = 0;
let lastAt = 0;
const report = await fuzz(make(), {
  seed: Number(seed),
  maxCases: Number(maxCases),
  budgetMs: Number(budgetMs),
  firstCase: Number(firstCase ?? 0),
  progress: (c) => {
    // Every 500 cases or every second, whichever first: often enough for the watchdog to name the
    // neighbourhood of a hang (and to see a slow target is alive on a loaded machine), rarely enough to cost nothing.
    const now = performance.now();
    if (c - last >= 500 || now - lastAt >= 1000 || c === Number(firstCase ?? 0)) {
      last = c;
      lastAt = now;
      process.stdout.write(`progress ${c}\n`);
    }
  },
});
process.stdout.write(`report ${JSON.stringify(report)}\n`);
