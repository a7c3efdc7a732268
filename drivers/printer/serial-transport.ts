// Serial binding of the printer transport (node-serialport). Line settings and flow control come from
// config and must match the printer's DIP/memory switches; prefer RTS/CTS when images are sent (the
// XON/XOFF bytes 11/13 can occur inside raster and QR data).
import type { SerialPort } from 'serialport';
import type { PrinterTransport } from './transport.ts';

export interface SerialConfig {
  path: string;
  baudRate: number;
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
  parity?: 'none' | 'even' | 'odd';
  flowControl?: 'none' | 'rtscts' | 'xonxoff';
}

export class SerialTransport implements PrinterTransport {
  readonly description: string;
  readonly baudRate: number;
  private port: SerialPort | null = null;
  private dataCb: (c: Buffer) => void = () => {};
  private lostCb: (r: string) => void = () => {};
  private closing = false;

  constructor(private readonly cfg: SerialConfig) {
    this.description = `serial ${cfg.path} @ ${cfg.baudRate}`;
    this.baudRate = cfg.baudRate;
  }

  async open(): Promise<void> {
    this.closing = false;
    const flow = this.cfg.flowControl ?? 'none';
    // serialport (a native addon) loads when a serial printer is opened, not with every daemon start.
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({
      path: this.cfg.path,
      baudRate: this.cfg.baudRate,
      dataBits: this.cfg.dataBits ?? 8,
      stopBits: this.cfg.stopBits ?? 1,
      parity: this.cfg.parity ?? 'none',
      rtscts: flow === 'rtscts',
      xon: flow === 'xonxoff',
      xoff: flow === 'xonxoff',
      autoOpen: false,
    });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) {
          reject(err);
          return;
        }
        this.port = port;
        port.on('data', (c: Buffer) => this.dataCb(c));
        port.on('close', (e: Error & { disconnected?: boolean }) => this.lost(e?.message ?? 'closed'));
        port.on('error', (e: Error) => this.lost(e.message));
        resolve();
      });
    });
  }

  private lost(reason: string): void {
    if (!this.port) return;
    const p = this.port;
    this.port = null;
    p.removeAllListeners('data');
    if (p.isOpen) p.close(() => {});
    if (!this.closing) this.lostCb(reason);
  }

  isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  write(data: Buffer): Promise<void> {
    const p = this.port;
    if (!p) return Promise.reject(Object.assign(new Error('port not open'), { code: 'EIO' }));
    return new Promise((resolve, reject) => {
      p.write(data, (err) => {
        if (err) return reject(err);
        p.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  close(): Promise<void> {
    this.closing = true;
    const p = this.port;
    this.port = null;
    if (!p?.isOpen) return Promise.resolve();
    return new Promise((resolve) => p.close(() => resolve()));
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.dataCb = cb;
  }
  onLost(cb: (reason: string) => void): void {
    this.lostCb = cb;
  }
}
