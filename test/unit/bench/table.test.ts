// The shared benchmark table code (bench/table.ts) on tiny inputs — never timing.
import { describe, expect, it } from 'vitest';
import { printTable, ratioOf, stat } from '../../../bench/table.ts';

describe('bench table', () => {
  it('stat() gives min, median and max; an even count takes the mean of the middle two', () => {
    expect(stat([5, 1, 3], 'ms')).toEqual({ min: 1, median: 3, max: 5, unit: 'ms' });
    expect(stat([4, 1, 3, 2], 'MB')).toEqual({ min: 1, median: 2.5, max: 4, unit: 'MB' });
  });

  it('stat() refuses no samples and non-finite samples', () => {
    expect(() => stat([], 'ms')).toThrow(RangeError);
    expect(() => stat([1, Number.NaN], 'ms')).toThrow(RangeError);
  });

  it('ratioOf() divides medians and has no ratio against a zero median', () => {
    expect(ratioOf(stat([30], 'ms'), stat([20], 'ms'))).toBe(1.5);
    expect(ratioOf(stat([30], 'ms'), stat([0], 'ms'))).toBeUndefined();
  });

  it('printTable() writes one markdown row per BenchRow, escaping pipes', () => {
    const md = printTable([
      {
        group: 'startup',
        what: 'idkiosk --help',
        idkiosk: stat([60, 66, 62], 'ms'),
        reference: { name: 'node -e 0', stat: stat([40], 'ms') },
        ratio: 1.55,
        target: '≤ 1.5×',
        met: false,
        note: 'a|b',
      },
      { group: 'idle', what: 'CPU', idkiosk: stat([0.5], 'ms CPU') },
    ]);
    const lines = md.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('| startup | idkiosk --help | 62.0 ms (60.0–66.0) | node -e 0: 40.0 ms | 1.55× | ≤ 1.5× | NO | a\\|b |');
    expect(lines[3]).toContain('| idle | CPU | 0.500 ms CPU |');
  });
});
