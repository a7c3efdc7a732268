// The fuzz targets on a short budget in the normal test suite (~1 s each; `npm run fuzz` runs them for
// 100,000 cases or 3 minutes): only KioskError escapes (or nothing, for the validators), no case hangs.
// Plus the engine's own contract: a case is reproducible from (seed, case number), and a target that
// throws a plain Error is reported as a crash — a harness that cannot find anything would prove nothing.
import { describe, expect, it } from 'vitest';
import { fuzz, mutate, type FuzzTarget } from './engine.ts';
import { TARGETS } from './targets.ts';

describe('fuzz engine', () => {
  it('a case is a pure function of (corpus, seed, case number)', () => {
    const corpus = [Buffer.from('30 03 02 01 05'.replace(/ /g, ''), 'hex'), Buffer.from('hello')];
    for (let c = 0; c < 50; c++) expect(mutate(corpus, 7, c)).toEqual(mutate(corpus, 7, c));
    const distinct = new Set(Array.from({ length: 200 }, (_, c) => mutate(corpus, 7, c).toString('hex')));
    expect(distinct.size).toBeGreaterThan(100);
  });

  it('reports a plain Error as a crash, with the case number that reproduces it', async () => {
    const buggy: FuzzTarget = {
      name: 'buggy',
      corpus: () => [Buffer.from('abcdefgh')],
      run: (b) => {
        if (b.length < 8) throw new RangeError('short input'); // what readUIntBE(0, 0) did in signature.ts
      },
    };
    const r = await fuzz(buggy, { seed: 1, maxCases: 500, budgetMs: 5000 });
    expect(r.crashes).toBeGreaterThan(0);
    const f = r.findings[0]!;
    expect(mutate(buggy.corpus(), 1, f.caseNo).toString('hex')).toBe(f.inputHex);
  });
});

describe('fuzz targets (short budget)', () => {
  for (const [name, make] of Object.entries(TARGETS)) {
    it(`${name}: no crash, no hang`, async () => {
      const r = await fuzz(make(), { seed: 20261207, maxCases: 50_000, budgetMs: 1000, hangMs: 1000 });
      expect(r.findings).toEqual([]);
      expect(r.cases).toBeGreaterThan(10);
    }, 30_000);
  }
});
