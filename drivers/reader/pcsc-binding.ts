// The real reader binding: PC/SC through the `pcsclite` native addon (libpcsclite → pcscd).
//
// Traps handled here (see ARCHITECTURE.md):
// - status listeners are attached synchronously inside the 'reader' callback, or the first status
//   (a card already in the reader at start) is lost;
// - the reader state carries pcsc-lite's event counter in its upper 16 bits: mask it before comparing;
// - connect SHARED, so pcscd-level tools (and OpenSC) can coexist; reset the card on disconnect so a
//   verified PIN never outlives the session;
// - when pcscd dies the context is dead for good: drop it and re-establish with backoff, reporting the
//   service as unavailable meanwhile (no daemon restart needed);
// - a card that stops answering: SCardTransmit cannot be interrupted portably (SCardCancel only ends
//   SCardGetStatusChange), and the addon holds the reader's mutex for the whole call, so a disconnect,
//   a connect or reader.close() issued meanwhile waits on the same lock — close() even on the main thread.
//   The channel therefore gives up on its own clock (READER_TIMEOUT), becomes void, and releases the
//   handle (disconnect with reset) only when the stuck call returns: the card answers late or is pulled.
//   A late answer goes nowhere, the card is reset before anyone else talks to it, and the next connect
//   on that reader waits for the release (see PcscChannel, connect, teardown).
import { nullLogger, type Logger } from '../../core/log.ts';
import { createRequire } from 'node:module';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { TypedEvents } from '../typed-events.ts';
import { fromPcscError } from './pcsc-errors.ts';
import type { CardChannel, Protocol, ReaderDriver, ReaderEventMap, ReaderState } from './types.ts';

// pcsclite is CommonJS and has no ESM entry.
const requirePackage = createRequire(import.meta.url);
type PcscLiteFactory = typeof import('pcsclite');
type PcscContext = ReturnType<PcscLiteFactory>;
type PcscReader = Parameters<Parameters<PcscContext['on']>[1]>[0] & {
  close?: () => void;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
};

const STATE_MASK = 0xffff; // the upper 16 bits are the event counter
const MAX_RESPONSE = 65536 + 2;

export interface PcscOptions {
  /** Per-APDU timeout (ms). */
  transmitTimeoutMs?: number;
  /** Backoff bounds for re-establishing the context after pcscd went away (ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Diagnostics (never APDU contents). */
  log?: Logger;
}

interface TrackedReader {
  reader: PcscReader;
  present: boolean;
  atr: Buffer | null;
  /** Settles when a channel that timed out has released the card handle (its stuck SCardTransmit returned). */
  busy: Promise<void> | null;
}

export class PcscReaderDriver implements ReaderDriver {
  private readonly events = new TypedEvents<ReaderEventMap>();
  private readonly tracked = new Map<string, TrackedReader>();
  private context: PcscContext | null = null;
  private available = false;
  private stopped = true;
  private backoff: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly opts: Required<PcscOptions>;
  /** Readers dropped by teardown whose stuck exchange has not returned yet. */
  private readonly detached = new Set<TrackedReader>();

  constructor(options: PcscOptions = {}) {
    this.opts = {
      transmitTimeoutMs: options.transmitTimeoutMs ?? 10_000,
      minBackoffMs: options.minBackoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      log: options.log ?? nullLogger,
    };
    this.backoff = this.opts.minBackoffMs;
  }

