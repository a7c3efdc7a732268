// Configuration blocks for the keypad, the receipt printer and the receipts the kiosk prints (config.ts
// calls these). `null` backends/transports mean "simulated under --simulated/--demo, the real device
// otherwise"; unknown keys and bad values fail with the field's path.
import { DEFAULT_KEYPAD_CONFIG, type KeypadConfig } from '../../drivers/keypad/create.ts';
import { ALL_KEYS, type KeyName, type KeyRoles } from '../../drivers/keypad/types.ts';
import { DEFAULT_PRINTER_CONFIG, type PrinterConfig } from '../../drivers/printer/create.ts';
import type { NameMask } from '../../drivers/printer/receipt-content.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

export interface KeypadSettings extends Omit<KeypadConfig, 'backend'> {
  /** null: evdev, or simulated under --simulated/--demo. */
  backend: KeypadConfig['backend'] | null;
}

export interface PrinterSettings extends Omit<PrinterConfig, 'transport'> {
  /** null: serial, or the in-memory virtual printer under --simulated/--demo. */
  transport: PrinterConfig['transport'] | null;
}

export interface ReceiptSettings {
  /** Print a receipt at the end of every verified or refused session. */
  enabled: boolean;
  /** How the holder's name appears on the receipt (never the My Number, a PIN, the address or the birth date). */
  nameMask: NameMask;
  /** Refuse to start a session while the printer cannot print the receipt it promises. */
  requireForSession: boolean;
}

export const DEFAULT_KEYPAD: KeypadSettings = { ...DEFAULT_KEYPAD_CONFIG, backend: null, multitapMs: 1200 };
export const DEFAULT_PRINTER: PrinterSettings = { ...DEFAULT_PRINTER_CONFIG, transport: null };
export const DEFAULT_RECEIPT: ReceiptSettings = { enabled: true, nameMask: 'family', requireForSession: true };

