// Multi-tap letter entry on a phone-style pad: 2 → A B C 2 A …, the current candidate is committed when
// the timeout expires or another key is pressed. Pure: the clock is a scheduler the caller injects.

export const MULTITAP_LETTERS: Readonly<Record<string, string>> = {
  '1': '1',
  '2': 'ABC2',
  '3': 'DEF3',
  '4': 'GHI4',
  '5': 'JKL5',
  '6': 'MNO6',
  '7': 'PQRS7',
  '8': 'TUV8',
  '9': 'WXYZ9',
  '0': '0',
};

/** What a position may hold: L letter, D digit, A either. */
export type CharClass = 'L' | 'D' | 'A';

export function cycleFor(digit: string, cls: CharClass): string {
  const all = MULTITAP_LETTERS[digit] ?? '';
  if (cls === 'D') return /[0-9]/.test(digit) ? digit : '';
  if (cls === 'L') return all.replace(/[0-9]/g, '');
  return all;
}

export type Scheduler = (fn: () => void, ms: number) => () => void;
export const realScheduler: Scheduler = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export interface MultiTapCandidate {
  key: string;
  index: number;
  char: string;
}

/**
 * The candidate part of multi-tap: `tap` returns a character to commit (the previous candidate) or null.
 * A single-choice cycle (a digit in a D position, or 0/1) commits immediately, with no waiting.
 */
export class MultiTap {
  private cand: MultiTapCandidate | null = null;
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly schedule: Scheduler,
    private readonly onTimeoutCommit: (ch: string) => void,
  ) {}

  candidate(): MultiTapCandidate | null {
    return this.cand;
  }

  /** Returns the characters to append now, in order (0, 1 or 2 of them). */
  tap(digit: string, cls: CharClass): string[] {
    const cycle = cycleFor(digit, cls);
    if (!cycle) return [];
    if (this.cand && this.cand.key === digit && cycle.length > 1) {
      this.cand.index = (this.cand.index + 1) % cycle.length;
      this.cand.char = cycle.charAt(this.cand.index);
      this.arm();
      return [];
    }
    const out: string[] = [];
    const prev = this.commit();
    if (prev) out.push(prev);
    if (cycle.length === 1) {
      out.push(cycle);
      return out;
    }
    this.cand = { key: digit, index: 0, char: cycle.charAt(0) };
    this.arm();
    return out;
  }

  /** Commits the candidate (if any) and returns it. */
  commit(): string | null {
    this.disarm();
    const c = this.cand?.char ?? null;
    this.cand = null;
    return c;
  }

  /** Drops the candidate without committing it. */
  drop(): boolean {
    this.disarm();
    const had = this.cand !== null;
    this.cand = null;
    return had;
  }

  private arm(): void {
    this.disarm();
    this.cancelTimer = this.schedule(() => {
      this.cancelTimer = null;
      const c = this.commit();
      if (c) this.onTimeoutCommit(c);
    }, this.timeoutMs);
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }
}
