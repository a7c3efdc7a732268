// A PIN (reference data) object with a retry counter, as a card keeps it in non-volatile memory: the
// counter survives resets and re-insertion; only a correct VERIFY restores it, and once it reaches 0 the
// PIN is blocked for good (unblocking happens at the issuer's counter, never on the kiosk).
import { timingSafeEqual } from 'node:crypto';

export type VerifyOutcome = 'ok' | 'wrong' | 'blocked';

export interface PinOptions {
  /** The reference value, as the bytes the card compares (e.g. ASCII digits). */
  value: Buffer | string;
  maxTries: number;
  /** Tries left at creation (defaults to maxTries). */
  triesLeft?: number;
  /**
   * SW for the empty VERIFY (tries query) once blocked: 63C0 (counter reads 0) or 6984 (reference data
   * not usable). Both are seen in the field (docs/reference/iso7816.md §6), so the host must handle both.
   */
  queryWhenBlocked?: 0x63c0 | 0x6984;
}

export class PinObject {
  readonly maxTries: number;
  readonly queryWhenBlocked: 0x63c0 | 0x6984;
  #value: Buffer;
  #tries: number;
  /** How many VERIFY attempts with data reached the comparison (tests assert "no VERIFY was sent"). */
  attempts = 0;

  constructor(o: PinOptions) {
    if (!Number.isInteger(o.maxTries) || o.maxTries < 1 || o.maxTries > 15) throw new RangeError('maxTries must be 1..15');
    this.maxTries = o.maxTries;
    this.#value = Buffer.from(o.value);
    const t = o.triesLeft ?? o.maxTries;
    if (!Number.isInteger(t) || t < 0 || t > o.maxTries) throw new RangeError('triesLeft must be 0..maxTries');
    this.#tries = t;
    this.queryWhenBlocked = o.queryWhenBlocked ?? 0x63c0;
  }

  get triesLeft(): number {
    return this.#tries;
  }

  get blocked(): boolean {
    return this.#tries === 0;
  }

  /** Compare a candidate; adjusts the counter exactly as the card does. A blocked PIN is never compared. */
  verify(candidate: Buffer): VerifyOutcome {
    if (this.#tries === 0) return 'blocked';
    this.attempts++;
    const same = candidate.length === this.#value.length && timingSafeEqual(candidate, this.#value);
    if (same) {
      this.#tries = this.maxTries;
      return 'ok';
    }
    this.#tries--;
    return 'wrong';
  }

  /** Test/provisioning hook: set the counter directly (e.g. a card that arrives with 1 try left). */
  setTriesLeft(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.maxTries) throw new RangeError('triesLeft must be 0..maxTries');
    this.#tries = n;
  }
}
