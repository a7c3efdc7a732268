// The session machine's small reducers on their own (issue 22): the entry screen (entry-typing.ts), its
// timeout warning (entry-warning.ts), the end of a session (session-end.ts) and the forgotten card
// (card-left.ts). Expected values follow the behaviour issue 19 asks for (warn 10 s before a 30 s timeout,
// one more reminder level per interval, a PIN's characters never in the state), not the code.
import { describe, expect, it } from 'vitest';
import { afterResult, cardTaken, remindCardLeft } from '../../../daemon/kiosk/card-left.ts';
import { openEntry, submitEntry, typeInEntry } from '../../../daemon/kiosk/entry-typing.ts';
import { entryTimers, extendEntry, STOP_ENTRY_TIMERS, warnEntry } from '../../../daemon/kiosk/entry-warning.ts';
import { endSession, readFailure } from '../../../daemon/kiosk/session-end.ts';
import { DEFAULT_TIMEOUTS, initialState, type KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { CARD_NUMBER_REQUEST, PIN_REQUEST } from '../../harness/kiosk-machine.ts';

const PIN = PIN_REQUEST;
const NUMBER = CARD_NUMBER_REQUEST;

describe('entry warning', () => {
  it('warns entryMs − entryWarnMs after the last key, and times out at entryMs', () => {
    expect(entryTimers({ ...DEFAULT_TIMEOUTS, entryMs: 30_000, entryWarnMs: 10_000 })).toEqual([
      { type: 'start-timer', timer: 'entry-warn', ms: 20_000 },
      { type: 'start-timer', timer: 'entry', ms: 30_000 },
    ]);
  });
  it('no warning when it is switched off or would not leave room before the timeout', () => {
    expect(entryTimers({ ...DEFAULT_TIMEOUTS, entryMs: 30_000, entryWarnMs: 0 })).toEqual([{ type: 'start-timer', timer: 'entry', ms: 30_000 }]);
    expect(entryTimers({ ...DEFAULT_TIMEOUTS, entryMs: 5_000, entryWarnMs: 5_000 })).toEqual([{ type: 'start-timer', timer: 'entry', ms: 5_000 }]);
  });
  it('the warning sets expiring once; 延長する clears it; no change gives the same object (no frame)', () => {
    const open = openEntry(PIN);
    const warned = warnEntry(open);
    expect(warned.expiring).toBe(true);
    expect(warnEntry(warned)).toBe(warned);
    expect(extendEntry(warned).expiring).toBe(false);
    expect(extendEntry(open)).toBe(open);
    expect(STOP_ENTRY_TIMERS).toEqual([
      { type: 'clear-timer', timer: 'entry' },
      { type: 'clear-timer', timer: 'entry-warn' },
    ]);
  });
});

describe('entry typing', () => {
  it('a PIN entry carries its length only, never a letter or the typed text', () => {
    const e = typeInEntry(openEntry(PIN), { length: 2, candidate: '7', candidateIndex: 1, typed: '47' });
    expect([e.length, e.candidate, e.typed, e.candidateIndex]).toEqual([2, null, null, 1]);
  });
  it('a printed number is carried as typed, cut to the length', () => {
    const e = typeInEntry(openEntry(NUMBER), { length: 3, candidate: 'B', typed: 'AB12' });
    expect([e.length, e.candidate, e.typed]).toEqual([3, 'B', 'AB1']);
  });
  it('a key that changes nothing gives the same object; any key clears the warning and the too-short note', () => {
    const open = openEntry(PIN);
    expect(typeInEntry(open, { length: 0 })).toBe(open);
    const warned = warnEntry(open);
    expect(typeInEntry(warned, { length: 0 }).expiring).toBe(false);
  });
  it('決定 with too few characters is not handed over and says so; with enough it is, the printed text dropped', () => {
    const short = submitEntry(typeInEntry(openEntry(PIN), { length: 3 }));
    expect([short.handedOver, short.entry.tooShort]).toEqual([false, true]);
    expect(submitEntry(short.entry).entry).toBe(short.entry);
    const done = submitEntry(typeInEntry(openEntry(NUMBER), { length: 12, typed: 'AB1234567890' }));
    expect([done.handedOver, done.entry.typed, done.entry.length]).toEqual([true, '', 0]);
  });
});

describe('session end', () => {
  const running: KioskState = { ...initialState(), phase: 'secret-entry', session: 4, request: { id: 'req-1', documents: ['passport'] } };
  it('a wrong-PIN family code is a refusal, anything else an error', () => {
    expect(readFailure('PIN_LOCKED', 0).outcome).toBe('refused');
    expect(readFailure('CARD_UNSUPPORTED').outcome).toBe('refused');
    expect(readFailure('READER_UNAVAILABLE').outcome).toBe('error');
    expect(readFailure('PIN_WRONG', 2, 'jpki')).toEqual({ outcome: 'refused', document: 'jpki', reasons: ['PIN_WRONG'], triesLeft: 2 });
  });
  it('the result goes on screen, the runtime is told with the request, the timers move on; a refusal alerts', () => {
    const result = readFailure('PIN_LOCKED', 0);
    const [s, fx] = endSession(running, result, DEFAULT_TIMEOUTS, [{ type: 'abort-read', session: 4, code: 'X' }]);
    expect([s.phase, s.entry, s.request, s.result]).toEqual(['result', null, null, result]);
    expect(fx).toEqual([
      { type: 'abort-read', session: 4, code: 'X' },
      { type: 'clear-entry' },
      { type: 'clear-timer', timer: 'entry' },
      { type: 'clear-timer', timer: 'entry-warn' },
      { type: 'session-ended', session: 4, result, request: 'req-1' },
      { type: 'start-timer', timer: 'result', ms: DEFAULT_TIMEOUTS.resultMs },
      { type: 'alert', kind: 'refused' },
    ]);
  });
  it('an error or a cancel raises no alert (the screen explains it)', () => {
    for (const r of [readFailure('READER_UNAVAILABLE'), { outcome: 'cancelled' as const, document: null, reasons: ['SESSION_CANCELLED'] }]) {
      expect(endSession(running, r, DEFAULT_TIMEOUTS)[1].some((f) => f.type === 'alert')).toBe(false);
    }
  });
});

describe('forgotten card', () => {
  const shown: KioskState = { ...initialState(), phase: 'result', cardPresent: true, reader: 'R', result: readFailure('PIN_WRONG') };
  it('after the result with the card still there: ask for it and start reminding; without it: idle', () => {
    const [asked, fx] = afterResult(shown, { ...DEFAULT_TIMEOUTS, cardLeftMs: 20_000 });
    expect([asked.phase, asked.cardLeft]).toEqual(['remove-card', 0]);
    expect(fx).toEqual([
      { type: 'clear-timer', timer: 'result' },
      { type: 'start-timer', timer: 'card-left', ms: 20_000 },
    ]);
    const [idle] = afterResult({ ...shown, cardPresent: false }, DEFAULT_TIMEOUTS);
    expect([idle.phase, idle.result]).toEqual(['idle', null]);
  });
  it('each reminder is one level stronger; taking the card resets and stops reminding', () => {
    let s = afterResult(shown, DEFAULT_TIMEOUTS)[0];
    const levels: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const [next, fx] = remindCardLeft(s, DEFAULT_TIMEOUTS);
      s = next;
      const alert = fx.find((f) => f.type === 'alert');
      levels.push(alert?.type === 'alert' ? alert.level : undefined);
    }
    expect(levels).toEqual([1, 2, 3]);
    expect(s.cardLeft).toBe(3);
    const [taken, fx] = cardTaken(s);
    expect([taken.phase, taken.cardLeft, taken.cardPresent, taken.result]).toEqual(['idle', 0, false, null]);
    expect(fx).toEqual([{ type: 'clear-timer', timer: 'card-left' }]);
  });
});
