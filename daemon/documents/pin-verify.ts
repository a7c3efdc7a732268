// The PIN-safety policy for every VERIFY (docs/reference/iso7816.md §6):
// validate locally first; query the remaining tries before *every* VERIFY and refuse at ≤ 1; one keypad
// entry = at most one VERIFY; never re-send a cached secret; stop on a locked counter.
import type { CardSession } from '../../drivers/reader/card-session.ts';
import { statusError } from '../../drivers/reader/card-session.ts';
import { SW_OK, swHex } from '../../drivers/reader/apdu.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { secretMatchesFormat, wipe, type SecretFormat, type SecretPrompt, type SecretPurpose } from './secrets.ts';

/** Empty VERIFY on the current PIN reference: returns the tries left (63Cx), or throws. */
export async function queryTries(session: CardSession, p2: number, what: string): Promise<number> {
  const { sw } = await session.send({ cla: 0x00, ins: 0x20, p1: 0x00, p2 });
  if ((sw & 0xfff0) === 0x63c0) return sw & 0x0f;
  if (sw === 0x6984 || sw === 0x6983) throw new KioskError(ErrorCodes.PIN_LOCKED, `${what} is locked`, { triesLeft: 0 });
  // 9000 ("already verified") or anything else: we cannot know the counter, so we must not VERIFY.
  throw new KioskError(ErrorCodes.PIN_TRIES_UNKNOWN, `${what}: tries query answered ${swHex(sw)}`, { sw: swHex(sw) });
}

export interface VerifyOptions {
  purpose: SecretPurpose;
  format: SecretFormat;
  /** null when the card's maximum is not known (e.g. 照合番号B). */
  maxTries: number | null;
  /** VERIFY P2 (80 = the selected PIN EF; the licence uses 81/82). */
  p2: number;
  /** Re-selects the PIN reference before each tries query (e.g. SELECT EF 0018). */
  selectPin?: () => Promise<void>;
  prompt: SecretPrompt;
  /** How many keypad entries this flow may ask for (the CLI has exactly one). */
  maxAttempts?: number;
  what: string;
}

/** Runs the policy; resolves with the tries left before the successful VERIFY. */
export async function verifyWithPolicy(session: CardSession, o: VerifyOptions): Promise<{ triesBefore: number }> {
  const maxAttempts = o.maxAttempts ?? Number.POSITIVE_INFINITY;
  let previousAttemptWrong = false;
  for (let attempt = 1; ; attempt++) {
    await o.selectPin?.();
    const tries = await queryTries(session, o.p2, o.what);
    if (tries === 0) throw new KioskError(ErrorCodes.PIN_LOCKED, `${o.what} is locked`, { triesLeft: 0 });
    if (tries <= 1) {
      throw new KioskError(ErrorCodes.PIN_TRIES_LOW, `${o.what}: only ${tries} try left; the kiosk will not risk locking the card`, {
        triesLeft: tries,
      });
    }
    const secret = await o.prompt({ purpose: o.purpose, format: o.format, triesLeft: tries, maxTries: o.maxTries, previousAttemptWrong });
    let sw: number;
    try {
      if (!secretMatchesFormat(secret, o.format)) {
        throw new KioskError(ErrorCodes.PIN_FORMAT, `${o.what}: entry does not have the required format`, { triesLeft: tries });
      }
      ({ sw } = await session.send({ cla: 0x00, ins: 0x20, p1: 0x00, p2: o.p2, data: secret, sensitive: true }));
    } finally {
      wipe(secret);
    }
    if (sw === SW_OK) return { triesBefore: tries };
    if (sw === 0x6984 || sw === 0x6983 || sw === 0x63c0) {
      throw new KioskError(ErrorCodes.PIN_LOCKED, `${o.what} is now locked`, { triesLeft: 0 });
    }
    if ((sw & 0xfff0) === 0x63c0) {
      const left = sw & 0x0f;
      if (attempt >= maxAttempts || left <= 1) {
        throw new KioskError(ErrorCodes.PIN_WRONG, `${o.what} is wrong; ${left} tries left`, { triesLeft: left });
      }
      previousAttemptWrong = true;
      continue;
    }
    throw statusError(sw, `${o.what} VERIFY`);
  }
}
