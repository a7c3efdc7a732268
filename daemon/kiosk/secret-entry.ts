// The holder's keystrokes for one secret, in a fixed buffer that is zero-filled on clear and after hand-over.
// Only its length is ever shown (as dots); the bytes leave this object exactly once, to the VERIFY.

export class SecretEntry {
  private readonly buf: Buffer;
  private len = 0;

  /** `storage`: the capacity, or the buffer to type into (its owner can then check it is wiped). */
  constructor(storage: number | Buffer) {
    this.buf = typeof storage === 'number' ? Buffer.alloc(storage) : storage.fill(0);
  }

  get length(): number {
    return this.len;
  }

  push(byte: number): void {
    if (this.len < this.buf.length) this.buf[this.len++] = byte;
  }

  pop(): void {
    if (this.len > 0) this.buf[--this.len] = 0;
  }

  clear(): void {
    this.buf.fill(0);
    this.len = 0;
  }

  /**
   * The characters typed, as text: for numbers printed on the document only (the runtime checks the
   * purpose), which the screen shows as typed. Never called for a PIN or password.
   */
  peekPrinted(): string {
    return this.buf.subarray(0, this.len).toString('latin1');
  }

  /** Hands the secret over (the receiver wipes it after use) and clears this entry. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.clear();
    return out;
  }
}
