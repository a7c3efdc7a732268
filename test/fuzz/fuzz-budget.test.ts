// The fuzz targets on a short budget in the normal test suite (0.6 s each plus the one-time corpus setup,
// ~35 s in all; `npm run fuzz` runs them for 100,000 cases or 3 minutes): only KioskError escapes (or
// nothing, for the validators), no case hangs,
// and no judged target (judge-*) gets a proven verdict out of tampered signed or MAC'd data.
// Plus the engine's own contract: a case is reproducible from (seed, case number), and a target that
// throws a plain Error is reported as a crash — a harness that cannot find anything would prove nothing.
import { describe, expect, it } from 'vitest';
import { fuzz, mutate, type FuzzTarget } from './engine.ts';
import { judged } from './judge-targets.ts';
import { firstValue, sameParts } from './signed-parts.ts';
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
    expect(mutate(await buggy.corpus(), 1, f.caseNo).toString('hex')).toBe(f.inputHex);
  });

  // The judge itself: a verdict function that ignores the signature must be caught, one that checks it not.
  const judgedWith = (check: boolean) => {
    const genuine = Buffer.from('30 0a 04 08 73 69 67 6e 65 64 21 21'.replace(/ /g, ''), 'hex');
    return judged<Buffer>('judge-self-test', async () => ({
      genuine,
      fields: [{ name: 'file', genuine, put: (_e, b) => b, signed: 'all' }],
      assess: async (b) =>
        !check || b.equals(genuine)
          ? { verdict: 'verified', authenticity: 'proven', identity: 'x' }
          : { verdict: 'refused', authenticity: 'failed', identity: '' },
    }));
  };
  it('counts a proven verdict from tampered signed bytes, apart from crashes', async () => {
    const r = await fuzz(judgedWith(false), { seed: 1, maxCases: 200, budgetMs: 5000 });
    expect(r.provenFromTampered).toBeGreaterThan(0);
    expect(r.crashes).toBe(0);
    expect(r.findings[0]!.kind).toBe('proven-from-tampered');
    const sound = await fuzz(judgedWith(true), { seed: 1, maxCases: 200, budgetMs: 5000 });
    expect(sound.findings).toEqual([]);
  });

  it("the licence EF07's field tag is framing, its signature value is signed (judge-license, seed 1 case 6892)", () => {
    const ef07 = Buffer.from('0403aabbcc0201ff', 'hex');
    expect(sameParts(firstValue(ef07), firstValue(Buffer.from('7903aabbcc0201ff', 'hex')))).toBe(true);
    expect(sameParts(firstValue(ef07), firstValue(Buffer.from('0403aabbcd0201ff', 'hex')))).toBe(false);
  });
});

describe('fuzz targets (short budget)', () => {
  for (const [name, make] of Object.entries(TARGETS)) {
    it(`${name}: no crash, no hang`, async () => {
      // A fixed number of cases, with time only as a backstop: a 600 ms budget let a loaded machine run a
      // single OCSP case (parsing through the ASN.1 schemas costs ms per case) and fail "cases > 10".
      const r = await fuzz(make(), { seed: 20261207, maxCases: 300, budgetMs: 10_000, hangMs: 1000 });
      expect(r.findings).toEqual([]);
      expect(r.cases).toBeGreaterThan(10);
    }, 30_000);
  }
});
