// A virtual Epson-compatible Japanese receipt printer. It interprets the ESC/POS the project emits
// (strictly: parser.ts), puts receipts "on paper" (document.ts → svg.ts), answers DLE EOT / GS r / ASB
// like the real thing, and can be scripted: paper running out after N lines, cover opening mid-job,
// replies split into single bytes. It plugs into a MemoryTransport directly or into a serial port
// (attach-serial.ts).
import { ErrorCodes, isKioskError, KioskError } from '../../../core/errors.ts';
import { EscPosParser, type Op } from './parser.ts';
import type { Align, PaperItem, PrintedReceipt, Run } from './document.ts';

export interface VirtualPrinterOptions {
  /** Send every reply byte in its own write, spaced by this many ms (fragmentation tests). */
  fragmentReplies?: number;
  /** Answer GS r at all (some clones do not). */
  answerGsr?: boolean;
  /**
   * Keep only the newest this-many receipts and errors, and about this many received bytes (default:
   * everything, as tests read the whole history). A daemon's in-memory printer runs for months: without
   * a bound every receipt stayed in memory (+34 KB per session, issue 20).
   */
  keep?: { receipts: number; receivedBytes: number };
}

/** A copy in memory of its own (Buffer.alloc never uses the shared pool). */
function own(data: Buffer): Buffer {
  const b = Buffer.alloc(data.length);
  data.copy(b);
  return b;
}

export class VirtualPrinter {
  // --- mechanism state
  paper: 'ok' | 'near-end' | 'end' = 'ok';
  coverOpen = false;
  private asbMask = 0;
  private send: (d: Buffer) => void = () => {};
  private parser = new EscPosParser();
  private queue: Op[] = []; // sequence-processed ops waiting while offline
  private linesUntilPaperEnd: number | null = null;
  private linesUntilCoverOpen: number | null = null;
  // --- print state
  private align: Align = 'left';
  private bold = false;
  private small = false;
  private w = 1;
  private h = 1;
  private codeTable = 0;
  private kanjiSjis = false;
  private kanjiOn = false;
  private lead: number | null = null;
  private line: Run[] = [];
  private qr = { model: 2, size: 3, ec: 'L' as 'L' | 'M' | 'Q' | 'H', data: null as Buffer | null };
  private current: PaperItem[] = [];
  // --- results
  readonly receipts: PrintedReceipt[] = [];
  readonly errors: KioskError[] = [];
  readonly received: Buffer[] = [];
  private listeners: ((r: PrintedReceipt) => void)[] = [];
  private receivedBytes = 0;

  constructor(private readonly opts: VirtualPrinterOptions = {}) {}

  /** Drop the oldest history beyond opts.keep (in place: callers may hold the arrays). */
  private trim(): void {
    const k = this.opts.keep;
    if (!k) return;
    if (this.receipts.length > k.receipts) this.receipts.splice(0, this.receipts.length - k.receipts);
    if (this.errors.length > k.receipts) this.errors.splice(0, this.errors.length - k.receipts);
    let drop = 0;
    while (this.received.length - drop > 1 && this.receivedBytes > k.receivedBytes) this.receivedBytes -= this.received[drop++]?.length ?? 0;
    if (drop) this.received.splice(0, drop);
  }

  // ---- MemoryPeer
  attach(send: (d: Buffer) => void): void {
    this.send = send;
  }

  receive(data: Buffer): void {
    // Buffer.from(buffer) copies a small chunk into node's shared 8 KiB pool slab, and keeping the chunk keeps
    // the whole slab: a bounded history of 1 MiB of data held ~14 MB (issue 20 soak). Kept chunks get
    // their own memory when there is a bound (unbounded test printers keep the cheap copy).
    this.received.push(this.opts.keep ? own(data) : Buffer.from(data));
    this.receivedBytes += data.length;
    this.trim();
    let ops: Op[];
    try {
      ops = this.parser.push(data);
    } catch (e) {
      if (!isKioskError(e)) throw e;
      this.errors.push(e);
      this.trim();
      this.parser = new EscPosParser(); // a real printer would print garbage; we stop and report
      return;
    }
    for (const op of ops) {
      if (op.t === 'rt-status') this.realtimeStatus(op.n);
      else if (op.t === 'rt-recover') this.flush();
      else this.queue.push(op);
    }
    this.flush();
  }

