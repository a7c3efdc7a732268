// Configuration blocks for the keypad, the receipt printer and the receipts the kiosk prints: their schemas
// (config.ts composes them) and the types inferred from them. `null` backends/transports mean "simulated
// under --simulated/--demo, the real device otherwise"; unknown keys and bad values fail with the field's
// path. Defaults come from the drivers (DEFAULT_KEYPAD_CONFIG, DEFAULT_PRINTER_CONFIG).
import { DEFAULT_EVDEV_CONFIG, DEFAULT_KEYPAD_CONFIG, DEFAULT_ONOFF_CONFIG } from '../../drivers/keypad/create.ts';
import { ALL_KEYS } from '../../drivers/keypad/types.ts';
import { DEFAULT_SERIAL_CONFIG } from '../../drivers/printer/create.ts';
import * as z from 'zod';
import { block, bool, int, oneOf, text } from './schema-kit.ts';

const KEYS_HINT = `must be a list of keys (${ALL_KEYS.join(' ')})`;
const keys = z.array(z.enum(ALL_KEYS, { error: KEYS_HINT }), { error: KEYS_HINT }).optional();
const GPIO_HINT = 'must be a non-empty list of GPIO numbers';
const gpios = (dflt: readonly number[]) =>
  z
    .array(z.int({ error: GPIO_HINT }).min(0, { error: GPIO_HINT }).max(1000, { error: GPIO_HINT }), { error: GPIO_HINT })
    .min(1, { error: GPIO_HINT })
    .default(() => [...dflt]);

const kd = DEFAULT_KEYPAD_CONFIG;
export const keypadSchema = block({
  /** null: evdev, or simulated under --simulated/--demo. */
  backend: oneOf(['evdev', 'onoff', 'simulated', null]).default(null),
  pad: oneOf(['4x3', '4x4']).default(kd.pad),
  roles: block({ enter: keys, back: keys, clear: keys, cancel: keys, repeat: keys }),
  multitapMs: int(300, 5000).default(1200),
  stuckMs: int(1000, 600_000).optional(),
  evdev: block({ device: text().default(DEFAULT_EVDEV_CONFIG.device), layout: oneOf([16, 24]).optional() }),
  onoff: block({
    rowPins: gpios(DEFAULT_ONOFF_CONFIG.rowPins),
    colPins: gpios(DEFAULT_ONOFF_CONFIG.colPins),
    sysfsRoot: text().optional(),
    chipLabel: text().optional(),
    scanIntervalMs: int(1, 100).optional(),
    debounceScans: int(1, 20).optional(),
  }),
});

const ps = DEFAULT_SERIAL_CONFIG;
export const printerSchema = block({
  /** null: serial, or the in-memory virtual printer under --simulated/--demo. */
  transport: oneOf(['serial', 'memory', null]).default(null),
  serial: block({
    path: text().default(ps.path),
    baudRate: int(1200, 921_600).default(ps.baudRate),
    dataBits: oneOf([7, 8]).default(ps.dataBits),
    stopBits: oneOf([1, 2]).default(ps.stopBits),
    parity: oneOf(['none', 'even', 'odd']).default(ps.parity),
    flowControl: oneOf(['none', 'rtscts', 'xonxoff']).default(ps.flowControl),
  }),
  columns: oneOf([32, 42, 48]).default(48),
  qr: oneOf(['native', 'raster']).default('native'),
  confirmTimeoutMs: int(1000, 120_000).optional(),
  recoveryTimeoutMs: int(1000, 3_600_000).optional(),
  maxAttempts: int(1, 10).optional(),
  /** Idle status poll while the printer does not push ASB frames (default 5 s). */
  pollMs: int(200, 600_000).optional(),
  /** Idle status poll once it does: only to notice a printer that went silent (default 60 s). */
  asbPollMs: int(1000, 3_600_000).optional(),
});

export const receiptSchema = block({
  /** Print a receipt at the end of every verified or refused session. */
  enabled: bool().default(true),
  /** How the holder's name appears on the receipt (never the My Number, a PIN, the address or the birth date). */
  nameMask: oneOf(['omit', 'initials', 'family', 'full']).default('family'),
  /** Refuse to start a session while the printer cannot print the receipt it promises. */
  requireForSession: bool().default(true),
});

export type KeypadSettings = z.output<typeof keypadSchema>;
export type PrinterSettings = z.output<typeof printerSchema>;
export type ReceiptSettings = z.output<typeof receiptSchema>;
