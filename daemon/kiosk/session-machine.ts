// The kiosk session as a pure state machine: (state, event) → (state, effects). No I/O, no timers, no
// clock: the runtime (runtime.ts) feeds hardware and flow events in and carries the effects out. That makes
// every path — card pulled while typing, reader lost mid-read, timeouts — testable as plain data.
//
// The state never holds a secret: PIN entry is represented by its length only; the digits live in the
// runtime's SecretEntry buffer and are wiped after the VERIFY.
//
// A session's result is a ResultView (daemon/result/result-view.ts, the DocumentResult contract): the
// machine carries it from the document flow to the screen and the effects and looks at its outcome only.
//
// This file holds the transitions only. The vocabulary (state, events, effects, timeouts) is in
// session-types.ts and re-exported here; the entry screen (entry-typing.ts), its timeout warning
// (entry-warning.ts), the end of a session (session-end.ts) and the forgotten card (card-left.ts) are small
// pure reducers the transitions delegate to.
import { afterResult, cardTaken, remindCardLeft } from './card-left.ts';
import { openEntry, submitEntry, typeInEntry } from './entry-typing.ts';
import { entryTimers, extendEntry, STOP_ENTRY_TIMERS, warnEntry } from './entry-warning.ts';
import * as form from './entry-fields.ts';
import { endSession, failure, readFailure } from './session-end.ts';
import {
  ACTIVE,
  type Blocker,
  DEFAULT_TIMEOUTS,
  type EntryView,
  type KioskEffect,
  type KioskEvent,
  type KioskState,
  type Timeouts,
  type Transition,
} from './session-types.ts';

export type {
  AlertKind,
  Blocker,
  EntryView,
  KioskEffect,
  KioskEvent,
  KioskState,
  Phase,
  ReadStep,
  TimerName,
  Timeouts,
  Transition,
  VerificationRequest,
} from './session-types.ts';
export { DEFAULT_TIMEOUTS } from './session-types.ts';

export function initialState(): KioskState {
  return {
    phase: 'starting',
    session: 0,
    readerAvailable: false,
    cardPresent: false,
    reader: null,
    step: null,
    entry: null,
    result: null,
    blockedBy: [],
    request: null,
    cardLeft: 0,
  };
}

type Out = Transition;

/** The state with `entry` in place; the same state when the entry did not change (no new frame). */
function withEntry(s: KioskState, entry: EntryView): KioskState {
  return entry === s.entry ? s : { ...s, entry };
}

