// The systemd watchdog, fed by a health check rather than a blind timer: each tick runs the probes
// (event loop responsive, audit database answering, UI listener up, …) and pings WATCHDOG=1 only when
// all pass. A wedged daemon stops pinging and systemd restarts it after WatchdogSec.
// The tick comes every WATCHDOG_USEC/2 (systemd wants a ping in less than WatchdogSec; half leaves a
// whole tick of margin), and a tick arms no timer of its own (issue 20: an idle kiosk wakes for each
// timer, even a cleared one): a probe still unanswered when the next tick comes (at least 0.7 of a tick
// later) has failed, so the tick it belongs to did not ping — the outcome of a deadline, one wake-up fewer.
import { ownInterval, type Every } from '../../core/ticker.ts';
import type { Notifier } from './sd-notify.ts';

export interface Probe {
  name: string;
  /**
   * true = healthy. May be async; one still unanswered at the next tick counts as failed, and `signal`
   * is aborted then (close what the probe opened).
   */
  check: (signal: AbortSignal) => boolean | Promise<boolean>;
}

export interface WatchdogHandle {
  stop(): void;
  /** Run one tick now (tests). Resolves with the failing probe names (empty = pinged). */
  tick(): Promise<string[]>;
  /** The tick period in ms (WATCHDOG_USEC/2). */
  readonly everyMs: number;
}

export interface WatchdogOptions {
  log?: (line: string) => void;
  /** Tick period instead of WATCHDOG_USEC/2 (tests). */
  intervalMs?: number;
  /** The shared periodic timer (core/ticker.ts); default a setInterval of its own. */
  every?: Every;
}

/** One probe's answer, false when it throws, rejects or is still pending when `signal` aborts. */
function answer(p: Probe, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (ok: boolean) => {
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    try {
      Promise.resolve(p.check(signal)).then(
        (ok) => settle(Boolean(ok)),
        () => settle(false),
      );
    } catch {
      settle(false);
    }
  });
}

export function startWatchdog(n: Notifier, probes: Probe[], o: WatchdogOptions = {}): WatchdogHandle | null {
  const wd = o.intervalMs ? o.intervalMs * 2 : n.watchdogMs();
  if (!wd) return null;
  const log = o.log ?? (() => {});
  const every = Math.max(50, Math.floor(wd / 2)); // ping at ≤ half of WATCHDOG_USEC
  let lastFailing = '';
  let stopped = false;
  /**
   * Ticks in progress and when they started: one at least 0.7 of a period old is aborted by the next tick
   * (its pending probes have failed), so a probe always has that long or more — the shared ticker may run
   * a tick up to a quarter early, and a tick run by hand (tests) starts at any phase.
   */
  const inFlight = new Map<AbortController, number>();
  const tick = async (): Promise<string[]> => {
    const started = performance.now();
    for (const [ac, at] of inFlight) if (started - at >= every * 0.7) ac.abort();
    const ac = new AbortController();
    inFlight.set(ac, started);
    const oks = await Promise.all(probes.map((p) => answer(p, ac.signal)));
    inFlight.delete(ac);
    const failing = probes.filter((_, i) => !oks[i]).map((p) => p.name);
    if (stopped) return failing;
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
  const cancel = (o.every ?? ownInterval())(every, () => void tick());
  return {
    everyMs: every,
    stop: () => {
      stopped = true;
      cancel();
      for (const ac of inFlight.keys()) ac.abort();
    },
    tick,
  };
}
