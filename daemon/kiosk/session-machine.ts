// The kiosk session as a pure state machine: (state, event) → (state, effects). No I/O, no timers, no
// clock: the runtime (runtime.ts) feeds hardware and flow events in and carries the effects out. That makes
// every path — card pulled while typing, reader lost mid-read, timeouts — testable as plain data.
//
// The state never holds a secret: PIN entry is represented by its length only; the digits live in the
// runtime's SecretEntry buffer and are wiped after the VERIFY.
//
// A session's result is a ResultView (daemon/result/result-view.ts, the DocumentResult contract): the
// machine carries it from the document flow to the screen and the effects and looks at its outcome only.
import { isPrintedNumber, type SecretFormat, type SecretPurpose } from '../documents/secrets.ts';
import type { Outcome, ResultView } from '../result/result-view.ts';
import * as form from './entry-fields.ts';
import type { FormRequest, FormView } from './entry-fields.ts';

export type Phase = 'starting' | 'reader-unavailable' | 'idle' | 'reading' | 'secret-entry' | 'verifying' | 'result' | 'remove-card';

export type ReadStep = 'identify' | 'read-certificate' | 'pin' | 'sign-challenge' | 'validate' | 'read-info' | 'read-images';

export interface EntryView {
  purpose: SecretPurpose;
  format: SecretFormat;
  length: number;
  triesLeft: number | null;
  maxTries: number | null;
  previousAttemptWrong: boolean;
  /**
   * One random token per digit 0–9, fresh for every entry. The on-screen keypad sends the token of the
   * button pressed, so PIN digits never cross the WebSocket in clear (the hardware keypad never uses it).
   */
  padIds: string[];
  /**
   * The multi-tap letter being chosen on the hardware keypad, for numbers printed on the document only
   * (PRINTED_NUMBER_PURPOSES); always null for a PIN or password. Committed characters are never part of the
   * state: only their count (`length`).
   */
  candidate: string | null;
  /**
   * A character is being chosen by multi-tap: its position in the pressed key's cycle (0 = the first letter
   * printed on the key), null when none. For a password this is all the screen gets — "the 3rd letter of
   * the key you are pressing" — which a watcher of the frames cannot turn into the letter (the key is
   * not sent), while the holder, who knows the key, can.
   */
  candidateIndex: number | null;
  /**
   * What has been typed so far, for numbers printed on the document only (PRINTED_NUMBER_PURPOSES: the
   * holder reads them off the card or the data page, they are not secrets — issue 19); always null for a
   * PIN or password, whose characters never enter the state.
   */
  typed: string | null;
  /** The entry is about to time out (EntryTimeouts: warned `entryWarnMs` before): the screen offers more time. */
  expiring: boolean;
  /** 決定 was pressed with fewer characters than the format needs: the screen says how many. */
  tooShort: boolean;
  /**
   * Several printed numbers asked together (entry-fields.ts): the fields with their values, the one being
   * typed, the review step, a chip that refused the last values. Null for a single secret (PIN, password).
   */
  form: FormView | null;
}

/** Why the kiosk will not start a session now; the screen explains each. */
export type Blocker = 'maintenance' | 'printer';

/** A verification the business application asked for (integration API): which documents it accepts. */
export interface VerificationRequest {
  id: string;
  documents: string[];
  /** The verification policy the request named (daemon/policy/); absent: documents only. */
  policy?: string | null;
}

export interface KioskState {
  phase: Phase;
  /** Monotonic session counter: events of an aborted session are recognised and dropped. */
  session: number;
  readerAvailable: boolean;
  cardPresent: boolean;
  reader: string | null;
  step: ReadStep | null;
  entry: EntryView | null;
  result: ResultView | null;
  /** Non-empty: placing a card starts nothing (maintenance mode; printer unusable while a receipt is required). */
  blockedBy: Blocker[];
  /** The pending or running integration-API request; null for walk-up sessions. */
  request: VerificationRequest | null;
  /**
   * A card left in the reader after its session: how many reminders have fired (0: none yet). The screen
   * escalates with it — 1 a chime and a stronger screen, 2 the spoken prompt too, 3 and more a flashing
   * screen (ui/escalation.js); the alert carries the same level.
   */
  cardLeft: number;
}

