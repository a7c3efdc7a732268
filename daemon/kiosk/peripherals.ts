// The keypad and the receipt printer as the kiosk uses them (issue 4's drivers wired into the daemon):
// hardware keys into the runtime (keypad-input.ts), receipts out of it (receipts.ts), and the status the
// screen explains. Under --simulated/--demo, a device the configuration does not name is simulated: the
// simulated keypad, and the virtual printer on an in-memory transport (its last receipt is shown in the
// demo as SVG).
import { createKeypad, rolesFor } from '../../drivers/keypad/create.ts';
import type { Keypad } from '../../drivers/keypad/types.ts';
import { createPrinter } from '../../drivers/printer/create.ts';
import type { Printer } from '../../drivers/printer/printer.ts';
import { renderSvg } from '../../drivers/sim/printer/svg.ts';
import { VirtualPrinter } from '../../drivers/sim/printer/virtual-printer.ts';
import { TypedEvents } from '../../drivers/typed-events.ts';
import type { KioskConfig } from '../config/config.ts';
import type { DeviceKey } from '../device/device-key.ts';
import type { Logger } from '../../core/log.ts';
import type { Every } from '../../core/ticker.ts';
import type { DevicesView } from '../server/protocol.ts';
import { KeypadInput } from './keypad-input.ts';
import { ReceiptService } from './receipts.ts';
import type { KioskRuntime } from './runtime.ts';

export interface Peripherals {
  keypad: Keypad;
  printer: Printer;
  /** The in-memory virtual printer when the printer is simulated. */
  virtualPrinter: VirtualPrinter | null;
  receipts: ReceiptService | null;
  devices: { get(): DevicesView; subscribe(cb: () => void): () => void };
  /** SVG of the last receipt the virtual printer produced (demo). */
  lastReceiptSvg(): string | null;
  health(): Record<string, unknown>;
  stop(): Promise<void>;
}

/** History the daemon's in-memory printer keeps: 32 receipts, ~64 KiB of received ESC/POS bytes (a few jobs). */
export const MEMORY_PRINTER_KEEP = { receipts: 32, receivedBytes: 64 << 10 };

export async function startPeripherals(o: {
  config: KioskConfig;
  runtime: KioskRuntime;
  simulated: boolean;
  deviceKey: DeviceKey;
  log: Logger;
  /** The daemon's shared periodic timer (core/ticker.ts) for the printer's idle poll. */
  every?: Every;
}): Promise<Peripherals> {
  const { config: cfg, runtime, log } = o;
  const changed = new TypedEvents<{ change: null }>();
  const notify = () => changed.emit('change', null);

  const keypadBackend = cfg.keypad.backend ?? (o.simulated ? 'simulated' : 'evdev');
  const keypad = createKeypad({ ...cfg.keypad, backend: keypadBackend }, log);
  const keypadInput = new KeypadInput(keypad, runtime, { roles: rolesFor(cfg.keypad), multitapMs: cfg.keypad.multitapMs });
  keypad.on(
    'status',
    ({ status, reason }) => {
      log(`keypad ${keypadBackend}: ${status}${reason ? ` (${reason})` : ''}`);
      notify();
    },
    'peripherals',
  );
  await keypad.start().catch((e: Error) => log(`keypad ${keypadBackend}: start failed (${(e as { code?: string }).code ?? e.name})`));

  const transport = cfg.printer.transport ?? (o.simulated ? 'memory' : 'serial');
  // The in-memory printer lives as long as the daemon: it keeps a bounded history (the demo shows the
  // last receipt; tests look back over a few sessions), never every receipt ever printed.
  const virtualPrinter = transport === 'memory' ? new VirtualPrinter({ keep: MEMORY_PRINTER_KEEP }) : null;
  const printer = createPrinter({ ...cfg.printer, transport }, { log, peer: virtualPrinter ?? undefined, every: o.every });
  printer.on('status', notify, 'peripherals');
  await printer.start().catch((e: Error) => log(`printer: start failed (${(e as { code?: string }).code ?? e.name})`));

  const required = cfg.receipt.enabled && cfg.receipt.requireForSession;
  const receipts = cfg.receipt.enabled
    ? new ReceiptService({
        printer,
        runtime,
        deviceKey: o.deviceKey,
        kioskId: cfg.kioskId,
        operatorId: cfg.operator ?? 'operator',
        nameMask: cfg.receipt.nameMask,
        requireForSession: required,
        log,
      })
    : null;
  receipts?.events.on('job', notify, 'peripherals');

  return {
    keypad,
    printer,
    virtualPrinter,
    receipts,
    devices: {
      get: () => ({
        printer: cfg.receipt.enabled ? { state: printer.state(), usable: printer.isUsable(), required } : null,
        keypad: { backend: keypad.backend, status: keypad.status() },
        receipt: receipts?.lastJob() ?? null,
      }),
      subscribe: (cb) => changed.on('change', cb),
    },
    lastReceiptSvg: () => {
      const r = virtualPrinter?.lastReceipt();
      return r ? renderSvg(r) : null;
    },
    health: () => ({ printer: printer.health(), keypad: { backend: keypad.backend, status: keypad.status(), stuck: keypad.stuckKeys().length } }),
    async stop() {
      keypadInput.dispose();
      receipts?.dispose();
      keypad.removeOwner('peripherals');
      printer.removeOwner('peripherals');
      await keypad.stop().catch(() => {});
      await printer.stop().catch(() => {});
    },
  };
}
