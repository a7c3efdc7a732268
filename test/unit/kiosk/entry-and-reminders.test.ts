// Issue 19 in the session machine: a forgotten card escalates with each reminder; the entry warns before
// it times out and can be extended; 決定 with too few characters says so; a number printed on the
// document is carried as typed while a PIN's characters never are.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, reduce, type KioskEvent } from '../../../daemon/kiosk/session-machine.ts';
import { CARD_NUMBER_REQUEST, PIN_REQUEST, runMachine } from '../../harness/kiosk-machine.ts';

const PIN = PIN_REQUEST;
const CARD_NUMBER = CARD_NUMBER_REQUEST;

const run = runMachine;
const start: KioskEvent[] = [
  { type: 'reader-service', available: true },
  { type: 'card-inserted', reader: 'R' },
];

describe('forgotten card', () => {
  it('each reminder raises the level (alert and state); taking the card ends it; the next session starts at 0', () => {
    let r = run([
      ...start,
      { type: 'read-finished', session: 1, result: { outcome: 'cancelled', document: null, reasons: ['SESSION_CANCELLED'] } },
      { type: 'timeout', timer: 'result' },
    ]);
    expect([r.state.phase, r.state.cardLeft]).toEqual(['remove-card', 0]);
    const levels: number[] = [];
    for (let i = 0; i < 4; i++) {
      r = run([{ type: 'timeout', timer: 'card-left' }], r.state);
      levels.push(r.state.cardLeft);
      expect(r.effects).toEqual([
        { type: 'alert', kind: 'card-left', level: i + 1 },
        { type: 'start-timer', timer: 'card-left', ms: DEFAULT_TIMEOUTS.cardLeftMs },
      ]);
    }
    expect(levels).toEqual([1, 2, 3, 4]);
    r = run([{ type: 'card-removed', reader: 'R' }], r.state);
    expect([r.state.phase, r.state.cardLeft]).toEqual(['idle', 0]);
    expect(r.effects).toContainEqual({ type: 'clear-timer', timer: 'card-left' });
    // a late reminder after the card was taken does nothing
    expect(run([{ type: 'timeout', timer: 'card-left' }], r.state).effects).toEqual([]);
  });
});

describe('entry', () => {
  const inEntry = (entry: typeof PIN | typeof CARD_NUMBER = PIN) => run([...start, { type: 'secret-requested', session: 1, entry }]);

  it('warns before the timeout (timer at entryMs − entryWarnMs); a key or 延長 takes the warning away and restarts both timers', () => {
    let r = inEntry();
    expect(r.effects).toContainEqual({ type: 'start-timer', timer: 'entry-warn', ms: 20_000 });
    expect(r.effects).toContainEqual({ type: 'start-timer', timer: 'entry', ms: 30_000 });
    r = run([{ type: 'timeout', timer: 'entry-warn' }], r.state);
    expect(r.state.entry?.expiring).toBe(true);
    expect(r.state.phase).toBe('secret-entry');
    r = run([{ type: 'entry-extend' }], r.state);
    expect(r.state.entry?.expiring).toBe(false);
    expect(r.effects).toEqual([
      { type: 'start-timer', timer: 'entry-warn', ms: 20_000 },
      { type: 'start-timer', timer: 'entry', ms: 30_000 },
    ]);
    r = run(
      [
        { type: 'timeout', timer: 'entry-warn' },
        { type: 'entry-changed', length: 1 },
      ],
      r.state,
    );
    expect(r.state.entry).toMatchObject({ expiring: false, length: 1 });
    // no warning configured: only the timeout
    const none = inEntry();
    expect(reduce(none.state, { type: 'entry-extend' }, { ...DEFAULT_TIMEOUTS, entryWarnMs: 0 })[1]).toEqual([
      { type: 'start-timer', timer: 'entry', ms: 30_000 },
    ]);
  });

  it('決定 with too few characters keeps the entry and says so; the next key clears the note', () => {
    let r = run([{ type: 'entry-changed', length: 3 }, { type: 'entry-submit' }], inEntry().state);
    expect(r.state.phase).toBe('secret-entry');
    expect(r.state.entry?.tooShort).toBe(true);
    expect(r.effects.some((e) => e.type === 'submit-secret')).toBe(false);
    r = run([{ type: 'entry-changed', length: 4 }], r.state);
    expect(r.state.entry?.tooShort).toBe(false);
    r = run([{ type: 'entry-submit' }], r.state);
    expect(r.state.phase).toBe('verifying');
  });

  it('a printed number is carried as typed; a PIN never is, whatever the runtime reports', () => {
    let r = run([{ type: 'entry-changed', length: 3, typed: 'AA1' }], inEntry(CARD_NUMBER).state);
    expect(r.state.entry?.typed).toBe('AA1');
    r = run([{ type: 'entry-changed', length: 2, typed: 'AA' }], r.state);
    expect(r.state.entry?.typed).toBe('AA');
    const pin = run([{ type: 'entry-changed', length: 2, typed: '12' }], inEntry(PIN).state);
    expect(pin.state.entry?.typed).toBeNull();
    expect(JSON.stringify(pin.state)).not.toContain('"12"');
  });
});
