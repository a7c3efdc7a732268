// A hand-driven clock for the kiosk runtime's timers (daemon/kiosk/runtime.ts TimerHost): tests move time
// forward with advance(ms) and the due timers fire in order, so entry warnings, timeouts and card-left
// reminders are tested without waiting for them.
import type { TimerHost } from '../../daemon/kiosk/timer-host.ts';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualTimers implements TimerHost {
  private now = 0;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  set(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, seq: id, fn });
    return id;
  }

  clear(handle: unknown): void {
    if (typeof handle === 'number') this.pending.delete(handle);
  }

  /** Moves time forward, firing every timer that falls due (timers set while firing included). */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.pending.entries()].filter(([, p]) => p.at <= until).sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = until;
  }

  /** Milliseconds until the next timer fires (null: none pending). */
  nextIn(): number | null {
    const ats = [...this.pending.values()].map((p) => p.at - this.now);
    return ats.length ? Math.min(...ats) : null;
  }
}
