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