type Obj = Record<string, unknown>;
const fail = (path: string, msg: string): never => {
  throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${path}: ${msg}`, { field: path });
};
function obj(v: unknown, path: string, keys: string[]): Obj {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
  for (const k of Object.keys(v as Obj)) if (!keys.includes(k)) fail(`${path}.${k}`, `unknown setting (known: ${keys.join(', ')})`);
  return v as Obj;
}
function oneOf<T>(v: unknown, path: string, dflt: T, values: readonly T[]): T {
  if (v === undefined) return dflt;
  if (!values.includes(v as T)) fail(path, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
  return v as T;
}
function int(v: unknown, path: string, dflt: number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `must be an integer from ${min} to ${max}`);
  return v as number;
}
function bool(v: unknown, path: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(path, 'must be true or false');
  return v as boolean;
}
function str(v: unknown, path: string, dflt: string, pattern?: RegExp): string {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !v || (pattern && !pattern.test(v))) fail(path, pattern ? `must match ${pattern}` : 'must be a non-empty string');
  return v as string;
}
function intList(v: unknown, path: string): number[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 1000)) {
    fail(path, 'must be a non-empty list of GPIO numbers');
  }
  return v as number[];
}

export function parseKeypad(v: unknown): KeypadSettings {
  const o = obj(v, 'keypad', ['backend', 'pad', 'roles', 'multitapMs', 'stuckMs', 'evdev', 'onoff']);
  const d = DEFAULT_KEYPAD;
  const roles = obj(o.roles, 'keypad.roles', ['enter', 'back', 'clear', 'cancel']);
  const parsedRoles: Partial<KeyRoles> = {};
  for (const [role, keys] of Object.entries(roles)) {
    if (!Array.isArray(keys) || keys.some((k) => !(ALL_KEYS as readonly string[]).includes(k as string))) {
      fail(`keypad.roles.${role}`, `must be a list of keys (${ALL_KEYS.join(' ')})`);
    }
    parsedRoles[role as keyof KeyRoles] = keys as KeyName[];
  }
  const ev = obj(o.evdev, 'keypad.evdev', ['device', 'layout']);
  const on = obj(o.onoff, 'keypad.onoff', ['rowPins', 'colPins', 'sysfsRoot', 'chipLabel', 'scanIntervalMs', 'debounceScans']);
  return {
    backend: oneOf(o.backend, 'keypad.backend', d.backend, ['evdev', 'onoff', 'simulated', null] as const),
    pad: oneOf(o.pad, 'keypad.pad', d.pad, ['4x3', '4x4'] as const),
    roles: parsedRoles,
    multitapMs: int(o.multitapMs, 'keypad.multitapMs', d.multitapMs, 300, 5000),
    stuckMs: int(o.stuckMs, 'keypad.stuckMs', d.stuckMs, 1000, 600_000),
    evdev: {
      device: str(ev.device, 'keypad.evdev.device', d.evdev!.device),
      ...(ev.layout !== undefined ? { layout: oneOf(ev.layout, 'keypad.evdev.layout', 24, [16, 24] as const) } : {}),
    },
    onoff: {
      rowPins: on.rowPins === undefined ? d.onoff!.rowPins : intList(on.rowPins, 'keypad.onoff.rowPins'),
      colPins: on.colPins === undefined ? d.onoff!.colPins : intList(on.colPins, 'keypad.onoff.colPins'),
      ...(on.sysfsRoot !== undefined ? { sysfsRoot: str(on.sysfsRoot, 'keypad.onoff.sysfsRoot', '') } : {}),
      ...(on.chipLabel !== undefined ? { chipLabel: str(on.chipLabel, 'keypad.onoff.chipLabel', '') } : {}),
      ...(on.scanIntervalMs !== undefined ? { scanIntervalMs: int(on.scanIntervalMs, 'keypad.onoff.scanIntervalMs', 5, 1, 100) } : {}),
      ...(on.debounceScans !== undefined ? { debounceScans: int(on.debounceScans, 'keypad.onoff.debounceScans', 3, 1, 20) } : {}),
    },
  };
}

export function parsePrinter(v: unknown): PrinterSettings {
  const o = obj(v, 'printer', ['transport', 'serial', 'columns', 'qr', 'confirmTimeoutMs', 'recoveryTimeoutMs', 'maxAttempts', 'pollMs']);
  const s = obj(o.serial, 'printer.serial', ['path', 'baudRate', 'dataBits', 'stopBits', 'parity', 'flowControl']);
  const d = DEFAULT_PRINTER;
  const ds = d.serial!;
  const out: PrinterSettings = {
    transport: oneOf(o.transport, 'printer.transport', d.transport, ['serial', 'memory', null] as const),
    serial: {
      path: str(s.path, 'printer.serial.path', ds.path),
      baudRate: int(s.baudRate, 'printer.serial.baudRate', ds.baudRate, 1200, 921_600)!,
      dataBits: oneOf(s.dataBits, 'printer.serial.dataBits', ds.dataBits, [7, 8] as const),
      stopBits: oneOf(s.stopBits, 'printer.serial.stopBits', ds.stopBits, [1, 2] as const),
      parity: oneOf(s.parity, 'printer.serial.parity', ds.parity, ['none', 'even', 'odd'] as const),
      flowControl: oneOf(s.flowControl, 'printer.serial.flowControl', ds.flowControl, ['none', 'rtscts', 'xonxoff'] as const),
    },
    columns: oneOf(o.columns, 'printer.columns', d.columns, [32, 42, 48] as const),
    qr: oneOf(o.qr, 'printer.qr', d.qr, ['native', 'raster'] as const),
    confirmTimeoutMs: int(o.confirmTimeoutMs, 'printer.confirmTimeoutMs', undefined, 1000, 120_000),
    recoveryTimeoutMs: int(o.recoveryTimeoutMs, 'printer.recoveryTimeoutMs', undefined, 1000, 3_600_000),
    maxAttempts: int(o.maxAttempts, 'printer.maxAttempts', undefined, 1, 10),
    pollMs: int(o.pollMs, 'printer.pollMs', undefined, 200, 600_000),
  };
  for (const k of ['confirmTimeoutMs', 'recoveryTimeoutMs', 'maxAttempts', 'pollMs'] as const) if (out[k] === undefined) delete out[k];
  return out;
}

export function parseReceipt(v: unknown): ReceiptSettings {
  const o = obj(v, 'receipt', ['enabled', 'nameMask', 'requireForSession']);
  const d = DEFAULT_RECEIPT;
  return {
    enabled: bool(o.enabled, 'receipt.enabled', d.enabled),
    nameMask: oneOf(o.nameMask, 'receipt.nameMask', d.nameMask, ['omit', 'initials', 'family', 'full'] as const),
    requireForSession: bool(o.requireForSession, 'receipt.requireForSession', d.requireForSession),
  };
}
