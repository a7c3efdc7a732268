// Was the event loop blocked? The watchdog's event-loop probe asks this every tick (WatchdogSec/2).
// The measure is the loop's active time (performance.eventLoopUtilization: time not spent waiting in
// epoll) between two observations — a sample or a probe. A block of B ms is one task, so it lies in one
// window and that window's active time is ≥ B: a block is always seen, whichever runs first after it,
// however long the window — so the sampler need not wake an idle kiosk to catch one.
// What a long window could add is busy time that is no block (many short tasks), so the sampler runs
// every `busyEveryMs` (2 s: a window then holds < 5 s of work unless one task took seconds) while there
// is work — after activity() (a runtime state change: a card, a PIN, a session), or when a window was
// more than QUIET_SHARE busy — and every `idleEveryMs` (15 s, on the shared ticker: the watchdog's and
// the clock's wake-up) once two busy windows in a row were quiet. Issue 20: an idle kiosk ≤ 1 ms CPU/s.
// Why not perf_hooks.monitorEventLoopDelay: at 20 ms it woke an idle kiosk 50×/s, and its reset() also
// forgets the sample in progress, so a block could go unseen when the probe ran first.
// The same sampler feeds the nodejs_eventloop_lag_* metrics (metrics.ts): each sample's lateness (its gap
// beyond the period it was scheduled for) goes into a histogram that /metrics reads and clears.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { ownInterval, type Every } from '../../core/ticker.ts';

/** A window whose active share is above this is work, not idling. */
const QUIET_SHARE = 0.05;
/** Quiet busy windows in a row before the sampler goes back to the idle period. */
const QUIET_WINDOWS = 2;

export interface LoopStallOptions {
  /** The sampling period while idle (default 15 s). */
  idleEveryMs?: number;
  /** The shared periodic timer for the idle period (core/ticker.ts); default a timer of its own. */
  every?: Every;
}

export class LoopStallMonitor {
  /** The last observation (sample or probe): when, and the loop's active ms by then. */
  private last = 0;
  private lastActive = 0;
  /** When the sampler itself last ran (the probe moves `last`, not this), and its period then. */
  private lastSample = 0;
  private worst = 0;
  private cancel: (() => void) | null = null;
  private mode: 'busy' | 'idle' | 'stopped' = 'stopped';
  private periodMs = 0;
  private quiet = 0;
  private active = false;
  private readonly idleEveryMs: number;
  private readonly every: Every;
  /** How often the sampler has run (tests wait on it instead of sleeping). */
  samples = 0;
  /** How late each sample ran (its gap minus its period), in ns (≥ 1: the histogram's floor); cleared by its reader. */
  readonly lateness: RecordableHistogram = createHistogram();

  constructor(
    private readonly busyEveryMs = 2000,
    o: LoopStallOptions = {},
  ) {
    this.idleEveryMs = Math.max(busyEveryMs, o.idleEveryMs ?? 15_000);
    this.every = o.every ?? ownInterval();
  }

  /** 'busy' (short period), 'idle' (long period) or 'stopped'. */
  state(): 'busy' | 'idle' | 'stopped' {
    return this.mode;
  }

  start(): void {
    this.last = this.lastSample = performance.now();
    this.lastActive = performance.eventLoopUtilization().active;
    this.switchTo('busy');
  }

  /** There is work (a session, a request): sample at the short period until it has been quiet a while. */
  activity(): void {
    this.active = true;
    if (this.mode === 'idle') this.switchTo('busy');
  }

  private switchTo(mode: 'busy' | 'idle'): void {
    this.cancel?.();
    this.mode = mode;
    this.quiet = 0;
    this.periodMs = mode === 'busy' ? this.busyEveryMs : this.idleEveryMs;
    // A sample's period is what it was scheduled for: the first one after a switch counts from now.
    this.lastSample = performance.now();
    this.cancel = mode === 'busy' ? ownInterval()(this.busyEveryMs, () => this.sample()) : this.every(this.idleEveryMs, () => this.sample());
  }

  /** Closes the window since the last observation; returns its active share. */
  private observe(now: number): number {
    const active = performance.eventLoopUtilization().active;
    const busy = active - this.lastActive;
    this.worst = Math.max(this.worst, busy);
    const share = now > this.last ? busy / (now - this.last) : 0;
    this.last = now;
    this.lastActive = active;
    return share;
  }

  private sample(): void {
    const now = performance.now();
    this.lateness.record(Math.max(1, Math.round((now - this.lastSample - this.periodMs) * 1e6)));
    this.lastSample = now;
    this.samples++;
    const share = this.observe(now);
    const worked = this.active || share > QUIET_SHARE;
    this.active = false;
    if (this.mode === 'idle') {
      if (worked) this.switchTo('busy');
    } else if (worked) this.quiet = 0;
    else if (++this.quiet >= QUIET_WINDOWS) this.switchTo('idle');
  }

  /**
   * The longest the loop may have been blocked, in ms, since the previous call: the most active time of
   * any window between observations, counting the window still open now (the probe may run before the
   * sampler after a block); then starts a new window.
   */
  takeWorstGapMs(): number {
    this.observe(performance.now());
    const worst = this.worst;
    this.worst = 0;
    return worst;
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.mode = 'stopped';
  }
}
