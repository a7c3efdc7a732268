// Is the system clock synchronised? Certificate validity checks depend on it, so an unsynchronised clock
// is a health fault. Sources, first that answers: systemd-timesyncd's flag file, `timedatectl`
// (NTPSynchronized, which also covers chrony under systemd). Without either the answer is "unknown",
// reported as such — never assumed good.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Every } from '../../core/ticker.ts';

export interface ClockStatus {
  synchronized: boolean | null;
  source: 'timesyncd' | 'timedatectl' | 'none';
  detail: string;
}

export interface ClockProbeOptions {
  flagFile?: string;
  timedatectl?: string;
}

/** The systemd-timesyncd flag file: present = synchronised (a stat, no process). Null when absent. */
export function probeFlagFile(o: ClockProbeOptions = {}): ClockStatus | null {
  const flag = o.flagFile ?? '/run/systemd/timesync/synchronized';
  return existsSync(flag) ? { synchronized: true, source: 'timesyncd', detail: `${flag} present` } : null;
}

/** `timedatectl show -p NTPSynchronized` (a process spawn). */
export async function probeTimedatectl(o: ClockProbeOptions = {}): Promise<ClockStatus> {
  const out = await new Promise<{ ok: boolean; text: string }>((resolve) => {
    execFile(o.timedatectl ?? 'timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3000 }, (err, stdout, stderr) =>
      resolve({ ok: !err, text: (err ? stderr || err.message : stdout).trim() }),
    );
  });
  if (out.ok && (out.text === 'yes' || out.text === 'no')) {
    return { synchronized: out.text === 'yes', source: 'timedatectl', detail: `NTPSynchronized=${out.text}` };
  }
  return { synchronized: null, source: 'none', detail: `no time-sync source answered (${out.text.split('\n')[0] || 'timedatectl failed'})` };
}

export async function probeClock(o: ClockProbeOptions = {}): Promise<ClockStatus> {
  return probeFlagFile(o) ?? (await probeTimedatectl(o));
}

/**
 * Cached clock status, refreshed in the background (spawning timedatectl per scrape would be wasteful).
 * Each refresh looks at the flag file; timedatectl — a process spawn, ~7 ms of the daemon's CPU on a
 * loaded 2-core machine and more on a Pi, once a minute 12 % of an idle kiosk's 1 ms/s budget (issue 20)
 * — runs at most every `spawnEveryMs` (5 min), and at once when the flag file has just gone (sync lost).
 * The IdkioskClockUnsynchronised alert waits 15 min, so a change still shows well within it.
 */
export class ClockMonitor {
  private last: ClockStatus = { synchronized: null, source: 'none', detail: 'not probed yet' };
  private spawnedAt = Number.NEGATIVE_INFINITY;
  private cancel: (() => void) | null = null;
  constructor(
    private readonly o: ClockProbeOptions = {},
    private readonly spawnEveryMs = 300_000,
  ) {}
  current(): ClockStatus {
    return this.last;
  }
  async refresh(): Promise<ClockStatus> {
    const flag = probeFlagFile(this.o);
    if (flag) this.last = flag;
    else if (this.last.source === 'timesyncd' || performance.now() - this.spawnedAt >= this.spawnEveryMs) {
      this.spawnedAt = performance.now();
      this.last = await probeTimedatectl(this.o);
    }
    return this.last;
  }
  /** Refreshes now, then every `everyMs` — on the shared ticker when given (core/ticker.ts: one wake-up for the periodic jobs). */
  start(everyMs = 60_000, every?: Every): void {
    void this.refresh();
    if (every) {
      this.cancel = every(everyMs, () => void this.refresh());
      return;
    }
    const t = setInterval(() => void this.refresh(), everyMs);
    t.unref();
    this.cancel = () => clearInterval(t);
  }
  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }
}
