// The connection to one printer: opens (and reopens) the transport, enables Automatic Status Back,
// probes with DLE EOT 1..4 one query at a time, keeps the status model current and hands GS r replies
// (end-of-job markers) to the job queue.
// Polling: a printer that answered GS a with an ASB frame (it sends one at once on enabling, then on
// every change: docs/reference/peripherals.md §2) reports paper, cover and errors by itself, so the idle
// poll drops to `asbPollMs` (60 s) — left only to notice a printer that went silent (powered off behind
// a USB-serial adapter). Until then, and for printers without ASB, it polls every `pollMs` (5 s). An idle
// kiosk wakes for the poll (issue 20: ≤ 1 ms CPU/s).
import { nullLogger, type Logger } from '../../core/log.ts';
import { ownInterval, type Every } from '../../core/ticker.ts';
import { OwnedEvents } from '../keypad/owned-events.ts';
import { cmd } from './escpos.ts';
import { INITIAL_STATUS, StatusReader, applyReply, stateOf, type PrinterState, type PrinterStatus, type RtQuery, type StatusReply } from './status.ts';
import type { PrinterTransport } from './transport.ts';

export interface LinkOptions {
  /** ASB enable mask for GS a (0x0E = online/offline, error, roll paper). 0 disables ASB. */
  asbMask: number;
  /** Wait for one DLE EOT reply. */
  rtTimeoutMs: number;
  /** Idle status poll interval while ASB is not known to work (also catches a powered-off printer behind an open USB-serial port). */
  pollMs: number;
  /** Idle status poll interval once the printer has sent an ASB frame since connecting. */
  asbPollMs: number;
  reconnectMs: number;
  /** The daemon's shared periodic timer (core/ticker.ts); default a setInterval of the link's own. */
  every?: Every;
  log?: Logger;
}

export interface LinkEventMap {
  status: { state: PrinterState; status: PrinterStatus };
  /** one GS r reply (in the order the markers were sent) */
  gsr: { byte: number };
  lost: { reason: string };
}

export class PrinterLink {
  readonly events = new OwnedEvents<LinkEventMap>();
  private readonly reader = new StatusReader();
  private st: PrinterStatus = { ...INITIAL_STATUS };
  private rtWaiter: ((byte: number | null) => void) | null = null;
  private probing: Promise<void> | null = null;
  private cancelPoll: (() => void) | null = null;
  private pollEvery = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  private writing = 0;
  /** The printer sent an ASB frame since the link (re)connected: it reports changes by itself. */
  private asbSeen = false;
  /**
   * While a job is in the printer, idle polls are suspended: under RTS/CTS a DLE EOT queued behind a
   * full printer buffer would time out and wrongly mark the printer unresponsive. ASB still reports.
   */
  pollPaused = 0;
  private readonly log: Logger;
  strayBytes = 0;

  constructor(
    readonly transport: PrinterTransport,
    private readonly opts: LinkOptions,
  ) {
    this.log = opts.log ?? nullLogger;
    transport.onData((c) => this.onData(c));
    transport.onLost((reason) => this.onLost(reason));
  }

  status(): PrinterStatus {
    return this.st;
  }
  state(): PrinterState {
    return stateOf(this.st);
  }

  /** Whether the printer pushes its status (an ASB frame arrived since connecting). */
  asbActive(): boolean {
    return this.asbSeen;
  }

  /** The idle poll interval now: long while ASB reports changes, short otherwise. */
  pollIntervalMs(): number {
    return this.asbSeen ? Math.max(this.opts.pollMs, this.opts.asbPollMs) : this.opts.pollMs;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
    this.schedulePoll();
  }