export type TimerName = 'entry' | 'entry-warn' | 'result' | 'card-left' | 'request';

export type KioskEvent =
  | { type: 'reader-service'; available: boolean }
  | { type: 'card-inserted'; reader: string }
  | { type: 'card-removed'; reader: string }
  | { type: 'read-progress'; session: number; step: ReadStep }
  | {
      type: 'secret-requested';
      session: number;
      entry: Omit<EntryView, 'length' | 'candidate' | 'candidateIndex' | 'typed' | 'expiring' | 'tooShort' | 'form'>;
    }
  /** Printed numbers asked together (entry-fields.ts); `previous`: the values of the attempt the chip refused. */
  | { type: 'form-requested'; session: number; form: FormRequest; previous: string[] | null; today: string; padIds: string[] }
  /** 「前の項目へ」, or the back key on an empty field: the previous field, its value kept (from review: the last field). */
  | { type: 'entry-prev' }
  /** 「修正する」 on the review screen: that field, its value kept. */
  | { type: 'entry-edit'; field: number }
  /** 「この内容で読み取る」: the values go to the document flow, which only now uses them on the card. */
  | { type: 'entry-confirm' }
  | { type: 'entry-changed'; length: number; candidate?: string | null; candidateIndex?: number | null; typed?: string | null }
  | { type: 'entry-submit' }
  /** The holder asked for more time before the entry timed out. */
  | { type: 'entry-extend' }
  | { type: 'cancel' }
  | { type: 'read-finished'; session: number; result: ResultView }
  | { type: 'read-failed'; session: number; code: string; triesLeft?: number | null; document?: string | null }
  | { type: 'timeout'; timer: TimerName }
  | { type: 'block'; blocker: Blocker; on: boolean }
  | { type: 'request'; request: VerificationRequest }
  | { type: 'request-cancel'; id: string };

export type KioskEffect =
  /** `documents`: the request's accepted documents (null: every enabled document). */
  | { type: 'start-read'; session: number; reader: string; documents: string[] | null; policy?: string | null }
  | { type: 'abort-read'; session: number; code: string }
  | { type: 'submit-secret'; session: number }
  /** The form's values to the document flow (printed numbers; the runtime hands them over as bytes). */
  | { type: 'submit-form'; session: number; values: string[] }
  /** The entry buffer now holds this field's value (moving between a form's fields). */
  | { type: 'load-entry'; text: string }
  | { type: 'clear-entry' }
  | { type: 'start-timer'; timer: TimerName; ms: number }
  | { type: 'clear-timer'; timer: TimerName }
  | { type: 'session-ended'; session: number; result: ResultView; request: string | null }
  /** A request that ended without a session result (cancelled, timed out, refused because busy or blocked). */
  | { type: 'request-ended'; id: string; code: string }
  /** `level`: the card-left reminder's escalation step (KioskState.cardLeft); absent for the other kinds. */
  | { type: 'alert'; kind: AlertKind; level?: number };

/** Sounds and cues: each result outcome that is an answer has its own (chip-read never sounds like verified). */
export type AlertKind = 'card-left' | 'wrong-secret' | 'verified' | 'chip-read' | 'refused';

/** The alert a session result raises; error and cancelled raise none (the screen explains them). */
const RESULT_ALERT: Record<Outcome, AlertKind | null> = { verified: 'verified', 'chip-read': 'chip-read', refused: 'refused', error: null, cancelled: null };

