// The soak's verdict rules (bench/soak-verdict.ts): RSS noise of tens of MB must not read as a leak, and a
// leak must not hide in that noise; the resident memory is sorted by mapping.
import { describe, expect, it } from 'vitest';
import { flatness, residentBy } from '../../../bench/soak-verdict.ts';

const MB = 2 ** 20;
const at = Array.from({ length: 80 }, (_, i) => 1000 + i * 100);
// RSS as a soak sees it: a level, plus memory kept after GC that comes and goes (0–40 MB, no trend)
const kept = at.map((_, i) => ((i * 7) % 5) * 10 * MB);

describe('soak flatness', () => {
  it('RSS that wanders by 40 MB without a trend is flat by its upper envelope', () => {
    // more memory kept in the last quarter than in the first (quarter medians ~165 → ~182 MB), the same peaks
    const rss = at.map((_, i) => 160 * MB + (i % 20 === 0 ? 30 : i >= 60 ? 20 + (i % 2) * 5 : (i % 3) * 5) * MB);
    expect(flatness(at, rss, 'median').flat).toBe(false);
    const f = flatness(at, rss, 'envelope');
    expect(f.startMB).toBe(190);
    expect(f.endMB).toBe(190);
    expect(f.flat).toBe(true);
  });

  it('a leak of 1 KB per session fails the envelope rule through the same noise', () => {
    const rss = at.map((n, i) => 160 * MB + kept[i]! + n * 1024);
    const f = flatness(at, rss, 'envelope');
    expect(f.endMB - f.startMB).toBeGreaterThan(5);
    expect(f.flat).toBe(false);
  });

  it('the heap rule: quarter medians and the slope', () => {
    const flat = at.map((_, i) => 30 * MB + (i % 3) * 100 * 1024);
    expect(flatness(at, flat).flat).toBe(true);
    const leak = at.map((n) => 30 * MB + n * 700); // 7 MB over 10,000 sessions
    expect(flatness(at, leak).flat).toBe(false);
  });
});

describe('residentBy', () => {
  it('sums Rss per kind of mapping', () => {
    const smaps = [
      '55d0c0000000-55d0c2000000 r-xp 00000000 fe:01 123 /usr/bin/node',
      'Size:              32768 kB',
      'Rss:               20000 kB',
      '55d0c4000000-55d0c5000000 rw-p 00000000 00:00 0                          [heap]',
      'Rss:                9000 kB',
      '7f0000000000-7f0004000000 rw-p 00000000 00:00 0 ',
      'Rss:               30000 kB',
      '7f0004000000-7f0008000000 rw-p 00000000 00:00 0',
      'Rss:                1000 kB',
      '7f0010000000-7f0010008000 rw-s 00000000 00:2a 77 /dev/shm/idkiosk-bench-soak-x/audit.db-shm',
      'Rss:                  32 kB',
      '7f0020000000-7f0020100000 r-xp 00000000 fe:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6',
      'Rss:                1500 kB',
      '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]',
      'Rss:                 132 kB',
      '7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0                          [vdso]',
      'Rss:                   8 kB',
    ].join('\n');
    expect(residentBy(smaps)).toEqual({ code: 21500, brk: 9000, anon: 31000, sqlite: 32, stack: 132, other: 8 });
  });
});
