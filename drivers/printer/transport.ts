// The printer transport seam: bytes out, bytes in, and "the link went away". The serial binding is in
// serial-transport.ts; MemoryTransport connects a Printer to an in-process peer (the virtual printer) for
// unit tests and the demo.

export interface PrinterTransport {
  /** For logs and health ("serial /dev/ttyUSB0 @ 38400", "memory"). */
  readonly description: string;
  /** Baud rate, for transfer-time estimates (Infinity for in-memory). */
  readonly baudRate: number;
  open(): Promise<void>;
  isOpen(): boolean;
  /** Resolves once the bytes have left the process (drain). Rejects if the link is gone. */
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
  onData(cb: (chunk: Buffer) => void): void;
  /** Called once per unexpected loss of the link (unplug, EIO); not after close(). */
  onLost(cb: (reason: string) => void): void;
}

/** The other end of a MemoryTransport (a virtual printer, or a test script). */
export interface MemoryPeer {
  /** host → printer bytes */
  receive(data: Buffer): void;
  /** the peer calls `send` with printer → host bytes */
  attach(send: (data: Buffer) => void): void;
}

export class MemoryTransport implements PrinterTransport {
  readonly description = 'memory';
  readonly baudRate = Number.POSITIVE_INFINITY;
  private open_ = false;
  private plugged = true;
  private dataCb: (c: Buffer) => void = () => {};
  private lostCb: (r: string) => void = () => {};

  constructor(private readonly peer?: MemoryPeer) {
    peer?.attach((d) => this.deliver(d));
  }

  async open(): Promise<void> {
    if (!this.plugged) throw Object.assign(new Error('no such device'), { code: 'ENOENT' });
    this.open_ = true;
  }
  isOpen(): boolean {
    return this.open_;
  }
  async write(data: Buffer): Promise<void> {
    if (!this.open_) throw Object.assign(new Error('port not open'), { code: 'EIO' });
    // Asynchronous like a real port, so replies never arrive inside write().
    await new Promise((r) => setImmediate(r));
    this.peer?.receive(Buffer.from(data));
  }
  async close(): Promise<void> {
    this.open_ = false;
  }
  onData(cb: (chunk: Buffer) => void): void {
    this.dataCb = cb;
  }
  onLost(cb: (reason: string) => void): void {
    this.lostCb = cb;
  }
  /** printer → host (drops bytes while the link is down, as a real cable would). */
  deliver(data: Buffer): void {
    if (this.open_) setImmediate(() => this.open_ && this.dataCb(Buffer.from(data)));
  }
  unplug(): void {
    this.plugged = false;
    if (this.open_) {
      this.open_ = false;
      this.lostCb('unplugged');
    }
  }
  replug(): void {
    this.plugged = true;
  }
}
