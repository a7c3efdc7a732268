// Runs the pure session machine against the world: reader events in, effects out (card reads, timers,
// secret hand-over, session-ended notifications). One runtime per kiosk. What a document flow is given
// is document-flow.ts; where the timers run, timer-host.ts.
import { randomInt } from 'node:crypto';
import { CardSession, type CardSessionOptions } from '../../drivers/reader/card-session.ts';
import type { CardChannel, ReaderDriver } from '../../drivers/reader/types.ts';
import { TypedEvents } from '../../drivers/typed-events.ts';
import { ErrorCodes, KioskError, toKioskError } from '../../core/errors.ts';
import { isPrintedNumber, type SecretPrompt } from '../documents/secrets.ts';
import { SecretEntry } from './secret-entry.ts';
import { formAllowed, type FormRequest } from './entry-fields.ts';
import {
  DEFAULT_TIMEOUTS,
  initialState,
  reduce,
  type KioskEffect,
  type KioskEvent,
  type KioskState,
  type TimerName,
  type Timeouts,
  type Blocker,
  type VerificationRequest,
} from './session-machine.ts';
import type { ResultView } from '../result/result-view.ts';
import type { DocumentFlow } from './document-flow.ts';
import { realTimers, type TimerHost } from './timer-host.ts';
import { abortable } from './abortable-channel.ts';

/** Digits and letters (letters come from multi-tap on the keypad or the on-screen keyboard). */
export type KeyName = string;
const CHAR_KEY = /^[0-9A-Z]$/;

export interface RuntimeEvents {
  state: KioskState;
  /** `request`: the integration-API request the session served (absent/null for walk-up sessions). */
  'session-ended': { session: number; result: ResultView; request?: string | null };
  /** An integration-API request ended without a session (cancelled, timed out, refused: busy or blocked). */
  'request-ended': { id: string; code: string };
  /** `level`: the card-left reminder's escalation step (absent for the other kinds). */
  alert: { kind: string; level?: number };
  /** The pad's repeat key: the screen plays its voice prompt again (no key value, no session change). */
  'repeat-prompt': Record<string, never>;
}

export interface RuntimeOptions {
  reader: ReaderDriver;
  flow: DocumentFlow;
  timeouts?: Partial<Timeouts>;
  cardSession?: CardSessionOptions;
  log?: (line: string) => void;
  /**
   * The fixed buffer the holder's keystrokes are collected in (default: 16 fresh bytes). Injected by tests
   * that check it holds nothing once a session is over.
   */
  entryBuffer?: Buffer;
  /** Timer host (default: real timers). */
  timers?: TimerHost;
  /** Today's date for the entry checks (the century of a two-digit birth year); default the system clock. */
  now?: () => Date;
}

interface ActiveRead {
  session: number;
  controller: AbortController;
  pendingPrompt: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null;
  pendingForm: { resolve: (b: Buffer[]) => void; reject: (e: Error) => void } | null;
  /** The printed numbers of this session's last form (a retry shows them again); dropped with the session. */
  lastForm: string[] | null;
  done: Promise<void>;
}

export class KioskRuntime {
  readonly events = new TypedEvents<RuntimeEvents>();
  private state = initialState();
  private readonly timeouts: Timeouts;
  private readonly timers = new Map<TimerName, unknown>();
  private readonly clock: TimerHost;
  private readonly entry: SecretEntry;
  private active: ActiveRead | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly log: (line: string) => void;

