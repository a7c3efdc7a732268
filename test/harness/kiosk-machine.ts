// Drives the pure session machine through a list of events, collecting every effect on the way — the
// one helper the kiosk unit tests share instead of each writing its own loop.
import { initialState, reduce, type KioskEffect, type KioskEvent, type KioskState } from '../../daemon/kiosk/session-machine.ts';

export function runMachine(events: readonly KioskEvent[], from: KioskState = initialState()): { state: KioskState; effects: KioskEffect[] } {
  let state = from;
  const effects: KioskEffect[] = [];
  for (const e of events) {
    const [s, fx] = reduce(state, e);
    state = s;
    effects.push(...fx);
  }
  return { state, effects };
}

/** `n` distinct keypad-pad ids (six letters each), as the screen's scrambled pad would carry them. */
export const padIds = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(5) + String.fromCharCode(97 + Math.floor(i / 26)));

/** The card asks for its JPKI authentication PIN: four digits, three of three tries left. */
export const PIN_REQUEST = {
  purpose: 'jpki-auth-pin' as const,
  format: { kind: 'digits' as const, min: 4, max: 4 },
  triesLeft: 3,
  maxTries: 3,
  previousAttemptWrong: false,
  padIds: padIds(10),
};

/** The kiosk asks for a residence card number (12 letters or digits; the card keeps no counter). */
export const CARD_NUMBER_REQUEST = {
  ...PIN_REQUEST,
  purpose: 'residence-card-number' as const,
  format: { kind: 'alnum' as const, min: 12, max: 12 },
  triesLeft: null,
  maxTries: null,
  padIds: padIds(36),
};
