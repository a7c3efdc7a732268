// A card left in the reader after its session (issue 19). When the result has been on screen long enough
// the kiosk asks for the card back, then reminds at `cardLeftMs` intervals, each reminder one level
// stronger (KioskState.cardLeft: 1 a chime and a stronger screen, 2 the spoken prompt too, 3 and more a
// flashing screen — ui/escalation.js); the alert carries the level. Taking the card ends it.
import type { KioskState, Timeouts, Transition } from './session-types.ts';

/** The result is done (timed out or dismissed): ask for the card if it is still there, else go idle. */
export function afterResult(s: KioskState, t: Timeouts): Transition {
  if (s.cardPresent) {
    return [
      { ...s, phase: 'remove-card', cardLeft: 0 },
      [
        { type: 'clear-timer', timer: 'result' },
        { type: 'start-timer', timer: 'card-left', ms: t.cardLeftMs },
      ],
    ];
  }
  return [{ ...s, phase: 'idle', result: null }, [{ type: 'clear-timer', timer: 'result' }]];
}

/** The reminder timer fired while the kiosk asks for the card: one level up, and remind again later. */
export function remindCardLeft(s: KioskState, t: Timeouts): Transition {
  const level = s.cardLeft + 1;
  return [
    { ...s, cardLeft: level },
    [
      { type: 'alert', kind: 'card-left', level },
      { type: 'start-timer', timer: 'card-left', ms: t.cardLeftMs },
    ],
  ];
}

/** The card was taken while the kiosk asked for it: back to idle, reminders stopped. */
export function cardTaken(s: KioskState): Transition {
  return [{ ...s, cardPresent: false, phase: 'idle', result: null, cardLeft: 0 }, [{ type: 'clear-timer', timer: 'card-left' }]];
}