  constructor(private readonly o: RuntimeOptions) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
    this.entry = new SecretEntry(o.entryBuffer ?? 16);
    this.log = o.log ?? (() => {});
    this.clock = o.timers ?? realTimers;
  }

  getState(): KioskState {
    return this.state;
  }

  start(): void {
    const r = this.o.reader;
    this.unsubscribe.push(
      r.on('service', (e) => this.dispatch({ type: 'reader-service', available: e.available })),
      r.on('card-inserted', (e) => this.dispatch({ type: 'card-inserted', reader: e.reader })),
      r.on('card-removed', (e) => this.dispatch({ type: 'card-removed', reader: e.reader })),
    );
    r.start();
    if (r.serviceAvailable()) this.dispatch({ type: 'reader-service', available: true });
    const withCard = r.readers().find((x) => x.present);
    if (withCard && !this.state.cardPresent) this.dispatch({ type: 'card-inserted', reader: withCard.name });
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const t of this.timers.values()) this.clock.clear(t);
    this.timers.clear();
    this.abort('SESSION_CANCELLED');
    await this.active?.done;
    this.entry.clear();
  }

  /** Key from the keypad driver or the on-screen keypad. The value never leaves this process. */
  /** The holder asked to hear the screen's prompt again (KeyRoles.repeat). */
  repeatPrompt(): void {
    this.events.emit('repeat-prompt', {});
  }

  key(k: KeyName): void {
    const s = this.state;
    if (s.phase === 'secret-entry' && s.entry?.form) {
      const f = s.entry.form;
      // The review step: read with these values, or go back to a field; no characters are typed here.
      if (f.review) {
        if (k === 'enter' || k === 'confirm') {
          this.dispatch({ type: 'entry-confirm' });
          return;
        }
        if (k === 'back' || k === 'prev') {
          this.dispatch({ type: 'entry-prev' });
          return;
        }
        if (k === 'cancel') {
          this.dispatch({ type: 'cancel' });
          return;
        }
        if (k === 'extend') {
          this.dispatch({ type: 'entry-extend' });
          return;
        }
        return;
      }
      // 「前の項目へ」, or the back key with nothing left to delete: the previous field, its value kept.
      if (k === 'prev' || (k === 'back' && this.entry.length === 0 && f.index > 0)) {
        this.dispatch({ type: 'entry-prev' });
        return;
      }
    }
    if (s.phase === 'secret-entry' && s.entry) {
      if (k === 'prev' || k === 'confirm') return;
      if (CHAR_KEY.test(k)) this.pushChar(k);
      else if (k === 'back') this.entry.pop();
      else if (k === 'clear') this.entry.clear();
      else if (k === 'enter') {
        this.dispatch({ type: 'entry-submit' });
        return;
      } else if (k === 'cancel') {
        this.dispatch({ type: 'cancel' });
        return;
      } else if (k === 'extend') {
        this.dispatch({ type: 'entry-extend' });
        return;
      }
      this.dispatch({ type: 'entry-changed', length: this.entry.length, typed: this.printedText() });
      return;
    }
    if (k === 'cancel' || (k === 'enter' && s.phase === 'result')) this.dispatch({ type: 'cancel' });
  }

  /**
   * Multi-tap on the hardware keypad (keypad-input.ts): characters committed now, and the character still
   * being chosen — its letter and its position in the key's cycle. One state change for both, so the screen
   * never shows a half-step. The machine shows the letter only for numbers printed on the document; for a
   * PIN or password the screen gets the position alone.
   */
  type(chars: readonly string[], candidate: { char: string; index: number } | null): void {
    const s = this.state;
    if (s.phase !== 'secret-entry' || !s.entry) return;
    for (const ch of chars) if (CHAR_KEY.test(ch)) this.pushChar(ch);
    const pending = candidate !== null && CHAR_KEY.test(candidate.char) && s.entry.format.kind === 'alnum' ? candidate : null;
    this.dispatch({
      type: 'entry-changed',
      length: this.entry.length,
      candidate: pending?.char ?? null,
      candidateIndex: pending?.index ?? null,
      typed: this.printedText(),
    });
  }

  /** The characters typed so far, only for a number printed on the document (never for a PIN or password). */
  private printedText(): string | null {
    const e = this.state.entry;
    return e && isPrintedNumber(e.purpose) ? this.entry.peekPrinted() : null;
  }

  private pushChar(ch: string): void {
    const e = this.state.entry;
    if (!e) return;
    const allowed = /^[0-9]$/.test(ch) || e.format.kind === 'alnum';
    if (allowed && this.entry.length < e.format.max) this.entry.push(ch.charCodeAt(0));
  }

  /**
   * A press on the on-screen keypad, identified by the entry's per-character token (padIds: 0–9, then A–Z
   * for alphanumeric entries). Unknown tokens are ignored.
   */
  pad(id: string): void {
    const i = this.state.phase === 'secret-entry' ? (this.state.entry?.padIds.indexOf(id) ?? -1) : -1;
    const ch = i >= 0 ? PAD_CHARS[i] : undefined;
    if (ch !== undefined) this.key(ch);
  }

  cancel(): void {
    this.dispatch({ type: 'cancel' });
  }

  /** 「修正する」 next to a field on the review screen. */
  editField(field: number): void {
    this.dispatch({ type: 'entry-edit', field });
  }

  /** Maintenance mode or a printer fault: no new sessions while any blocker is on. */
  block(blocker: Blocker, on: boolean): void {
    this.dispatch({ type: 'block', blocker, on });
  }

  /** An integration-API verification: the next card is read for these documents only. */
  request(request: VerificationRequest): void {
    this.dispatch({ type: 'request', request: { id: request.id, documents: [...request.documents], ...(request.policy ? { policy: request.policy } : {}) } });
  }

  cancelRequest(id: string): void {
    this.dispatch({ type: 'request-cancel', id });
  }

  dispatch(event: KioskEvent): void {
    const [next, effects] = reduce(this.state, event, this.timeouts);
    const changed = next !== this.state;
    this.state = next;
    if (changed) this.events.emit('state', next);
    for (const fx of effects) this.run(fx);
  }

  private run(fx: KioskEffect): void {
    switch (fx.type) {
      case 'start-read':
        this.startRead(fx.session, fx.reader, fx.documents, fx.policy ?? null);
        break;
      case 'abort-read':
        if (this.active?.session === fx.session) this.abort(fx.code);
        break;
      case 'submit-secret': {
        const p = this.active?.session === fx.session ? this.active.pendingPrompt : null;
        if (p && this.active) {
          this.active.pendingPrompt = null;
          p.resolve(this.entry.take());
        }
        break;
      }
      case 'clear-entry':
        this.entry.clear();
        break;
      case 'load-entry':
        this.entry.clear();
        for (const ch of fx.text) if (CHAR_KEY.test(ch)) this.entry.push(ch.charCodeAt(0));
        break;
      case 'submit-form': {
        const a = this.active?.session === fx.session ? this.active : null;
        const p = a?.pendingForm;
        if (a && p) {
          a.pendingForm = null;
          a.lastForm = [...fx.values];
          p.resolve(fx.values.map((v) => Buffer.from(v, 'latin1')));
        }
        break;
      }
      case 'start-timer': {
        this.clock.clear(this.timers.get(fx.timer));
        const t = this.clock.set(() => {
          this.timers.delete(fx.timer);
          this.dispatch({ type: 'timeout', timer: fx.timer });
        }, fx.ms);
        this.timers.set(fx.timer, t);
        break;
      }
      case 'clear-timer':
        this.clock.clear(this.timers.get(fx.timer));
        this.timers.delete(fx.timer);
        break;
      case 'session-ended':
        this.events.emit('session-ended', { session: fx.session, result: fx.result, request: fx.request });
        break;
      case 'request-ended':
        this.events.emit('request-ended', { id: fx.id, code: fx.code });
        break;
      case 'alert':
        this.events.emit('alert', fx.level !== undefined ? { kind: fx.kind, level: fx.level } : { kind: fx.kind });
        break;
    }
  }

  private abort(code: string): void {
    const a = this.active;
    if (!a) return;
    a.controller.abort(new KioskError(code as KioskError['code'], 'session aborted'));
    a.pendingPrompt?.reject(new KioskError(code as KioskError['code'], 'session aborted'));
    a.pendingPrompt = null;
    a.pendingForm?.reject(new KioskError(code as KioskError['code'], 'session aborted'));
    a.pendingForm = null;
    a.lastForm = null;
  }

  private startRead(session: number, readerName: string, documents: string[] | null, policy: string | null = null): void {
    const controller = new AbortController();
    const active: ActiveRead = { session, controller, pendingPrompt: null, pendingForm: null, lastForm: null, done: Promise.resolve() };
    const prompt: SecretPrompt = (request) =>
      new Promise<Buffer>((resolve, reject) => {
        if (controller.signal.aborted) return reject(controller.signal.reason as Error);
        active.pendingPrompt = { resolve, reject };
        this.dispatch({ type: 'secret-requested', session, entry: { ...request, padIds: padTokens(request.format.kind === 'alnum' ? 36 : 10) } });
      });
    const form = (request: FormRequest) =>
      new Promise<Buffer[]>((resolve, reject) => {
        if (controller.signal.aborted) return reject(controller.signal.reason as Error);
        // Never a PIN or password: those are asked one at a time, never shown, kept or retried by the kiosk.
        if (!formAllowed(request.fields)) return reject(new KioskError(ErrorCodes.INTERNAL, 'a form holds printed numbers only'));
        active.pendingForm = { resolve, reject };
        const alnum = request.fields.some((f) => f.format.kind === 'alnum');
        this.dispatch({
          type: 'form-requested',
          session,
          form: request,
          previous: request.mismatch ? active.lastForm : null,
          today: yyyymmdd((this.o.now ?? (() => new Date()))()),
          padIds: padTokens(alnum ? 36 : 10),
        });
      });
    const previous = this.active?.done ?? Promise.resolve();
    this.active = active;
    active.done = (async () => {
      await previous; // the previous session's card channel is closed before a new one opens
      let channel: CardChannel | null = null;
      try {
        channel = abortable(await this.o.reader.connect(readerName), controller.signal);
        const cardSession = new CardSession(channel, this.o.cardSession);
        const result = await this.o.flow.run({
          session: cardSession,
          prompt,
          form,
          progress: (step) => this.dispatch({ type: 'read-progress', session, step }),
          signal: controller.signal,
          documents,
          policy,
        });
        this.dispatch({ type: 'read-finished', session, result });
      } catch (e) {
        const err = toKioskError(e);
        this.log(`session ${session}: ${err.code}`);
        const triesLeft = typeof err.detail.triesLeft === 'number' ? err.detail.triesLeft : null;
        const document = typeof err.detail.document === 'string' ? err.detail.document : null;
        this.dispatch({ type: 'read-failed', session, code: err.code, triesLeft, document });
      } finally {
        await channel?.disconnect().catch(() => {});
        active.lastForm = null;
        if (this.active === active) this.active = null;
      }
    })();
  }
}

/** Today in the kiosk's local time zone (the holder's calendar), YYYYMMDD. */
function yyyymmdd(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/** What each on-screen pad token stands for, by index. */
const PAD_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** n distinct random tokens of lower-case letters (no digits or capitals, so no token can look like a secret). */
function padTokens(n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(Array.from({ length: 6 }, () => String.fromCharCode(97 + randomInt(26))).join(''));
  return [...out];
}