export function reduce(s: KioskState, e: KioskEvent, t: Timeouts = DEFAULT_TIMEOUTS): Out {
  switch (e.type) {
    case 'reader-service': {
      if (!e.available) {
        const effects: KioskEffect[] = [{ type: 'clear-entry' }, ...STOP_ENTRY_TIMERS];
        if (ACTIVE.has(s.phase)) effects.push({ type: 'abort-read', session: s.session, code: 'READER_UNAVAILABLE' });
        return [{ ...s, phase: 'reader-unavailable', readerAvailable: false, cardPresent: false, step: null, entry: null, cardLeft: 0 }, effects];
      }
      if (s.phase === 'reader-unavailable' || s.phase === 'starting') {
        return [{ ...s, phase: 'idle', readerAvailable: true, result: null }, []];
      }
      return [{ ...s, readerAvailable: true }, []];
    }

    case 'card-inserted': {
      const next = { ...s, cardPresent: true, reader: e.reader };
      if ((s.phase === 'idle' || (s.phase === 'result' && !s.cardPresent)) && s.blockedBy.length === 0) return startSession(next);
      return [next, []];
    }

    case 'card-removed': {
      if (e.reader !== s.reader) return [s, []];
      const next = { ...s, cardPresent: false };
      if (ACTIVE.has(s.phase)) {
        return endSession(next, failure('CARD_REMOVED', 'error'), t, [{ type: 'abort-read', session: s.session, code: 'CARD_REMOVED' }]);
      }
      if (s.phase === 'remove-card') return cardTaken(s);
      return [next, []];
    }

    case 'read-progress':
      if (e.session !== s.session || !ACTIVE.has(s.phase)) return [s, []];
      return [{ ...s, step: e.step }, []];

    case 'secret-requested':
      if (e.session !== s.session || !ACTIVE.has(s.phase)) return [s, []];
      return [
        { ...s, phase: 'secret-entry', step: 'pin', entry: openEntry(e.entry) },
        [{ type: 'clear-entry' }, ...entryTimers(t), ...(e.entry.previousAttemptWrong ? [{ type: 'alert', kind: 'wrong-secret' } as const] : [])],
      ];

    case 'entry-changed':
      if (s.phase !== 'secret-entry' || !s.entry) return [s, []];
      return [withEntry(s, typeInEntry(s.entry, e)), entryTimers(t)];

    case 'entry-extend':
      if (s.phase !== 'secret-entry' || !s.entry) return [s, []];
      return [withEntry(s, extendEntry(s.entry)), entryTimers(t)];

    case 'entry-submit': {
      if (s.phase !== 'secret-entry' || !s.entry) return [s, []];
      const { handedOver, entry } = submitEntry(s.entry);
      if (!handedOver) return [withEntry(s, entry), entryTimers(t)];
      // a form's field: checked, then the next field or the review (entry-fields.ts); nothing handed over yet
      if (s.entry.form) return form.next(s, s.entry, s.entry.form, entryTimers(t));
      return [{ ...s, phase: 'verifying', entry }, [...STOP_ENTRY_TIMERS, { type: 'submit-secret', session: s.session }]];
    }

    case 'form-requested': {
      if (e.session !== s.session || !ACTIVE.has(s.phase) || !form.formAllowed(e.form.fields)) return [s, []];
      const [next, fx] = form.open(s, form.newForm(e.form, e.previous, e.today), e.padIds, entryTimers(t));
      return [next, e.form.mismatch ? [...fx, { type: 'alert', kind: 'wrong-secret' }] : fx];
    }

    case 'entry-prev':
    case 'entry-edit':
    case 'entry-confirm':
      if (s.phase !== 'secret-entry' || !s.entry?.form) return [s, []];
      return form.navigate(s, s.entry, s.entry.form, e, entryTimers(t));

    case 'cancel':
      if (ACTIVE.has(s.phase)) {
        return endSession(s, failure('SESSION_CANCELLED', 'cancelled'), t, [{ type: 'abort-read', session: s.session, code: 'SESSION_CANCELLED' }]);
      }
      if (s.phase === 'result') return afterResult(s, t);
      return [s, []];

    case 'read-finished':
      if (e.session !== s.session || !ACTIVE.has(s.phase)) return [s, []];
      return endSession(s, e.result, t);

    case 'read-failed': {
      if (e.session !== s.session || !ACTIVE.has(s.phase)) return [s, []];
      return endSession(s, readFailure(e.code, e.triesLeft, e.document ?? null), t);
    }

    case 'timeout':
      switch (e.timer) {
        case 'entry-warn':
          if (s.phase !== 'secret-entry' || !s.entry) return [s, []];
          return [withEntry(s, warnEntry(s.entry)), []];
        case 'entry':
          if (s.phase !== 'secret-entry') return [s, []];
          return endSession(s, failure('PIN_ENTRY_TIMEOUT', 'cancelled'), t, [{ type: 'abort-read', session: s.session, code: 'PIN_ENTRY_TIMEOUT' }]);
        case 'result':
          return s.phase === 'result' ? afterResult(s, t) : [s, []];
        case 'card-left':
          return s.phase === 'remove-card' ? remindCardLeft(s, t) : [s, []];
        case 'request':
          return s.request && !ACTIVE.has(s.phase) ? dropRequest(s, 'SESSION_TIMEOUT') : [s, []];
      }
      break;

    case 'block':
      return block(s, e.blocker, e.on, t);

    case 'request': {
      if (s.request?.id === e.request.id) return [s, []]; // a repeated request is the same request
      const busy = ACTIVE.has(s.phase) || s.phase === 'remove-card' || s.request !== null || (s.phase === 'result' && s.cardPresent);
      const code = s.blockedBy.includes('maintenance') ? 'KIOSK_MAINTENANCE' : s.blockedBy.length ? 'PRINTER_UNAVAILABLE' : busy ? 'SESSION_BUSY' : null;
      if (code) return [s, [{ type: 'request-ended', id: e.request.id, code }]];
      const fx: KioskEffect[] = [{ type: 'start-timer', timer: 'request', ms: t.requestMs }];
      // A result still on screen gives way to the next verification the clerk asked for.
      if (s.phase === 'result') return [{ ...s, phase: 'idle', result: null, request: e.request }, [{ type: 'clear-timer', timer: 'result' }, ...fx]];
      return [{ ...s, request: e.request }, fx];
    }

    case 'request-cancel':
      if (s.request?.id !== e.id) return [s, []];
      if (ACTIVE.has(s.phase)) return reduce(s, { type: 'cancel' }, t);
      return dropRequest(s, 'SESSION_CANCELLED');
  }
  return [s, []];
}