export interface Timeouts {
  /** Inactivity while the holder types a secret. */
  entryMs: number;
  /** How long before the entry timeout the screen warns and offers more time (0: no warning). */
  entryWarnMs: number;
  /** How long a result stays on screen before the kiosk moves on. */
  resultMs: number;
  /** Card left in the reader after the result: remind (and keep reminding) at this interval. */
  cardLeftMs: number;
  /** How long an integration-API request waits for a card. */
  requestMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { entryMs: 30_000, entryWarnMs: 10_000, resultMs: 10_000, cardLeftMs: 20_000, requestMs: 120_000 };

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

/** The entry's inactivity timers: the warning (when there is room for one) and the timeout itself. */
function entryTimers(t: Timeouts): KioskEffect[] {
  const warnAt = t.entryMs - t.entryWarnMs;
  return [
    ...(t.entryWarnMs > 0 && warnAt > 0 ? [{ type: 'start-timer', timer: 'entry-warn', ms: warnAt } as const] : []),
    { type: 'start-timer', timer: 'entry', ms: t.entryMs },
  ];
}

const ACTIVE: ReadonlySet<Phase> = new Set(['reading', 'secret-entry', 'verifying']);

type Out = [KioskState, KioskEffect[]];

function endSession(s: KioskState, result: ResultView, t: Timeouts, extra: KioskEffect[] = []): Out {
  const kind = RESULT_ALERT[result.outcome] ?? null;
  const alert: KioskEffect[] = kind ? [{ type: 'alert', kind }] : [];
  return [
    { ...s, phase: 'result', step: null, entry: null, result, request: null },
    [
      ...extra,
      { type: 'clear-entry' },
      { type: 'clear-timer', timer: 'entry' },
      { type: 'clear-timer', timer: 'entry-warn' },
      { type: 'session-ended', session: s.session, result, request: s.request?.id ?? null },
      { type: 'start-timer', timer: 'result', ms: t.resultMs },
      ...alert,
    ],
  ];
}

function failure(code: string, outcome: ResultView['outcome'], triesLeft?: number | null, document: string | null = null): ResultView {
  return { outcome, document, reasons: [code], triesLeft };
}

/** Codes that mean "the card/holder was refused" rather than "something broke". */
const REFUSAL_CODES = new Set(['PIN_TRIES_LOW', 'PIN_LOCKED', 'PIN_WRONG', 'CARD_UNSUPPORTED', 'PIN_TRIES_UNKNOWN']);

export function reduce(s: KioskState, e: KioskEvent, t: Timeouts = DEFAULT_TIMEOUTS): Out {
  switch (e.type) {
    case 'reader-service': {
      if (!e.available) {
        const effects: KioskEffect[] = [{ type: 'clear-entry' }, { type: 'clear-timer', timer: 'entry' }, { type: 'clear-timer', timer: 'entry-warn' }];
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
      if (s.phase === 'remove-card') return [{ ...next, phase: 'idle', result: null, cardLeft: 0 }, [{ type: 'clear-timer', timer: 'card-left' }]];
      return [next, []];
    }

    case 'read-progress':
      if (e.session !== s.session || !ACTIVE.has(s.phase)) return [s, []];
      return [{ ...s, step: e.step }, []];

    case 'secret-requested':
      if (e.session !== s.session || !ACTIVE.has(s.phase)) return [s, []];
      return [
        {
          ...s,
          phase: 'secret-entry',
          step: 'pin',
          entry: {
            ...e.entry,
            length: 0,
            candidate: null,
            candidateIndex: null,
            typed: isPrintedNumber(e.entry.purpose) ? '' : null,
            expiring: false,
            tooShort: false,
            form: null,
          },
        },
        [{ type: 'clear-entry' }, ...entryTimers(t), ...(e.entry.previousAttemptWrong ? [{ type: 'alert', kind: 'wrong-secret' } as const] : [])],
      ];

    case 'entry-changed': {
      if (s.phase !== 'secret-entry' || !s.entry) return [s, []];
      const restart = entryTimers(t);
      // The letter of a secret never enters the state, whoever reports it (issue 17); a printed number is
      // shown as typed (issue 19).
      const printed = isPrintedNumber(s.entry.purpose);
      const candidate = printed ? (e.candidate ?? null) : null;
      const candidateIndex = e.candidateIndex ?? null;
      const typed = printed ? (e.typed ?? s.entry.typed ?? '').slice(0, e.length) : null;
      // Nothing the screen shows changed (a key that did nothing): no new state, so no frame — a frame per
      // press would let a watcher count presses. A warning or a too-short note goes away with any key.
      const same = s.entry.length === e.length && s.entry.candidate === candidate && s.entry.candidateIndex === candidateIndex && s.entry.typed === typed;
      if (same && !s.entry.expiring && !s.entry.tooShort) return [s, restart];
      const f = s.entry.form && typed !== null ? form.typedInto(s.entry.form, typed) : s.entry.form;
      return [{ ...s, entry: { ...s.entry, length: e.length, candidate, candidateIndex, typed, expiring: false, tooShort: false, form: f } }, restart];
    }

    case 'entry-extend':
      if (s.phase !== 'secret-entry' || !s.entry) return [s, []];
      return [s.entry.expiring ? { ...s, entry: { ...s.entry, expiring: false } } : s, entryTimers(t)];

    case 'entry-submit': {
      if (s.phase !== 'secret-entry' || !s.entry) return [s, []];
      const { min, max } = s.entry.format;
      // Too few characters: say so (the screen names how many are needed) instead of doing nothing.
      if (s.entry.length < min || s.entry.length > max) return [s.entry.tooShort ? s : { ...s, entry: { ...s.entry, tooShort: true } }, entryTimers(t)];
      if (s.entry.form) return form.next(s, s.entry, s.entry.form, entryTimers(t));
      // The printed number shown while typing does not travel on once it is handed over.
      return [
        { ...s, phase: 'verifying', entry: { ...s.entry, typed: s.entry.typed === null ? null : '', length: 0, expiring: false } },
        [
          { type: 'clear-timer', timer: 'entry' },
          { type: 'clear-timer', timer: 'entry-warn' },
          { type: 'submit-secret', session: s.session },
        ],
      ];
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
      if (s.phase === 'result') return toAfterResult(s, t);
      return [s, []];

    case 'read-finished':
      if (e.session !== s.session || !ACTIVE.has(s.phase)) return [s, []];
      return endSession(s, e.result, t);

    case 'read-failed': {
      if (e.session !== s.session || !ACTIVE.has(s.phase)) return [s, []];
      const outcome = REFUSAL_CODES.has(e.code) ? 'refused' : 'error';
      return endSession(s, failure(e.code, outcome, e.triesLeft, e.document ?? null), t);
    }

    case 'timeout':
      switch (e.timer) {
        case 'entry-warn':
          if (s.phase !== 'secret-entry' || !s.entry || s.entry.expiring) return [s, []];
          return [{ ...s, entry: { ...s.entry, expiring: true } }, []];
        case 'entry':
          if (s.phase !== 'secret-entry') return [s, []];
          return endSession(s, failure('PIN_ENTRY_TIMEOUT', 'cancelled'), t, [{ type: 'abort-read', session: s.session, code: 'PIN_ENTRY_TIMEOUT' }]);
        case 'result':
          return s.phase === 'result' ? toAfterResult(s, t) : [s, []];
        case 'card-left':
          if (s.phase !== 'remove-card') return [s, []];
          // Each reminder escalates (KioskState.cardLeft); the screen and the health/metrics follow the level.
          return [
            { ...s, cardLeft: s.cardLeft + 1 },
            [
              { type: 'alert', kind: 'card-left', level: s.cardLeft + 1 },
              { type: 'start-timer', timer: 'card-left', ms: t.cardLeftMs },
            ],
          ];
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
      const [after, afterFx] = toAfterResult(next, t);
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

function toAfterResult(s: KioskState, t: Timeouts): Out {
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
