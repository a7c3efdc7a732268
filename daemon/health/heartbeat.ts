// The fleet heartbeat: kiosks sit behind NAT, so they push. Every interval the health snapshot (codes,
// ages, counts — no personal data) is POSTed over HTTPS, signed with the device key; failures back off
// exponentially so a fleet does not hammer a collector that is down. The TLS connection stays open from
// one beat to the next (postSigned's keep-alive agent).
import { randomUUID } from 'node:crypto';
import { Backoff } from '../device/backoff.ts';
import type { DeviceKey } from '../device/device-key.ts';
import { closeConnections, postSigned, type PostTarget } from '../device/signed-post.ts';
import type { HealthSnapshot } from './health-state.ts';

export interface HeartbeatPayload {
  kind: 'idkiosk-heartbeat';
  kioskId: string;
  site: string | null;
  operator: string | null;
  boot: string;
  seq: number;
  key: string;
  health: HealthSnapshot;
}

export interface HeartbeatOptions {
  target: PostTarget;
  key: DeviceKey;
  intervalMs: number;
  snapshot: () => HealthSnapshot;
  identity: { kioskId: string; site: string | null; operator: string | null };
  backoff?: { baseMs: number; maxMs: number };
  log?: (line: string) => void;
}

export class Heartbeat {
  private readonly boot = randomUUID();
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private readonly backoff: Backoff;
  lastError: string | null = null;
  lastSentAt: Date | null = null;

  constructor(private readonly o: HeartbeatOptions) {
    this.backoff = new Backoff(o.backoff ?? { baseMs: 5000, maxMs: 10 * 60_000 });
  }

  payload(): HeartbeatPayload {
    return { kind: 'idkiosk-heartbeat', ...this.o.identity, boot: this.boot, seq: ++this.seq, key: this.o.key.fingerprint, health: this.o.snapshot() };
  }

  /** One beat; resolves true when the collector answered 2xx. */
  async beat(): Promise<boolean> {
    try {
      const res = await postSigned(this.o.target, this.o.key, this.payload());
      if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`);
      this.lastError = null;
      this.lastSentAt = new Date();
      this.backoff.succeed();
      return true;
    } catch (e) {
      const msg = (e as Error).message;
      if (msg !== this.lastError) this.o.log?.(`heartbeat failed: ${msg}`);
      this.lastError = msg;
      return false;
    }
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      const ok = await this.beat();
      this.schedule(ok ? this.o.intervalMs : this.backoff.fail());
    }, ms);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    closeConnections(this.o.target);
  }
}
