// The systemd watchdog, fed by a health check rather than a blind timer: each tick runs the probes
// (event loop responsive, audit database answering, UI listener up, …) and pings WATCHDOG=1 only when
// all pass. A wedged daemon stops pinging and systemd restarts it after WatchdogSec.
import type { Notifier } from './sd-notify.ts';

export interface Probe {
  name: string;
  /** true = healthy. May be async; a probe that takes longer than half the interval counts as failed. */
  check: () => boolean | Promise<boolean>;
}

export interface WatchdogHandle {
  stop(): void;
  /** Run one tick now (tests). Resolves with the failing probe names (empty = pinged). */
  tick(): Promise<string[]>;
}

export function startWatchdog(n: Notifier, probes: Probe[], log: (line: string) => void = () => {}, intervalOverrideMs?: number): WatchdogHandle | null {
  const wd = intervalOverrideMs ?? n.watchdogMs();
  if (!wd) return null;
  const every = Math.max(50, Math.floor(wd / 2)); // ping at ≤ half of WATCHDOG_USEC
  let lastFailing = '';
  const tick = async (): Promise<string[]> => {
    const failing: string[] = [];
    for (const p of probes) {
      try {
        const ok = await Promise.race([Promise.resolve(p.check()), new Promise<boolean>((r) => setTimeout(() => r(false), every / 2).unref())]);
        if (!ok) failing.push(p.name);
      } catch {
        failing.push(p.name);
      }
    }
    if (failing.length === 0) await n.watchdog();
    const now = failing.join(',');
    if (now !== lastFailing) {
      if (now) {
        log(`watchdog: not pinging, failing: ${now}`);
        await n.status(`unhealthy: ${now}`);
      } else log('watchdog: healthy again');
      lastFailing = now;
    }
    return failing;
  };
  const timer = setInterval(() => void tick(), every);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
