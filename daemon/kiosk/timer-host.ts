// Where the kiosk runtime's timers run (entry warning, timeouts, card-left reminders): the real ones by
// default; tests inject a manual clock (test/harness/manual-timers.ts) and drive them without waiting.
export interface TimerHost {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Real timers, unref'd: a pending session timer never keeps the process alive on its own. */
export const realTimers: TimerHost = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout | undefined),
};