  on<K extends keyof ReaderEventMap>(event: K, listener: (e: ReaderEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.establish();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.teardown('stopped');
  }

  serviceAvailable(): boolean {
    return this.available;
  }

  readers(): ReaderState[] {
    return [...this.tracked.entries()].map(([name, t]) => ({ name, present: t.present, atr: t.atr }));
  }

  async connect(readerName: string): Promise<CardChannel> {
    const t = this.tracked.get(readerName);
    if (!t) throw new KioskError(ErrorCodes.READER_NOT_FOUND, `no reader named "${readerName}"`);
    if (!t.present) throw new KioskError(ErrorCodes.READER_NO_CARD, `no card in "${readerName}"`);
    const reader = t.reader;
    if (t.busy !== null) {
      // The previous session's card stopped answering and its handle is not released yet. Until it is,
      // the addon would hand us that same handle (connect() is a no-op while `connected`).
      let timer: NodeJS.Timeout | undefined;
      const released = await Promise.race([
        t.busy.then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), this.opts.transmitTimeoutMs))),
      ]).finally(() => clearTimeout(timer));
      if (!released) throw new KioskError(ErrorCodes.READER_TIMEOUT, `"${readerName}" still waits for a card that stopped answering; remove it`);
    }
    const connectOnce = () =>
      new Promise<number | undefined>((resolve, reject) => {
        reader.connect({ share_mode: reader.SCARD_SHARE_SHARED }, (err, proto) =>
          err ? reject(fromPcscError(err, ErrorCodes.CARD_CONNECT_FAILED, 'connect')) : resolve(proto),
        );
      });
    let protocol = await connectOnce();
    if (!Number.isInteger(protocol)) {
      // A channel was left connected when its card was pulled: the addon still marks the reader connected,
      // so connect() is a no-op that reports no protocol, and every transmit would then fail with the plain
      // Error "Third argument must be an integer". Release the stale handle and connect afresh.
      await new Promise<void>((resolve) => reader.disconnect(reader.SCARD_RESET_CARD, () => resolve()));
      protocol = await connectOnce();
      if (!Number.isInteger(protocol)) throw new KioskError(ErrorCodes.CARD_CONNECT_FAILED, `connect to "${readerName}" reported no protocol`);
    }
    // A card pulled mid-APDU surfaces as assorted transport errors (or an empty response, through vpcd);
    // the channel asks whether the card is still there before it reports what went wrong.
    const present = () => this.tracked.get(readerName) === t && t.present;
    const onStuck = (released: Promise<void>) => {
      const mark: Promise<void> = released.finally(() => {
        if (t.busy === mark) t.busy = null;
      });
      t.busy = mark;
    };
    return new PcscChannel(reader, readerName, t.atr ?? Buffer.alloc(0), protocol as number, this.opts.transmitTimeoutMs, present, onStuck);
  }

  /**
   * True while a native SCardTransmit to a card that stopped answering is still pending (until the card
   * answers late, is pulled, or the reader driver gives up). Node cannot end the process meanwhile: exit
   * joins libuv's thread pool, which waits for that call.
   */
  hasStuckExchange(): boolean {
    return [...this.tracked.values(), ...this.detached].some((t) => t.busy !== null);
  }

  private establish(): void {
    if (this.stopped) return;
    let ctx: PcscContext;
    try {
      const factory = requirePackage('pcsclite') as PcscLiteFactory;
      ctx = factory();
    } catch (err) {
      this.opts.log.warn('pcsc: context not available', { reason: (err as Error).message, retryMs: this.backoff });
      this.setAvailable(false, (err as Error).message);
      this.scheduleRetry();
      return;
    }
    this.context = ctx;
    ctx.on('error', (err: unknown) => {
      if (this.context !== ctx) return;
      this.opts.log.warn('pcsc: context error; re-establishing', { reason: (err as Error)?.message ?? String(err) });
      this.teardown((err as Error)?.message ?? 'pcsc error');
      this.scheduleRetry();
    });
    ctx.on('reader', (r) => this.attachReader(ctx, r as PcscReader));
    this.backoff = this.opts.minBackoffMs;
    this.setAvailable(true);
  }

  private attachReader(ctx: PcscContext, reader: PcscReader): void {
    // Synchronously: the addon emits the first status right after this callback returns.
    const name = reader.name;
    const t: TrackedReader = { reader, present: false, atr: null, busy: null };
    this.tracked.set(name, t);
    reader.on('status', (status) => {
      if (this.context !== ctx) return;
      const state = status.state & STATE_MASK;
      const present = (state & reader.SCARD_STATE_PRESENT) !== 0 && (state & reader.SCARD_STATE_MUTE) === 0;
      if (present && !t.present) {
        t.present = true;
        t.atr = status.atr ? Buffer.from(status.atr) : Buffer.alloc(0);
        this.events.emit('card-inserted', { reader: name, atr: t.atr });
      } else if (!present && t.present) {
        t.present = false;
        t.atr = null;
        this.events.emit('card-removed', { reader: name });
      }
    });
    reader.on('end', () => {
      if (this.context !== ctx) return;
      this.dropReader(name);
    });
    reader.on('error', (err: unknown) => {
      this.opts.log.warn('pcsc: reader status error', { reader: name, reason: (err as Error)?.message ?? String(err) });
    });
    this.events.emit('reader-added', { name });
  }

  private dropReader(name: string): void {
    const t = this.tracked.get(name);
    if (!t) return;
    this.tracked.delete(name);
    if (t.present) this.events.emit('card-removed', { reader: name });
    this.events.emit('reader-removed', { name });
  }

  private teardown(reason: string): void {
    const ctx = this.context;
    this.context = null;
    for (const [name, t] of [...this.tracked]) {
      this.dropReader(name);
      const close = () => {
        try {
          t.reader.removeAllListeners('status');
          t.reader.close?.();
        } catch {
          /* the reader's thread may already have ended with the context */
        }
      };
      if (t.busy !== null) {
        // close() locks the mutex the stuck SCardTransmit holds, on the main thread: close once it returned.
        this.detached.add(t);
        void t.busy.then(() => {
          this.detached.delete(t);
          close();
        });
      } else close();
    }
    if (ctx) {
      try {
        ctx.removeAllListeners('reader');
        ctx.close();
      } catch {
        /* closing a context whose daemon died can fail; it is unusable either way */
      }
    }
    this.setAvailable(false, reason);
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.establish();
    }, delay);
    this.retryTimer.unref();
  }

  private setAvailable(available: boolean, reason?: string): void {
    if (this.available === available) return;
    this.available = available;
    this.events.emit('service', { available, reason });
  }
}

