// Exponential backoff with full jitter, shared by the audit outbox and the fleet heartbeat.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  constructor(private readonly o: BackoffOptions) {}

  /** Delay before the next attempt after a failure (grows ×2 up to maxMs, randomised in [½, 1]). */
  fail(): number {
    this.failures++;
    const cap = Math.min(this.o.maxMs, this.o.baseMs * 2 ** Math.min(this.failures - 1, 30));
    const r = (this.o.random ?? Math.random)();
    return Math.round(cap / 2 + (cap / 2) * r);
  }

  succeed(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