  onReceipt(cb: (r: PrintedReceipt) => void): void {
    this.listeners.push(cb);
  }
  lastReceipt(): PrintedReceipt | null {
    return this.receipts.at(-1) ?? null;
  }

  // ---- scripting
  online(): boolean {
    return !this.coverOpen && this.paper !== 'end';
  }
  runOutOfPaperAfter(lines: number): void {
    this.linesUntilPaperEnd = lines;
  }
  openCoverAfter(lines: number): void {
    this.linesUntilCoverOpen = lines;
  }
  setPaper(p: 'ok' | 'near-end' | 'end'): void {
    const was = this.online();
    this.paper = p;
    this.changed(was);
  }
  setCover(open: boolean): void {
    const was = this.online();
    this.coverOpen = open;
    this.changed(was);
  }
  private changed(wasOnline: boolean): void {
    if (wasOnline && !this.online()) this.current.push({ kind: 'interruption', cause: this.coverOpen ? 'cover-open' : 'paper-end' });
    this.sendAsb();
    if (!wasOnline && this.online()) this.flush();
  }

  // ---- status bytes (docs/reference/peripherals.md §2)
  statusByte(n: 1 | 2 | 3 | 4): number {
    let b = 0x12;
    if (n === 1 && !this.online()) b |= 0x08;
    if (n === 2) {
      if (this.coverOpen) b |= 0x04;
      if (this.paper === 'end') b |= 0x20;
    }
    if (n === 4) {
      if (this.paper !== 'ok') b |= 0x0c;
      if (this.paper === 'end') b |= 0x60;
    }
    return b;
  }
  asbBytes(): Buffer {
    const b1 = 0x10 | (this.online() ? 0 : 0x08) | (this.coverOpen ? 0x20 : 0);
    const b3 = (this.paper !== 'ok' ? 0x03 : 0) | (this.paper === 'end' ? 0x0c : 0);
    return Buffer.from([b1, 0x00, b3, 0x00]);
  }
  private paperByte(): number {
    return (this.paper !== 'ok' ? 0x03 : 0) | (this.paper === 'end' ? 0x0c : 0);
  }

  private outQueue: number[] = [];
  private outTimer: NodeJS.Timeout | null = null;
  /** Replies leave in order and are never interleaved with each other (an ASB frame stays whole). */
  private reply(bytes: Buffer): void {
    const gap = this.opts.fragmentReplies;
    if (gap === undefined) {
      this.send(bytes);
      return;
    }
    this.outQueue.push(...bytes);
    const pump = () => {
      const b = this.outQueue.shift();
      if (b === undefined) {
        this.outTimer = null;
        return;
      }
      this.send(Buffer.from([b]));
      this.outTimer = setTimeout(pump, gap);
    };
    this.outTimer ??= setTimeout(pump, 0);
  }
  private realtimeStatus(n: 1 | 2 | 3 | 4): void {
    this.reply(Buffer.from([this.statusByte(n)]));
  }
  private sendAsb(): void {
    if (this.asbMask & 0x0e) this.reply(this.asbBytes());
  }

  // ---- sequence processing
  private flush(): void {
    for (let op = this.queue[0]; op !== undefined && this.online(); op = this.queue[0]) {
      this.queue.shift();
      this.exec(op);
    }
  }

