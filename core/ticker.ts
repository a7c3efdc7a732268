// One timer for every periodic job of an idle daemon (issue 20: ≤ 1 ms CPU/s). Each wake-up of an idle
// process costs about as much as the little work it does (the kernel, libuv and V8 getting back in), so
// jobs with their own intervals — the watchdog tick, the loop sample, the clock refresh, the printer's
// fallback poll — are run together: the timer is armed for the earliest due job, and when it fires every
// job due within a quarter of its own period runs too (early, never late). Due times lie on a grid of
// each job's period counted from the ticker's start, so a job registered later (the loop sampler going
// idle, the printer poll once ASB answered) falls in step with the others instead of at its own phase: with
// periods that are multiples of each other (15 s, 60 s) an idle kiosk wakes once per shortest period.
// The price: a job's first run comes between half a period and one and a half periods after it is added.
// Jobs are synchronous and must not throw (a throw is caught and reported to `onError`); async work is
// started, not awaited. The timer is unref'd: it never keeps a process alive by itself.

/** Runs `job` about every `everyMs` (possibly up to a quarter early); returns the cancel function. */
export type Every = (everyMs: number, job: () => void) => () => void;

/** A plain setInterval as an Every, for a part started without the shared ticker (unref'd unless `ref`). */
export function ownInterval(o: { ref?: boolean } = {}): Every {
  return (everyMs, job) => {
    const t = setInterval(job, everyMs);
    if (!o.ref) t.unref();
    return () => clearInterval(t);
  };
}

interface Job {
  everyMs: number;
  run: () => void;
  due: number;
}

/** The share of its period a job may run early to share another job's wake-up. */
const EARLY_SHARE = 0.25;

export class Ticker {
  private readonly jobs = new Set<Job>();
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (performance.now() ms), Infinity when none. */
  private armedAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  /** How often the timer fired (tests wait on it instead of sleeping). */
  fired = 0;
  private readonly epoch: number;

  constructor(
    private readonly onError: (e: unknown) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.epoch = now();
  }

  readonly every: Every = (everyMs, run) => {
    if (!(everyMs > 0)) throw new RangeError(`ticker: period must be > 0 ms (${everyMs})`);
    const job: Job = { everyMs, run, due: this.nextDue(everyMs, this.now()) };
    this.jobs.add(job);
    this.arm();
    return () => {
      // The armed timer stays: it fires, finds nothing due and re-arms (node would wake for a cleared
      // timer all the same).
      this.jobs.delete(job);
    };
  };

  /** The first point of the job's grid (multiples of its period from the start) at least half a period after `now`. */
  private nextDue(everyMs: number, now: number): number {
    return this.epoch + everyMs * Math.ceil((now - this.epoch + everyMs / 2) / everyMs);
  }

  /** How many jobs are registered (health and tests). */
  size(): number {
    return this.jobs.size;
  }

  stop(): void {
    this.stopped = true;
    this.jobs.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  /** Arms the timer for the earliest due job, unless it is already armed for that time or earlier. */
  private arm(): void {
    if (this.stopped || this.jobs.size === 0) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const j of this.jobs) earliest = Math.min(earliest, j.due);
    if (this.timer && this.armedAt <= earliest) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = earliest;
    this.timer = setTimeout(() => this.fire(), Math.max(1, Math.ceil(earliest - this.now())));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = Number.POSITIVE_INFINITY;
    this.fired++;
    const now = this.now();
    for (const j of [...this.jobs]) {
      if (!this.jobs.has(j) || j.due > now + j.everyMs * EARLY_SHARE) continue;
      j.due = this.nextDue(j.everyMs, now);
      try {
        j.run();
      } catch (e) {
        this.onError(e);
      }
    }
    this.arm();
  }
}
