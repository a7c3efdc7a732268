// PIN1/PIN2 of the licence under the kiosk's PIN-safety policy (README "PIN safety", docs/reference/license.md §3): VERIFY with P2 81/82
// from the MF; the remaining tries of each PIN are queried (empty VERIFY) before any VERIFY, and the
// kiosk refuses at ≤ 1. A holder who never set PINs (MF/EF02 = 00) has the default "****": it is used
// without asking — still after the tries query, and still only once.
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { statusError } from '../../../drivers/reader/card-session.ts';
import { SW_OK } from '../../../drivers/reader/apdu.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { queryTries, verifyWithPolicy } from '../pin-verify.ts';
import type { SecretFormat, SecretPrompt } from '../secrets.ts';
import type { PinSetting } from './common-data.ts';
import { DEFAULT_PIN, LICENSE_PIN_MAX_TRIES, PIN1_P2, PIN2_P2 } from './constants.ts';

export const LICENSE_PIN_FORMAT: SecretFormat = { kind: 'digits', min: 4, max: 4 };

export type WhichPin = 'pin1' | 'pin2';
const P2: Record<WhichPin, number> = { pin1: PIN1_P2, pin2: PIN2_P2 };
const WHAT: Record<WhichPin, string> = { pin1: 'licence PIN1', pin2: 'licence PIN2' };

/** SELECT MF (`00 A4 00 00`, the licence form). */
export async function selectMf(session: CardSession): Promise<void> {
  const { sw } = await session.send({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x00 });
  if (sw !== SW_OK) throw statusError(sw, 'SELECT MF');
}

/** Tries left of one PIN, or a refusal (locked / ≤ 1 / unknown). Never sends a secret. */
export async function checkTries(session: CardSession, which: WhichPin): Promise<number> {
  await selectMf(session);
  let tries: number;
  try {
    tries = await queryTries(session, P2[which], WHAT[which]);
  } catch (e) {
    // Say which PIN: the holder needs to know whether PIN1 or PIN2 is locked.
    if (e instanceof KioskError) throw new KioskError(e.code, e.message, { ...e.detail, pin: which }, { cause: e });
    throw e;
  }
  if (tries === 0) throw new KioskError(ErrorCodes.PIN_LOCKED, `${WHAT[which]} is locked`, { triesLeft: 0, pin: which });
  if (tries <= 1) {
    throw new KioskError(ErrorCodes.PIN_TRIES_LOW, `${WHAT[which]}: only ${tries} try left; the kiosk will not risk locking the licence`, {
      triesLeft: tries,
      pin: which,
    });
  }
  return tries;
}

export interface LicensePinOptions {
  setting: PinSetting;
  prompt: SecretPrompt;
  /** Keypad entries allowed per PIN (the CLI has one). */
  attempts?: number;
}

/** VERIFY one PIN. Resolves with the tries left before the successful VERIFY. */
export async function verifyLicensePin(session: CardSession, which: WhichPin, o: LicensePinOptions): Promise<number> {
  if (o.setting === 'default') return verifyDefault(session, which);
  try {
    return await verifyHolderPin(session, which, o);
  } catch (e) {
    if (e instanceof KioskError && e.detail.pin === undefined) throw new KioskError(e.code, e.message, { ...e.detail, pin: which }, { cause: e });
    throw e;
  }
}

async function verifyHolderPin(session: CardSession, which: WhichPin, o: LicensePinOptions): Promise<number> {
  const { triesBefore } = await verifyWithPolicy(session, {
    purpose: which === 'pin1' ? 'license-pin1' : 'license-pin2',
    format: LICENSE_PIN_FORMAT,
    maxTries: LICENSE_PIN_MAX_TRIES,
    p2: P2[which],
    selectPin: () => selectMf(session),
    prompt: o.prompt,
    maxAttempts: o.attempts,
    what: WHAT[which],
  });
  return triesBefore;
}

async function verifyDefault(session: CardSession, which: WhichPin): Promise<number> {
  const tries = await checkTries(session, which);
  const secret = Buffer.from(DEFAULT_PIN);
  let sw: number;
  try {
    ({ sw } = await session.send({ cla: 0x00, ins: 0x20, p1: 0x00, p2: P2[which], data: secret, sensitive: true }));
  } finally {
    secret.fill(0);
  }
  if (sw === SW_OK) return tries;
  if (sw === 0x6984 || sw === 0x6983 || sw === 0x63c0)
    throw new KioskError(ErrorCodes.PIN_LOCKED, `${WHAT[which]} is now locked`, { triesLeft: 0, pin: which });
  if ((sw & 0xfff0) === 0x63c0) {
    // MF/EF02 said "no PIN set" but the default was refused: the card contradicts itself. One try only.
    throw new KioskError(ErrorCodes.PIN_WRONG, `${WHAT[which]}: the default PIN was refused although MF/EF02 says no PIN is set`, {
      triesLeft: sw & 0x0f,
      pin: which,
    });
  }
  throw statusError(sw, `${WHAT[which]} VERIFY`);
}
