// The kiosk's receipt printer: a job queue on top of a PrinterLink. Every job ends confirmed (its GS r
// reply came back: everything before it was processed) or failed with a code and reason — never silently
// lost. A job interrupted by paper end, an open cover, an error or a lost link is sent again (with a
// REPRINT banner) once the printer is usable, up to maxAttempts, or fails when recovery takes too long.
import { ErrorCodes, type ErrorCode } from '../../core/errors.ts';
import { nullLogger, type Logger } from '../../core/log.ts';
import type { Every } from '../../core/ticker.ts';
import { OwnedEvents, type Listener } from '../keypad/owned-events.ts';
import { cmd } from './escpos.ts';
import { PrinterLink } from './link.ts';
import { DEFAULT_RENDER, renderReceipt, type Receipt, type RenderOptions } from './receipt.ts';
import { isUsableState, type PrinterState, type PrinterStatus } from './status.ts';
import type { PrinterTransport } from './transport.ts';

export interface PrinterOptions {
  render?: Partial<RenderOptions>;
  asbMask?: number;
  rtTimeoutMs?: number;
  /** Idle status poll without ASB (default 5 s). */
  pollMs?: number;
  /** Idle status poll once the printer pushes its status by ASB (default 60 s). */
  asbPollMs?: number;
  reconnectMs?: number;
  /** Wait for the GS r reply: this plus the transfer time at the port's baud rate. */
  confirmTimeoutMs?: number;
  /** How long a job waits for the printer to become usable (paper loaded, cover closed, replugged). */
  recoveryTimeoutMs?: number;
  maxAttempts?: number;
  /** The daemon's shared periodic timer for the idle poll (core/ticker.ts). */
  every?: Every;
  log?: Logger;
}

export type JobState = 'queued' | 'waiting' | 'sending' | 'printing' | 'interrupted' | 'confirmed' | 'failed';

export interface JobOutcome {
  id: number;
  status: 'confirmed' | 'failed';
  attempts: number;
  /** Causes of earlier attempts, e.g. ['paper-end'] */
  interruptions: string[];
  code?: ErrorCode;
  reason?: string;
  /** Characters printed as 〓 (outside CP932). */
  substituted: number;
}

export interface JobEvent {
  id: number;
  state: JobState;
  attempt: number;
  code?: ErrorCode;
  reason?: string;
}

export interface PrinterEventMap {
  status: { state: PrinterState; status: PrinterStatus };
  job: JobEvent;
}

export interface PrinterHealth {
  transport: string;
  state: PrinterState;
  usable: boolean;
  status: PrinterStatus;
  queued: number;
  confirmed: number;
  failed: number;
  reprinted: number;
  lastFailure: { id: number; code: ErrorCode; reason: string } | null;
}

interface Job {
  id: number;
  content: Receipt | Buffer;
  attempts: number;
  interruptions: string[];
  substituted: number;
  resolve: (o: JobOutcome) => void;
}

const CAUSE_CODE: Partial<Record<PrinterState, ErrorCode>> = {
  'paper-end': ErrorCodes.PRINTER_PAPER_END,
  'cover-open': ErrorCodes.PRINTER_COVER_OPEN,
  error: ErrorCodes.PRINTER_ERROR,
  offline: ErrorCodes.PRINTER_OFFLINE,
  unknown: ErrorCodes.PRINTER_OFFLINE,
  disconnected: ErrorCodes.PRINTER_UNAVAILABLE,
};
const INTERRUPTING: PrinterState[] = ['paper-end', 'cover-open', 'error', 'offline', 'disconnected'];

export class Printer {
  readonly link: PrinterLink;
  private readonly events = new OwnedEvents<PrinterEventMap>();
  private readonly queue: Job[] = [];
  private readonly markers: number[] = []; // job ids of GS r markers in flight, oldest first
  private nextId = 1;
  private running = false;
  private stopped = true;
  private readonly render: RenderOptions;
  private readonly o: Required<Omit<PrinterOptions, 'render' | 'log' | 'every'>>;
  private readonly log: Logger;
  private counts = { confirmed: 0, failed: 0, reprinted: 0 };
  private lastFailure: PrinterHealth['lastFailure'] = null;

