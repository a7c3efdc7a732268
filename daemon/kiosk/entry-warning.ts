// The entry's inactivity timeout and its warning (issue 19): `entryWarnMs` before the entry times out the
// screen says so and offers 「延長する」; any key or the extend button restarts both timers. Pure reducers
// over EntryView; the session machine decides when they apply.
import type { EntryView, KioskEffect, Timeouts } from './session-types.ts';

/** The entry's inactivity timers: the warning (when there is room for one) and the timeout itself. */
export function entryTimers(t: Timeouts): KioskEffect[] {
  const warnAt = t.entryMs - t.entryWarnMs;
  return [
    ...(t.entryWarnMs > 0 && warnAt > 0 ? [{ type: 'start-timer', timer: 'entry-warn', ms: warnAt } as const] : []),
    { type: 'start-timer', timer: 'entry', ms: t.entryMs },
  ];
}

/** Both entry timers stopped (the secret was handed over, or the session ended). */
export const STOP_ENTRY_TIMERS: readonly KioskEffect[] = [
  { type: 'clear-timer', timer: 'entry' },
  { type: 'clear-timer', timer: 'entry-warn' },
];

/** The warning timer fired: the entry is about to time out. The same object when it already says so. */
export function warnEntry(entry: EntryView): EntryView {
  return entry.expiring ? entry : { ...entry, expiring: true };
}

/** The holder asked for more time: the warning goes away (the caller restarts the timers). */
export function extendEntry(entry: EntryView): EntryView {
  return entry.expiring ? { ...entry, expiring: false } : entry;
}
