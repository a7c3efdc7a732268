// Builds the configured printer. The daemon's composition root calls createPrinter(config.printer).
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { nullLogger, type Logger } from '../../core/log.ts';
import type { Every } from '../../core/ticker.ts';
import { Printer, type PrinterOptions } from './printer.ts';
import type { RenderOptions } from './receipt.ts';
import { SerialTransport, type SerialConfig } from './serial-transport.ts';
import { MemoryTransport, type MemoryPeer } from './transport.ts';

export interface PrinterConfig {
  /** 'serial' for the real printer; 'memory' connects to an in-process peer (the virtual printer). */
  transport: 'serial' | 'memory';
  serial?: SerialConfig;
  /** Paper: 80 mm → 48 columns, 58 mm → 32. */
  columns?: number;
  qr?: RenderOptions['qr'];
  confirmTimeoutMs?: number;
  recoveryTimeoutMs?: number;
  maxAttempts?: number;
  /** Idle status poll without ASB (5 s) and once the printer pushes ASB frames (60 s). */
  pollMs?: number;
  asbPollMs?: number;
  /** Refuse to start a session that promises a receipt while the printer is not usable (kiosk core reads this). */
  requireForSession?: boolean;
}

export const DEFAULT_SERIAL_CONFIG = {
  path: '/dev/ttyUSB0',
  baudRate: 38400,
  parity: 'none',
  dataBits: 8,
  stopBits: 1,
  flowControl: 'rtscts',
} satisfies Required<SerialConfig>;

export const DEFAULT_PRINTER_CONFIG: PrinterConfig = {
  transport: 'serial',
  serial: DEFAULT_SERIAL_CONFIG,
  columns: 48,
  qr: 'native',
  requireForSession: true,
};

export function createPrinter(cfg: PrinterConfig, deps: { log?: Logger; peer?: MemoryPeer; every?: Every } = {}): Printer {
  const opts: PrinterOptions = {
    render: { columns: cfg.columns ?? 48, qr: cfg.qr ?? 'native' },
    confirmTimeoutMs: cfg.confirmTimeoutMs,
    recoveryTimeoutMs: cfg.recoveryTimeoutMs,
    maxAttempts: cfg.maxAttempts,
    pollMs: cfg.pollMs,
    asbPollMs: cfg.asbPollMs,
    every: deps.every,
    log: deps.log ?? nullLogger,
  };
  for (const k of Object.keys(opts) as (keyof PrinterOptions)[]) if (opts[k] === undefined) delete opts[k];
  if (cfg.transport === 'memory') return new Printer(new MemoryTransport(deps.peer), opts);
  if (!cfg.serial?.path || !cfg.serial.baudRate) throw new KioskError(ErrorCodes.CONFIG_INVALID, 'printer.serial.path and baudRate are required');
  return new Printer(new SerialTransport(cfg.serial), opts);
}