  private exec(op: Op): void {
    switch (op.t) {
      case 'init':
        this.align = 'left';
        this.bold = false;
        this.small = false;
        this.w = this.h = 1;
        this.codeTable = 0;
        this.kanjiOn = false;
        this.lead = null;
        this.line = [];
        return;
      case 'asb':
        this.asbMask = op.mask;
        if (op.mask) this.reply(this.asbBytes());
        return;
      case 'gsr':
        if (this.opts.answerGsr !== false) this.reply(Buffer.from([op.n === 1 ? this.paperByte() : 0x00]));
        return;
      case 'code-table':
        this.codeTable = op.n;
        return;
      case 'intl':
        return;
      case 'kanji-code':
        this.kanjiSjis = op.sjis;
        return;
      case 'kanji':
        this.kanjiOn = op.on;
        return;
      case 'align':
        this.align = op.v;
        return;
      case 'bold':
        this.bold = op.on;
        return;
      case 'font':
        this.small = op.small;
        return;
      case 'size':
        this.w = op.w;
        this.h = op.h;
        return;
      case 'text':
        this.text(op.bytes);
        return;
      case 'lf':
        this.printLine();
        return;
      case 'feed':
        this.printLine(true);
        if (op.n) this.current.push({ kind: 'feed', lines: op.n });
        return;
      case 'cut': {
        this.printLine(true);
        const receipt = { items: this.current, cut: true };
        this.receipts.push(receipt);
        this.trim();
        this.current = [];
        for (const l of this.listeners) l(receipt);
        return;
      }
      case 'qr-model':
        this.qr.model = op.model;
        return;
      case 'qr-size':
        this.qr.size = op.n;
        return;
      case 'qr-ec':
        this.qr.ec = op.level;
        return;
      case 'qr-store':
        this.qr.data = op.data;
        return;
      case 'qr-print':
        if (this.qr.data) this.current.push({ kind: 'qr', align: this.align, data: this.qr.data, ec: this.qr.ec, moduleSize: this.qr.size });
        this.lineFed();
        return;
      case 'raster':
        this.current.push({ kind: 'raster', align: this.align, widthBytes: op.widthBytes, height: op.height, data: op.data });
        return;
      case 'rt-status':
      case 'rt-recover':
        return;
    }
  }

  /** Decodes text with the current code system: ASCII, Shift_JIS double bytes, half-width katakana. */
  private text(bytes: Buffer): void {
    let s = '';
    for (const b of bytes) {
      if (this.lead !== null) {
        const ok = (b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfc);
        if (!ok) {
          this.invalid('Shift_JIS trail byte');
          return;
        }
        s += new TextDecoder('shift_jis').decode(Uint8Array.of(this.lead, b));
        this.lead = null;
      } else if (b < 0x80) s += String.fromCharCode(b);
      // Shift_JIS mode recognises lead bytes 81–9F/E0–EF by themselves; FA–FC (IBM kanji) need FS &.
      else if (this.kanjiSjis && ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= (this.kanjiOn ? 0xfc : 0xef)))) this.lead = b;
      else if (this.codeTable === 1 && b >= 0xa1 && b <= 0xdf) s += String.fromCharCode(0xff61 + b - 0xa1);
      else {
        this.invalid('byte outside the selected code table / kanji mode');
        return;
      }
    }
    if (s) this.line.push({ text: s, bold: this.bold, w: this.w, h: this.h, ...(this.small ? { small: true } : {}) });
  }

  private invalid(what: string): void {
    this.errors.push(new KioskError(ErrorCodes.ESCPOS_INVALID, `invalid text: ${what}`));
    this.trim();
    this.lead = null;
  }

  private printLine(onlyIfPending = false): void {
    if (onlyIfPending && this.line.length === 0) return;
    this.current.push({ kind: 'line', align: this.align, runs: this.line });
    this.line = [];
    this.lineFed();
  }

  /** Paper moved by one line: the scripted sensor may trip here. */
  private lineFed(): void {
    if (this.linesUntilPaperEnd !== null && --this.linesUntilPaperEnd <= 0) {
      this.linesUntilPaperEnd = null;
      this.setPaper('end');
    }
    if (this.linesUntilCoverOpen !== null && --this.linesUntilCoverOpen <= 0) {
      this.linesUntilCoverOpen = null;
      this.setCover(true);
    }
  }
}
