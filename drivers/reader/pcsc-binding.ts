// The real reader binding: PC/SC through the `pcsclite` native addon (libpcsclite → pcscd).
//
// Traps handled here (see ARCHITECTURE.md):
// - status listeners are attached synchronously inside the 'reader' callback, or the first status
//   (a card already in the reader at start) is lost;
// - the reader state carries pcsc-lite's event counter in its upper 16 bits: mask it before comparing;
// - connect SHARED, so pcscd-level tools (and OpenSC) can coexist; reset the card on disconnect so a
//   verified PIN never outlives the session;
// - when pcscd dies the context is dead for good: drop it and re-establish with backoff, reporting the
//   service as unavailable meanwhile (no daemon restart needed).
import { createRequire } from 'node:module';
import { ErrorCodes, KioskError } from '../../daemon/errors.ts';
import { TypedEvents } from '../typed-events.ts';
import { fromPcscError } from './pcsc-errors.ts';
import type { CardChannel, Protocol, ReaderDriver, ReaderEventMap, ReaderState } from './types.ts';

// pcsclite is CommonJS and has no ESM entry.
const require = createRequire(import.meta.url);
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
  /** Diagnostics sink (never receives APDU contents). */
  log?: (line: string) => void;
}

interface TrackedReader {
  reader: PcscReader;
  present: boolean;
  atr: Buffer | null;
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

  constructor(options: PcscOptions = {}) {
    this.opts = {
      transmitTimeoutMs: options.transmitTimeoutMs ?? 10_000,
      minBackoffMs: options.minBackoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      log: options.log ?? (() => {}),
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
    const protocol = await new Promise<number>((resolve, reject) => {
      reader.connect({ share_mode: reader.SCARD_SHARE_SHARED }, (err, proto) =>
        err ? reject(fromPcscError(err, ErrorCodes.CARD_CONNECT_FAILED, 'connect')) : resolve(proto),
      );
    });
    // A card pulled mid-APDU surfaces as assorted transport errors (or an empty response, through vpcd);
    // the channel asks whether the card is still there before it reports what went wrong.
    const present = () => this.tracked.get(readerName) === t && t.present;
    return new PcscChannel(reader, readerName, t.atr ?? Buffer.alloc(0), protocol, this.opts.transmitTimeoutMs, present);
  }

  private establish(): void {
    if (this.stopped) return;
    let ctx: PcscContext;
    try {
      const factory = require('pcsclite') as PcscLiteFactory;
      ctx = factory();
    } catch (err) {
      this.opts.log(`pcsc: context not available (${(err as Error).message}); retry in ${this.backoff} ms`);
      this.setAvailable(false, (err as Error).message);
      this.scheduleRetry();
      return;
    }
    this.context = ctx;
    ctx.on('error', (err: unknown) => {
      if (this.context !== ctx) return;
      this.opts.log(`pcsc: context error (${(err as Error)?.message ?? err}); re-establishing`);
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
    const t: TrackedReader = { reader, present: false, atr: null };
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
      this.opts.log(`pcsc: reader "${name}" status error (${(err as Error)?.message ?? err})`);
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
      try {
        t.reader.removeAllListeners('status');
        t.reader.close?.();
      } catch {
        /* the reader's thread may already have ended with the context */
      }
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
  private closed = false;

  constructor(
    private readonly reader: PcscReader,
    readonly readerName: string,
    readonly atr: Buffer,
    private readonly pcscProtocol: number,
    private readonly timeoutMs: number,
    private readonly present: () => boolean,
  ) {
    this.protocol = pcscProtocol === reader.SCARD_PROTOCOL_T0 ? 'T0' : pcscProtocol === reader.SCARD_PROTOCOL_T1 ? 'T1' : 'RAW';
  }

  async transmit(apdu: Buffer, timeoutMs = this.timeoutMs): Promise<Buffer> {
    try {
      return await this.transmitOnce(apdu, timeoutMs);
    } catch (e) {
      if (e instanceof KioskError && e.code !== ErrorCodes.CARD_REMOVED && (await this.cardGone())) {
        throw new KioskError(ErrorCodes.CARD_REMOVED, 'card was removed during the exchange', {}, { cause: e });
      }
      throw e;
    }
  }

  /** Waits briefly for the status thread to report the removal that caused a transport failure. */
  private async cardGone(): Promise<boolean> {
    for (let i = 0; i < 25; i++) {
      if (!this.present()) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  private transmitOnce(apdu: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new KioskError(ErrorCodes.CARD_REMOVED, 'channel closed'));
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        // SCardTransmit cannot be cancelled; the session is void from here on.
        this.closed = true;
        reject(new KioskError(ErrorCodes.READER_TIMEOUT, `no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.reader.transmit(apdu, MAX_RESPONSE, this.pcscProtocol, (err, data) => {
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
    if (this.closed && !this.reader.connected) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      // Reset, not leave: the PIN-verified security state must not survive the session.
      this.reader.disconnect(this.reader.SCARD_RESET_CARD, () => resolve());
    });
  }
}
