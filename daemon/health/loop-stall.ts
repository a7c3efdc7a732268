// Was the event loop blocked? The watchdog's event-loop probe asks this every tick (WatchdogSec/2).
// A plain timer sampled every `everyMs` (2 s): the gap between two firings is ≈ everyMs normally and at
// least B after a block of B ms, so a block is always seen, whichever timer runs first after it.
// Why not perf_hooks.monitorEventLoopDelay: at 20 ms it woke an idle kiosk 50×/s (issue 20), and its
// reset() also forgets the sample in progress, so a block could go unseen when the probe ran first.
// The same sampler feeds the nodejs_eventloop_lag_* metrics (metrics.ts): each sample's lateness (its gap
// beyond everyMs) goes into a histogram that /metrics reads and clears — one 2 s wake-up for both.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export class LoopStallMonitor {
  private last = 0;
  /** When the sampler itself last ran (the probe moves `last`, not this) */
  private lastSample = 0;
  private worst = 0;
  private timer: NodeJS.Timeout | null = null;
  /** How often the sampler has run (tests wait on it instead of sleeping). */
  samples = 0;
  /** How late each sample ran (its gap minus everyMs), in ns (≥ 1: the histogram's floor); cleared by its reader. */
  readonly lateness: RecordableHistogram = createHistogram();

  constructor(private readonly everyMs = 2000) {}

  start(): void {
    this.last = this.lastSample = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lateness.record(Math.max(1, Math.round((now - this.lastSample - this.everyMs) * 1e6)));
      this.lastSample = now;
      this.worst = Math.max(this.worst, now - this.last);
      this.last = now;
      this.samples++;
    }, this.everyMs);
    this.timer.unref();
  }

  /**
   * The longest gap in ms between two samples since the previous call, counting the gap still open now
   * (the probe may run before the sampler after a block); then starts a new window.
   */
  takeWorstGapMs(): number {
    const now = performance.now();
    const worst = Math.max(this.worst, now - this.last);
    this.worst = 0;
    this.last = now;
    return worst;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
