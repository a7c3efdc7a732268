// How a session ends: the result goes on screen with its alert, the entry and its timers are cleared, the
// runtime is told (session-ended: receipt, API result, audit), and the result timer starts. A failed read
// becomes a result too: a refusal of the card or holder, or an error when something broke.
import type { Outcome, ResultView } from '../result/result-view.ts';
import { STOP_ENTRY_TIMERS } from './entry-warning.ts';
import type { AlertKind, KioskEffect, KioskState, Timeouts, Transition } from './session-types.ts';

/** The alert a session result raises; error and cancelled raise none (the screen explains them). */
const RESULT_ALERT: Record<Outcome, AlertKind | null> = { verified: 'verified', 'chip-read': 'chip-read', refused: 'refused', error: null, cancelled: null };

/** Codes that mean "the card/holder was refused" rather than "something broke". */
const REFUSAL_CODES: ReadonlySet<string> = new Set(['PIN_TRIES_LOW', 'PIN_LOCKED', 'PIN_WRONG', 'CARD_UNSUPPORTED', 'PIN_TRIES_UNKNOWN']);

/** A result that carries only why the session ended. */
export function failure(code: string, outcome: Outcome, triesLeft?: number | null, document: string | null = null): ResultView {
  return { outcome, document, reasons: [code], triesLeft };
}

/** The result of a read the document flow reported as failed: refused or error by its code. */
export function readFailure(code: string, triesLeft?: number | null, document: string | null = null): ResultView {
  return failure(code, REFUSAL_CODES.has(code) ? 'refused' : 'error', triesLeft, document);
}

/** The session ends with `result`; `extra` effects (an abort of the read) go first. */
export function endSession(s: KioskState, result: ResultView, t: Timeouts, extra: KioskEffect[] = []): Transition {
  const kind = RESULT_ALERT[result.outcome] ?? null;
  const alert: KioskEffect[] = kind ? [{ type: 'alert', kind }] : [];
  return [
    { ...s, phase: 'result', step: null, entry: null, result, request: null },
    [
      ...extra,
      { type: 'clear-entry' },
      ...STOP_ENTRY_TIMERS,
      { type: 'session-ended', session: s.session, result, request: s.request?.id ?? null },
      { type: 'start-timer', timer: 'result', ms: t.resultMs },
      ...alert,
    ],
  ];
}
