// Is the system clock synchronised? Certificate validity checks depend on it, so an unsynchronised clock
// is a health fault. Sources, first that answers: systemd-timesyncd's flag file, `timedatectl`
// (NTPSynchronized, which also covers chrony under systemd). Without either the answer is "unknown",
// reported as such — never assumed good.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ClockStatus {
  synchronized: boolean | null;
  source: 'timesyncd' | 'timedatectl' | 'none';
  detail: string;
}

export interface ClockProbeOptions {
  flagFile?: string;
  timedatectl?: string;
}

export async function probeClock(o: ClockProbeOptions = {}): Promise<ClockStatus> {
  const flag = o.flagFile ?? '/run/systemd/timesync/synchronized';
  if (existsSync(flag)) return { synchronized: true, source: 'timesyncd', detail: `${flag} present` };
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

/** Cached clock status, refreshed in the background (spawning timedatectl per scrape would be wasteful). */
export class ClockMonitor {
  private last: ClockStatus = { synchronized: null, source: 'none', detail: 'not probed yet' };
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly o: ClockProbeOptions = {}) {}
  current(): ClockStatus {
    return this.last;
  }
  async refresh(): Promise<ClockStatus> {
    this.last = await probeClock(this.o);
    return this.last;
  }
  start(everyMs = 60_000): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), everyMs);
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
