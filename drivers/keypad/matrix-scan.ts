// Pure matrix-keypad scanning logic: drive one row at a time, read the columns, debounce each key by
// consecutive equal scans, detect stuck keys. No timers or I/O of its own, so tests step it scan by scan.
//
// Electrical model: columns are inputs with pull-ups; the selected row is driven low, the other rows are
// left as inputs (high impedance) so two keys pressed in one column never short a high output to a low
// one. A pressed key pulls its column low while its row is selected.
import { at } from '../../core/checked.ts';
import type { GpioLine } from './gpio-line.ts';

export interface MatrixScanOptions {
  /** A raw state must be seen this many scans in a row before it is accepted (≥ 1). */
  debounceScans: number;
  /** Down longer than this (ms) → stuck: reported once and ignored until released. */
  stuckMs: number;
}

export type ScanChange =
  | { kind: 'down' | 'up'; row: number; col: number; at: number }
  | { kind: 'stuck'; row: number; col: number; since: number }
  | { kind: 'unstuck'; row: number; col: number };

interface KeyState {
  stable: boolean; // debounced: true = down
  candidate: boolean;
  count: number;
  downSince: number;
  stuck: boolean;
}

export class MatrixScanner {
  private readonly state: KeyState[][];
  private scans = 0;

  constructor(
    private readonly rows: GpioLine[],
    private readonly cols: GpioLine[],
    private readonly opts: MatrixScanOptions,
  ) {
    this.state = rows.map(() => cols.map(() => ({ stable: false, candidate: false, count: 0, downSince: 0, stuck: false })));
    for (const r of rows) r.setDirection('in');
  }

  /** Reads the raw matrix once: raw[row][col] = pressed. */
  readRaw(): boolean[][] {
    const raw: boolean[][] = [];
    for (const row of this.rows) {
      row.setDirection('low');
      raw.push(this.cols.map((c) => c.read() === 0));
      row.setDirection('in');
    }
    return raw;
  }

  /** One scan: returns the accepted changes. `now` in ms. */
  scan(now: number): ScanChange[] {
    const raw = this.readRaw();
    this.scans++;
    // A key accepted as down within the first debounce window was down before we started: nobody
    // pressed it for us, so it is reported stuck and produces no key event.
    const startup = this.scans <= this.opts.debounceScans;
    const out: ScanChange[] = [];
    for (const [r, rowVals] of raw.entries()) {
      for (const [c, pressed] of rowVals.entries()) {
        // raw and state are both rows × cols of this scanner's lines
        const k = at(at(this.state, r), c);
        if (pressed === k.candidate) k.count++;
        else {
          k.candidate = pressed;
          k.count = 1;
        }
        if (k.count >= this.opts.debounceScans && k.candidate !== k.stable) {
          k.stable = k.candidate;
          if (k.stable) {
            k.downSince = now;
            if (startup) {
              k.stuck = true;
              out.push({ kind: 'stuck', row: r, col: c, since: now });
            } else out.push({ kind: 'down', row: r, col: c, at: now });
          } else if (k.stuck) {
            k.stuck = false;
            out.push({ kind: 'unstuck', row: r, col: c });
          } else out.push({ kind: 'up', row: r, col: c, at: now });
        }
        if (k.stable && !k.stuck && now - k.downSince >= this.opts.stuckMs) {
          k.stuck = true;
          out.push({ kind: 'stuck', row: r, col: c, since: k.downSince });
        }
      }
    }
    return out;
  }

  release(): void {
    for (const l of [...this.rows, ...this.cols]) l.release();
  }
}