  constructor(transport: PrinterTransport, opts: PrinterOptions = {}) {
    this.log = opts.log ?? nullLogger;
    this.render = { ...DEFAULT_RENDER, ...opts.render };
    this.o = {
      asbMask: opts.asbMask ?? 0x0e,
      rtTimeoutMs: opts.rtTimeoutMs ?? 1000,
      pollMs: opts.pollMs ?? 5000,
      asbPollMs: opts.asbPollMs ?? 60_000,
      reconnectMs: opts.reconnectMs ?? 2000,
      confirmTimeoutMs: opts.confirmTimeoutMs ?? 15_000,
      recoveryTimeoutMs: opts.recoveryTimeoutMs ?? 300_000,
      maxAttempts: opts.maxAttempts ?? 3,
    };
    this.link = new PrinterLink(transport, { ...this.o, every: opts.every, log: this.log });
    this.link.events.on('status', (s) => this.events.emit('status', s), 'printer');
    this.link.events.on('lost', () => this.markers.splice(0), 'printer');
    this.link.events.on(
      'gsr',
      () => {
        const id = this.markers.shift();
        this.log.debug('printer end-of-job marker', { job: id ?? -1 });
      },
      'printer',
    );
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.link.start();
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const j of this.queue.splice(0)) this.finish(j, ErrorCodes.PRINTER_UNAVAILABLE, 'printer stopped');
    await this.link.stop();
    this.link.events.removeOwner('printer');
  }

  on<K extends keyof PrinterEventMap>(event: K, l: Listener<PrinterEventMap[K]>, owner?: string): () => void {
    return this.events.on(event, l, owner);
  }
  removeOwner(owner: string): void {
    this.events.removeOwner(owner);
  }

  state(): PrinterState {
    return this.link.state();
  }
  /** "Can the kiosk promise a receipt now?" (ready or paper near end; connected and answering). */
  isUsable(): boolean {
    return isUsableState(this.link.state());
  }

  health(): PrinterHealth {
    return {
      transport: this.link.transport.description,
      state: this.state(),
      usable: this.isUsable(),
      status: this.link.status(),
      queued: this.queue.length,
      ...this.counts,
      lastFailure: this.lastFailure,
    };
  }

  /** Queues a receipt (or raw ESC/POS body); resolves when it is confirmed or has failed. */
  print(content: Receipt | Buffer): { id: number; done: Promise<JobOutcome> } {
    const id = this.nextId++;
    let resolve!: (o: JobOutcome) => void;
    const done = new Promise<JobOutcome>((r) => (resolve = r));
    const job: Job = { id, content, attempts: 0, interruptions: [], substituted: 0, resolve };
    if (this.stopped) {
      this.finish(job, ErrorCodes.PRINTER_UNAVAILABLE, 'printer not started');
      return { id, done };
    }
    this.queue.push(job);
    this.emitJob(job, 'queued');
    void this.run();
    return { id, done };
  }

  private emitJob(job: Job, state: JobState, code?: ErrorCode, reason?: string): void {
    this.events.emit('job', { id: job.id, state, attempt: job.attempts, code, reason });
  }

  /** The only way a job leaves the queue: confirmed or failed, announced, its promise resolved. */
  private finish(job: Job, code: ErrorCode | null, reason?: string): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
    const ok = code === null;
    if (ok) this.counts.confirmed++;
    else {
      this.counts.failed++;
      this.lastFailure = { id: job.id, code, reason: reason ?? code };
      this.log.warn('printer job failed', { job: job.id, code, attempts: job.attempts });
    }
    this.emitJob(job, ok ? 'confirmed' : 'failed', code ?? undefined, reason);
    job.resolve({
      id: job.id,
      status: ok ? 'confirmed' : 'failed',
      attempts: job.attempts,
      interruptions: job.interruptions,
      substituted: job.substituted,
      ...(ok ? {} : { code, reason }),
    });
  }

  private frame(job: Job): Buffer {
    let body: Buffer;
    if (Buffer.isBuffer(job.content)) body = job.content;
    else {
      const blocks =
        job.attempts > 1
          ? [{ kind: 'text' as const, text: '*** 再印刷 REPRINT ***', align: 'center' as const, bold: true }, ...job.content.blocks]
          : job.content.blocks;
      const r = renderReceipt({ blocks }, this.render);
      if (r.substituted && job.attempts === 1) {
        this.log.warn('receipt characters outside CP932 printed as substitutes', { job: job.id, count: r.substituted });
      }
      job.substituted = r.substituted;
      body = r.bytes;
    }
    // ESC @ first (state left by other tools must not leak in), ASB re-enabled (ESC @ may reset it on
    // some models), the job, then GS r 1 as the end-of-job marker.
    return Buffer.concat([cmd.init(), cmd.asb(this.o.asbMask), body, cmd.transmitPaperStatus()]);
  }

  /** Resolves when `pred` holds, or with false after `ms`. Re-checks on every status change and marker. */
  private waitFor(pred: () => boolean, ms: number): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const owner = `wait-${Math.random()}`;
      const check = () => {
        if (this.stopped || pred()) done(!this.stopped);
      };
      const t = setTimeout(() => done(false), ms);
      const done = (v: boolean) => {
        clearTimeout(t);
        this.link.events.removeOwner(owner);
        resolve(v);
      };
      this.link.events.on('status', () => queueMicrotask(check), owner);
      this.link.events.on('gsr', () => queueMicrotask(check), owner);
      this.link.events.on('lost', () => queueMicrotask(check), owner);
    });
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.stopped) {
        const job = this.queue[0];
        if (!job) break;
        await this.attempt(job);
      }
    } finally {
      this.running = false;
    }
  }

  private async attempt(job: Job): Promise<void> {
    // 1. wait until the printer can print
    if (!isUsableState(this.state())) {
      this.emitJob(job, 'waiting', CAUSE_CODE[this.state()], this.state());
      if (this.state() === 'unknown' && this.link.status().connected) void this.link.probe();
      const ok = await this.waitFor(() => isUsableState(this.state()), this.o.recoveryTimeoutMs);
      if (this.stopped) return;
      if (!ok) {
        const st = this.state();
        this.finish(job, CAUSE_CODE[st] ?? ErrorCodes.PRINTER_UNAVAILABLE, `printer ${st} for longer than the recovery timeout`);
        return;
      }
    }
    // 2. the replies of an interrupted earlier attempt must come back (or be given up) first, so that
    //    a late GS r reply can never confirm this attempt
    if (this.markers.length > 0) {
      const drained = await this.waitFor(() => this.markers.length === 0 || !isUsableState(this.state()), this.o.confirmTimeoutMs);
      if (!isUsableState(this.state())) return; // interrupted again: back to step 1
      if (!drained) {
        this.log.warn('printer markers given up', { count: this.markers.length });
        this.markers.splice(0);
        this.link.forgetMarkers();
      }
    }
    if (job.attempts >= this.o.maxAttempts) {
      this.finish(
        job,
        job.interruptions.length ? (CAUSE_CODE[job.interruptions.at(-1) as PrinterState] ?? ErrorCodes.PRINTER_JOB_TIMEOUT) : ErrorCodes.PRINTER_JOB_TIMEOUT,
        `not confirmed after ${job.attempts} attempts (${job.interruptions.join(', ')})`,
      );
      return;
    }
    job.attempts++;
    if (job.attempts > 1) this.counts.reprinted++;
    const bytes = this.frame(job);
    this.emitJob(job, 'sending');
    this.markers.push(job.id);
    this.link.pollPaused++;
    try {
      await this.printAndConfirm(job, bytes);
    } finally {
      this.link.pollPaused--;
    }
  }

  private async printAndConfirm(job: Job, bytes: Buffer): Promise<void> {
    try {
      await this.link.writeJob(bytes, 1);
    } catch {
      job.interruptions.push('disconnected');
      this.emitJob(job, 'interrupted', ErrorCodes.PRINTER_UNAVAILABLE, 'write failed');
      return;
    }
    this.emitJob(job, 'printing');
    // 3. confirmation, interruption or timeout
    const transferMs = Number.isFinite(this.link.transport.baudRate) ? (bytes.length * 10 * 1000) / this.link.transport.baudRate : 0;
    const mine = () => !this.markers.includes(job.id);
    const interrupted = () => INTERRUPTING.includes(this.state());
    await this.waitFor(() => mine() || interrupted(), this.o.confirmTimeoutMs + transferMs);
    if (this.stopped) return;
    if (mine() && this.link.status().connected) {
      this.log.info('printer job confirmed', { job: job.id, attempts: job.attempts, bytes: bytes.length });
      this.finish(job, null);
      return;
    }
    // Not confirmed: find out why (a printer without ASB reports the cause only when asked).
    if (!interrupted() && this.link.status().connected) await this.link.probe();
    const cause = interrupted() ? this.state() : 'timeout';
    job.interruptions.push(cause);
    this.log.warn('printer job interrupted', { job: job.id, attempt: job.attempts, cause });
    this.emitJob(job, 'interrupted', CAUSE_CODE[cause as PrinterState] ?? ErrorCodes.PRINTER_JOB_TIMEOUT, cause);
  }
}
