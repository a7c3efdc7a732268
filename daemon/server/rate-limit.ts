// A token bucket: `rate` events per second sustained, `burst` at once. Used for the messages a screen
// client may send (per connection and per remote address): enough for a person on a keypad, far too
// little for a flood to reach the session machine.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty (the event is over the limit). */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One bucket per key (remote address), forgotten when the key's last user is gone. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; users: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  acquire(key: string): TokenBucket {
    let e = this.buckets.get(key);
    if (!e) {
      e = { bucket: new TokenBucket(this.rate, this.burst), users: 0 };
      this.buckets.set(key, e);
    }
    e.users++;
    return e.bucket;
  }

  release(key: string): void {
    const e = this.buckets.get(key);
    if (e && --e.users <= 0) this.buckets.delete(key);
  }
}
