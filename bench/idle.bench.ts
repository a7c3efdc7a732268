// Placeholder so bench/index.ts resolves; the real benchmark replaces it (issue 20).
import type { BenchRow } from './table.ts';

export async function run(_o: { runs: number; quick?: boolean }): Promise<BenchRow[]> {
  return [];
}
