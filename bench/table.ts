// Shared benchmark table (issue 20): every bench/*.bench.ts returns BenchRow[]; `npm run bench` prints them
// as one markdown table. Medians are the figure of merit because the machine is shared and noisy; ratios
// compare idkiosk with a reference tool measured in the same process run, interleaved (A B A B …).

export type Unit = 's' | 'ms' | 'µs' | 'MB' | 'ms CPU' | 'count';

export interface Stat {
  min: number;
  median: number;
  max: number;
  unit: Unit;
}

/**
 * How a figure was taken, so that whole commands, in-process work and start-up are never mixed up:
 * 'whole command' = a process timed from outside (start-up included); 'in process' = the work alone,
 * timed inside a running process; 'start-up' = a process that does (almost) nothing but start;
 * 'daemon' = a long-running daemon observed from outside.
 */
export type Kind = 'whole command' | 'in process' | 'start-up' | 'daemon';

export interface BenchRow {
  /** Which benchmark produced the row (e.g. 'startup', 'idle', 'soak', 'crl'). */
  group: string;
  /** How the idkiosk figure was taken (printed as its own column). */
  kind?: Kind;
  /** What was measured, in words a reader of docs/performance.md understands. */
  what: string;
  idkiosk: Stat;
  reference?: { name: string; stat: Stat };
  /** idkiosk median / reference median. */
  ratio?: number;
  /** The target as written in the issue, e.g. '≤ 1.5× node -e 0'. */
  target?: string;
  met?: boolean;
  note?: string;
}

/** Min, median and max of samples. The median of an even count is the mean of the two middle samples. */
export function stat(samples: number[], unit: Unit): Stat {
  if (samples.length === 0) throw new RangeError('stat() needs at least one sample');
  if (samples.some((x) => !Number.isFinite(x))) throw new RangeError('stat() samples must be finite numbers');
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]!, unit };
}

/** ratio = idkiosk median / reference median (undefined when the reference median is 0). */
export function ratioOf(idkiosk: Stat, reference: Stat): number | undefined {
  return reference.median === 0 ? undefined : idkiosk.median / reference.median;
}

/** A number with about three significant digits, without exponent notation for everyday magnitudes. */
export function fmt(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a >= 0.01) return x.toFixed(3);
  return x.toPrecision(2);
}

function fmtStat(s: Stat): string {
  if (s.min === s.max) return `${fmt(s.median)} ${s.unit}`;
  return `${fmt(s.median)} ${s.unit} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** Pipes and newlines would break a markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const KIND_HEADINGS: [Kind | undefined, string][] = [
  ['start-up', 'Start-up (processes that do almost nothing but start)'],
  ['whole command', 'Whole commands (timed from outside: process start-up included)'],
  ['daemon', 'The daemon, observed from outside'],
  ['in process', 'In process (the work alone, timed inside a running process; no start-up)'],
  [undefined, 'Other'],
];

/**
 * The rows as markdown: median (min–max) for idkiosk and the reference, ratio, target, met. Rows that say
 * their kind are printed in one table per kind (start-up, whole commands, daemon, in process), so that
 * figures taken differently are never read side by side; without kinds, one table.
 */
export function printTable(rows: BenchRow[]): string {
  if (!rows.some((r) => r.kind)) return oneTable(rows);
  const parts: string[] = [];
  for (const [kind, heading] of KIND_HEADINGS) {
    const these = rows.filter((r) => r.kind === kind);
    if (these.length) parts.push(`### ${heading}\n\n${oneTable(these)}`);
  }
  return parts.join('\n\n');
}

function oneTable(rows: BenchRow[]): string {
  const head = ['group', 'what', 'idkiosk median (min–max)', 'reference', 'ratio', 'target', 'met', 'note'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const ref = r.reference ? `${r.reference.name}: ${fmtStat(r.reference.stat)}` : '';
    const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`;
    const met = r.met === undefined ? '' : r.met ? 'yes' : 'NO';
    lines.push(`| ${[r.group, r.what, fmtStat(r.idkiosk), ref, ratio, r.target ?? '', met, r.note ?? ''].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}
