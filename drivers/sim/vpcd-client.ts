// The card side of the vsmartcard vpcd protocol (docs/reference/peripherals.md §4): connect to vpcd over TCP, answer its
// control bytes and C-APDUs with a VirtualCard. Connected = card inserted; socket closed = card removed.
//
// Framing both ways is a 2-byte big-endian length ‖ payload. TCP may split a frame or deliver several in
// one read, so frames go through FrameDecoder. APDUs are answered strictly in order even when a test adds
// an asynchronous per-APDU delay.
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import type { VirtualCard } from './virtual-card.ts';

export const VPCD_DEFAULT_HOST = '127.0.0.1';
export const VPCD_DEFAULT_PORT = 35963;

const CTRL_POWER_OFF = 0x00;
const CTRL_POWER_ON = 0x01;
const CTRL_RESET = 0x02;
const CTRL_GET_ATR = 0x04;

export function encodeFrame(payload: Buffer): Buffer {
  if (payload.length > 0xffff) throw new RangeError('vpcd frame payload over 65535 bytes');
  const head = Buffer.alloc(2);
  head.writeUInt16BE(payload.length);
  return Buffer.concat([head, payload]);
}

/** Reassembles length-prefixed frames from arbitrary TCP chunks. */
export class FrameDecoder {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const frames: Buffer[] = [];
    while (this.#buf.length >= 2) {
      const len = this.#buf.readUInt16BE(0);
      if (this.#buf.length < 2 + len) break;
      frames.push(Buffer.from(this.#buf.subarray(2, 2 + len)));
      this.#buf = this.#buf.subarray(2 + len);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get buffered(): number {
    return this.#buf.length;
  }
}

export type DisconnectReason = 'removed' | 'vpcd-closed' | 'fault' | 'closed';

export interface VpcdClientEvents {
  connected: [];
  disconnected: [reason: DisconnectReason];
  power: [what: 'off' | 'on' | 'reset'];
  /** Every APDU answered (command bytes may hold a PIN: in-process use only, never log them). */
  apdu: [command: Buffer, response: Buffer];
  /** An APDU the card left unanswered because it has gone silent (VirtualCard.mute). */
  unanswered: [command: Buffer];
  /** A socket error (connection refused while retrying is not reported). */
  'socket-error': [err: Error];
}

export interface VpcdClientOptions {
  host?: string;
  port?: number;
  /** First retry delay while vpcd is not listening; doubles up to retryMaxMs. */
  retryMs?: number;
  retryMaxMs?: number;
  /** insert() rejects when vpcd has not accepted within this time; 0 = retry forever. Default 10 s. */
  connectTimeoutMs?: number;
  /** Reconnect after vpcd closes the connection (pcscd restarted) while inserted. Default true. */
  reconnect?: boolean;
  /** Per-APDU delay: return milliseconds, or a promise the answer waits for. */
  apduDelay?: (apdu: Buffer, index: number) => number | Promise<void>;
  /** Fault injection: after this many APDUs the next one is not answered and the card is pulled. */
  dropAfterApdus?: number;
}

export class VpcdClient extends EventEmitter<VpcdClientEvents> {
  readonly host: string;
  readonly port: number;
  #o: VpcdClientOptions;
  #socket: Socket | null = null;
  #connecting = false;
  #inserted = false;
  #closed = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #retryDelay: number;
  #waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  #queue: Promise<void> = Promise.resolve();
  #dropAfter: number | null;
  #sinceArmed = 0;
  /** APDUs answered since this client was created. */
  apduCount = 0;

  constructor(
    readonly card: VirtualCard,
    o: VpcdClientOptions = {},
  ) {
    super();
    this.#o = o;
    this.host = o.host ?? VPCD_DEFAULT_HOST;
    this.port = o.port ?? VPCD_DEFAULT_PORT;
    this.#retryDelay = o.retryMs ?? 25;
    this.#dropAfter = o.dropAfterApdus ?? null;
  }

  get connected(): boolean {
    return this.#socket !== null;
  }

  /** Arm the "card pulled mid-exchange" fault: answer n more APDUs, then drop the connection. null disarms. */
  dropAfter(n: number | null): void {
    this.#dropAfter = n;
    this.#sinceArmed = 0;
  }

  /** Insert the card: connect to vpcd (retrying until it listens). Resolves once connected. */
  insert(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('vpcd client closed'));
    if (this.#socket) return Promise.resolve();
    this.#inserted = true;
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    const timeout = this.#o.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | null = null;
    if (timeout > 0) {
      timer = setTimeout(() => {
        // Give up: stop retrying so a failed insert leaves no timer behind.
        this.#inserted = false;
        if (this.#retryTimer) clearTimeout(this.#retryTimer);
        this.#retryTimer = null;
        this.#settle(new Error(`vpcd at ${this.host}:${this.port} not reachable within ${timeout} ms`));
      }, timeout);
    }
    if (!this.#connecting && !this.#retryTimer) this.#connect();
    return p.finally(() => timer && clearTimeout(timer));
  }

  /** Pull the card: close the connection and stop reconnecting. Resolves when the socket is closed. */
  async remove(): Promise<void> {
    this.#inserted = false;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#settle(new Error('card removed before vpcd accepted'));
    const s = this.#socket;
    if (!s) return;
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    s.destroy();
    await closed;
  }

  /** Remove the card for good; insert() fails afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.remove();
  }

  #settle(err?: Error): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const x of w) err ? x.reject(err) : x.resolve();
  }

  #connect(): void {
    this.#retryTimer = null;
    if (!this.#inserted) return;
    this.#connecting = true;
    const s = createConnection({ host: this.host, port: this.port });
    let established = false;
    s.setNoDelay(true);
    s.once('connect', () => {
      this.#connecting = false;
      if (!this.#inserted) {
        s.destroy();
        return;
      }
      established = true;
      this.#socket = s;
      this.#retryDelay = this.#o.retryMs ?? 25;
      this.#sinceArmed = 0;
      const decoder = new FrameDecoder();
      s.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) this.#queue = this.#queue.then(() => this.#onFrame(s, f));
      });
      this.emit('connected');
      this.#settle();
    });
    s.on('error', (err) => {
      if (established) this.emit('socket-error', err);
    });
    s.once('close', () => {
      this.#connecting = false;
      if (this.#socket === s) {
        this.#socket = null;
        const reason: DisconnectReason = this.#faulted.has(s) ? 'fault' : this.#inserted ? 'vpcd-closed' : this.#closed ? 'closed' : 'removed';
        this.emit('disconnected', reason);
      }
      if (this.#inserted && (!established || (this.#o.reconnect ?? true))) this.#scheduleRetry();
      else if (established && this.#inserted) this.#inserted = false;
    });
  }

  #faulted = new WeakSet<Socket>();

  #scheduleRetry(): void {
    if (this.#retryTimer) return;
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(delay * 2, this.#o.retryMaxMs ?? 500);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  async #onFrame(s: Socket, frame: Buffer): Promise<void> {
    if (this.#socket !== s) return; // the card was pulled while this frame waited
    if (frame.length === 1) {
      switch (frame[0]) {
        case CTRL_POWER_OFF:
          this.card.reset();
          this.emit('power', 'off');
          return;
        case CTRL_POWER_ON:
          this.card.reset();
          this.emit('power', 'on');
          return;
        case CTRL_RESET:
          this.card.reset();
          this.emit('power', 'reset');
          return;
        case CTRL_GET_ATR:
          s.write(encodeFrame(this.card.atr));
          return;
        default:
          return; // unknown control byte: vpcd sends none other; ignore rather than guess
      }
    }
    if (frame.length === 0) return;
    if (this.#dropAfter !== null && this.#sinceArmed >= this.#dropAfter) {
      // Card pulled mid-exchange: this APDU never gets an answer.
      this.#dropAfter = null;
      this.#inserted = false;
      this.#faulted.add(s);
      s.destroy();
      return;
    }
    if (this.card.mute) {
      // The chip went silent: vpcd (and pcscd's SCardTransmit above it) wait for an answer that never
      // comes, until the card is pulled (the socket closes).
      this.emit('unanswered', frame);
      return;
    }
    this.#sinceArmed++;
    const index = this.apduCount++;
    const delay = this.#o.apduDelay?.(frame, index);
    if (typeof delay === 'number' && delay > 0) await new Promise((r) => setTimeout(r, delay));
    else if (delay instanceof Promise) await delay;
    if (this.#socket !== s) return;
    let response = this.card.process(frame);
    if (response.length > 0xffff) response = Buffer.from([0x6f, 0x00]); // cannot be framed; never happens for ISO sizes
    s.write(encodeFrame(response));
    this.emit('apdu', frame, response);
  }
}