function startSession(s: KioskState): Out {
  const session = s.session + 1;
  return [
    { ...s, phase: 'reading', session, step: 'identify', entry: null, result: null, cardLeft: 0 },
    [
      { type: 'clear-timer', timer: 'result' },
      { type: 'clear-timer', timer: 'request' },
      {
        type: 'start-read',
        session,
        reader: s.reader ?? '',
        documents: s.request ? [...s.request.documents] : null,
        ...(s.request?.policy ? { policy: s.request.policy } : {}),
      },
    ],
  ];
}

function dropRequest(s: KioskState, code: string): Out {
  if (!s.request) return [s, []];
  return [
    { ...s, request: null },
    [
      { type: 'clear-timer', timer: 'request' },
      { type: 'request-ended', id: s.request.id, code },
    ],
  ];
}

function block(s: KioskState, blocker: Blocker, on: boolean, t: Timeouts): Out {
  const blockedBy = on ? (s.blockedBy.includes(blocker) ? s.blockedBy : [...s.blockedBy, blocker]) : s.blockedBy.filter((b) => b !== blocker);
  if (blockedBy === s.blockedBy) return [s, []];
  let next: KioskState = { ...s, blockedBy };
  const fx: KioskEffect[] = [];
  if (on) {
    // Maintenance takes the reader away from the holder: a running session ends now. A printer fault does
    // not: the session's receipt waits in the printer queue (or fails with a reason on screen).
    if (blocker === 'maintenance' && ACTIVE.has(s.phase)) {
      const [ended, endFx] = endSession(next, failure('KIOSK_MAINTENANCE', 'error'), t, [
        { type: 'abort-read', session: s.session, code: 'KIOSK_MAINTENANCE' },
      ]);
      next = ended;
      fx.push(...endFx);
    }
    // The previous holder's result does not stay behind the maintenance screen.
    if (blocker === 'maintenance' && s.phase === 'result') {
      const [after, afterFx] = afterResult(next, t);
      next = after;
      fx.push(...afterFx);
    }
    if (next.request && !ACTIVE.has(next.phase)) {
      const [dropped, dropFx] = dropRequest(next, blocker === 'maintenance' ? 'KIOSK_MAINTENANCE' : 'PRINTER_UNAVAILABLE');
      next = dropped;
      fx.push(...dropFx);
    }
    return [next, fx];
  }
  // Unblocked with a card already waiting on the reader: start its session now.
  if (blockedBy.length === 0 && next.phase === 'idle' && next.cardPresent && next.readerAvailable) return startSession(next);
  return [next, fx];
}