  /** (Re-)registers the idle poll at the interval in force now; a no-op when that is already the one. */
  private schedulePoll(): void {
    if (this.stopped) return;
    const ms = this.pollIntervalMs();
    if (this.cancelPoll && this.pollEvery === ms) return;
    this.cancelPoll?.();
    this.pollEvery = ms;
    this.cancelPoll = (this.opts.every ?? ownInterval({ ref: true }))(ms, () => {
      if (this.st.connected && this.writing === 0 && this.pollPaused === 0) void this.probe();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelPoll?.();
    this.cancelPoll = null;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.rtWaiter?.(null);
    await this.transport.close();
    this.setStatus({ ...INITIAL_STATUS });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.transport.open();
    } catch (e) {
      this.log.debug('printer open failed', { transport: this.transport.description, errno: (e as NodeJS.ErrnoException).code });
      this.setStatus({ ...INITIAL_STATUS });
      this.scheduleReconnect();
      return;
    }
    this.reader.reset();
    this.asbSeen = false;
    this.log.info('printer connected', { transport: this.transport.description });
    this.setStatus({ ...INITIAL_STATUS, connected: true });
    try {
      if (this.opts.asbMask) await this.transport.write(cmd.asb(this.opts.asbMask));
    } catch {
      return; // the loss handler takes over
    }
    await this.probe();
    if (this.cancelPoll) this.schedulePoll(); // reconnected: the interval in force may have changed
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, this.opts.reconnectMs);
  }

  private onLost(reason: string): void {
    this.log.warn('printer link lost', { transport: this.transport.description, reason });
    this.reader.reset();
    this.rtWaiter?.(null);
    this.asbSeen = false;
    this.setStatus({ ...INITIAL_STATUS });
    this.events.emit('lost', { reason });
    this.scheduleReconnect();
  }

  private onData(chunk: Buffer): void {
    for (const r of this.reader.push(chunk)) this.onReply(r);
  }

  private onReply(r: StatusReply): void {
    if (r.kind === 'stray') {
      this.strayBytes++;
      return;
    }
    if (r.kind === 'rt') {
      const w = this.rtWaiter;
      this.rtWaiter = null;
      this.setStatus(applyReply(this.st, r));
      w?.(r.byte);
      return;
    }
    if (r.kind === 'asb' && !this.asbSeen) {
      this.asbSeen = true;
      this.log.debug('printer reports its status by ASB', { pollMs: this.pollIntervalMs() });
      this.schedulePoll();
    }
    this.setStatus(applyReply(this.st, r));
    if (r.kind === 'gsr') this.events.emit('gsr', { byte: r.byte });
  }

  private setStatus(next: PrinterStatus): void {
    const before = stateOf(this.st);
    const changed = JSON.stringify(next) !== JSON.stringify(this.st);
    this.st = next;
    if (!changed) return;
    const after = stateOf(next);
    if (after !== before) this.log.info('printer state', { state: after });
    this.events.emit('status', { state: after, status: next });
  }

  /** One real-time query; resolves with the reply byte or null on timeout/loss. */
  private async query(n: RtQuery): Promise<number | null> {
    if (!this.st.connected) return null;
    this.reader.rtPending = n;
    const reply = new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        if (this.rtWaiter === done) this.rtWaiter = null;
        this.reader.rtPending = null;
        resolve(null);
      }, this.opts.rtTimeoutMs);
      const done = (b: number | null) => {
        clearTimeout(t);
        resolve(b);
      };
      this.rtWaiter = done;
    });
    try {
      await this.transport.write(cmd.realtimeStatus(n));
    } catch {
      this.rtWaiter?.(null);
      return null;
    }
    return reply;
  }

  /** DLE EOT 1, 2, (3 when 2 reports an error), 4 — sequentially; marks the printer unresponsive if silent. */
  probe(): Promise<void> {
    this.probing ??= (async () => {
      try {
        const r1 = await this.query(1);
        if (r1 === null) {
          if (this.st.connected && !this.stopped) this.setStatus({ ...this.st, unresponsive: true });
          return;
        }
        const r2 = await this.query(2);
        if (r2 !== null && (r2 & 0x40) !== 0) await this.query(3);
        await this.query(4);
      } finally {
        this.probing = null;
      }
    })();
    return this.probing;
  }

  /** Writes job bytes containing `markers` GS r commands whose replies the caller awaits via 'gsr'. */
  async writeJob(bytes: Buffer, markers: number): Promise<void> {
    this.writing++;
    this.reader.gsrPending += markers;
    try {
      await this.transport.write(bytes);
    } finally {
      this.writing--;
    }
  }

  /** Forget GS r markers whose replies will not come (the printer lost its buffer). */
  forgetMarkers(): void {
    this.reader.gsrPending = 0;
  }
}