class PcscChannel implements CardChannel {
  readonly protocol: Protocol;
  /** Set once the channel may no longer be used: the session is void (timeout) or over (disconnect). */
  private voided: KioskError | null = null;
  private disconnected = false;
  /** The native SCardTransmit that outlived its timeout; settles when it finally returns. */
  private stuck: Promise<void> | null = null;

  constructor(
    private readonly reader: PcscReader,
    readonly readerName: string,
    readonly atr: Buffer,
    private readonly pcscProtocol: number,
    private readonly timeoutMs: number,
    private readonly present: () => boolean,
    private readonly onStuck: (released: Promise<void>) => void,
  ) {
    this.protocol = pcscProtocol === reader.SCARD_PROTOCOL_T0 ? 'T0' : pcscProtocol === reader.SCARD_PROTOCOL_T1 ? 'T1' : 'RAW';
  }

  async transmit(apdu: Buffer, timeoutMs = this.timeoutMs): Promise<Buffer> {
    try {
      return await this.transmitOnce(apdu, timeoutMs);
    } catch (e) {
      if (e instanceof KioskError && e.code !== ErrorCodes.CARD_REMOVED && e.code !== ErrorCodes.READER_TIMEOUT && (await this.cardGone())) {
        throw new KioskError(ErrorCodes.CARD_REMOVED, 'card was removed during the exchange', {}, { cause: e });
      }
      throw e;
    }
  }

  /** Waits briefly for the status thread to report the removal that caused a transport failure. */
  private async cardGone(): Promise<boolean> {
    for (let i = 0; i < 25; i++) {
      if (!this.present()) return true;
      await sleep(20);
    }
    return false;
  }

  private transmitOnce(apdu: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.disconnected) return Promise.reject(new KioskError(ErrorCodes.CARD_REMOVED, 'channel closed'));
    if (this.voided) return Promise.reject(this.voided);
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      let returned!: () => void;
      const native = new Promise<void>((r) => (returned = r));
      const timer = setTimeout(() => {
        settled = true;
        // The card stopped answering. The session is void from here on: no later APDU on this channel,
        // and whatever the card says late is dropped below (a late answer must never reach a session).
        this.voided = new KioskError(ErrorCodes.READER_TIMEOUT, `the card stopped answering (no response within ${timeoutMs} ms)`);
        this.stuck = native;
        reject(new KioskError(ErrorCodes.READER_TIMEOUT, `the card stopped answering (no response within ${timeoutMs} ms); remove it`, { timeoutMs }));
      }, timeoutMs);
      this.reader.transmit(apdu, MAX_RESPONSE, this.pcscProtocol, (err, data) => {
        returned();
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          reject(fromPcscError(err, ErrorCodes.READER_TRANSMIT_FAILED, 'transmit'));
        } else if (!data || data.length < 2) {
          reject(new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `response of ${data?.length ?? 0} bytes has no status word`));
        } else {
          resolve(Buffer.from(data));
        }
      });
    });
  }

  disconnect(): Promise<void> {
    if (this.disconnected) return Promise.resolve();
    this.disconnected = true;
    // Reset, not leave: the PIN-verified security state must not survive the session.
    const release = () => new Promise<void>((resolve) => this.reader.disconnect(this.reader.SCARD_RESET_CARD, () => resolve()));
    if (this.stuck !== null) {
      // A disconnect now would queue behind the stuck SCardTransmit on the addon's mutex and hold a second
      // libuv pool thread. Release when that call returns; the driver makes the next connect wait for it.
      this.onStuck(this.stuck.then(release));
      return Promise.resolve();
    }
    return release();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
