// The kiosk session's vocabulary: its state, the events the runtime feeds in, the effects it carries out,
// and the timeouts. The transitions are in session-machine.ts, which re-exports these names; the entry
// (entry-typing.ts, entry-warning.ts), the end of a session (session-end.ts) and the forgotten card
// (card-left.ts) are small reducers over the same types.
import type { SecretFormat, SecretPurpose } from '../documents/secrets.ts';
import type { FormRequest, FormView } from './entry-fields.ts';
import type { ResultView } from '../result/result-view.ts';

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

/** A transition's result: the next state and the effects the runtime carries out, in order. */
export type Transition = [KioskState, KioskEffect[]];

/** Phases in which a document read is running (a card on the reader, a session not yet ended). */
export const ACTIVE: ReadonlySet<Phase> = new Set(['reading', 'secret-entry', 'verifying']);
