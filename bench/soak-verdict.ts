// The soak's verdict (issue 20): when a series of memory samples counts as flat, and where the resident
// memory is. Apart from bench/soak.bench.ts so a unit test can load it without the daemon.

const MB = 2 ** 20;

/** Least-squares slope of ys over xs. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};

/**
 * The V8 heap is flat after warm-up when the median of the last quarter of the samples minus that of the
 * first quarter is ≤ 5 MB and the least-squares slope projected over 10,000 sessions is ≤ 5 MB (each sample
 * is taken after a full GC, so the heap moves by a few hundred KB between samples).
 *
 * RSS is judged by its upper envelope instead: the highest sample of the last quarter minus the highest of
 * the first quarter ≤ 5 MB. RSS after a full GC still moves by tens of MB between samples — memory malloc and
 * V8 freed but have not given back, which the kernel counts until they do — so a median or a slope of single
 * samples is decided by where that noise happened to fall (the 2026-12-07 licence run: flat heap, RSS
 * quarter medians 163 → 180 MB). The retained memory tops out at the working set's peak; a leak lifts that
 * top with everything else, noise does not lift it from one quarter to the next.
 */
export function flatness(
  at: number[],
  bytes: number[],
  rule: 'median' | 'envelope' = 'median',
): { startMB: number; endMB: number; maxMB: number; perKiloSessionsKB: number; flat: boolean } {
  const q = Math.max(1, Math.floor(bytes.length / 4));
  const of = rule === 'median' ? median : (xs: number[]) => Math.max(...xs);
  const startMB = of(bytes.slice(0, q)) / MB;
  const endMB = of(bytes.slice(-q)) / MB;
  const s = slope(at, bytes); // bytes per session
  const slopeOk = rule === 'envelope' || (s * 10_000) / MB <= 5;
  return { startMB, endMB, maxMB: Math.max(...bytes) / MB, perKiloSessionsKB: (s * 1000) / 1024, flat: endMB - startMB <= 5 && slopeOk };
}

function kindOf(path: string): string {
  if (path === '') return 'anon';
  if (path === '[heap]') return 'brk';
  if (path.startsWith('[stack')) return 'stack';
  if (/\.db(-wal|-shm)?$/.test(path)) return 'sqlite';
  return path.startsWith('[') ? 'other' : 'code';
}

/**
 * Where the resident memory is, from /proc/self/smaps (KB): `brk` is glibc's main malloc arena ([heap]),
 * `anon` every other anonymous mapping (V8's heap pages, glibc's thread arenas, large malloc blocks,
 * thread stacks), `sqlite` the audit database's files (the WAL index is a shared map), `code` the node
 * binary and shared objects; `v8` is what V8 itself has committed (total_physical_size), so anon − v8 is
 * roughly what malloc holds outside brk. Empty where /proc is not there.
 */
export function residentBy(smaps: string): Record<string, number> {
  const kb: Record<string, number> = {};
  let cat = 'anon';
  for (const line of smaps.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cat = kindOf(head[1]!);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb[cat] = (kb[cat] ?? 0) + Number(rss[1]);
  }
  return kb;
}
