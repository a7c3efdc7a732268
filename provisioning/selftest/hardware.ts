// The hardware a selftest talks to: the real drivers named in the config, or (--simulated, CI) the
// simulated reader holding a virtual My Number card, the virtual printer and the simulated keypad.
import { createKeypad } from '../../drivers/keypad/create.ts';
import { SimulatedKeypad } from '../../drivers/keypad/simulated.ts';
import type { Keypad } from '../../drivers/keypad/types.ts';
import { createPrinter } from '../../drivers/printer/create.ts';
import type { Printer } from '../../drivers/printer/printer.ts';
import { PcscReaderDriver } from '../../drivers/reader/pcsc-binding.ts';
import { SimulatedReaderDriver } from '../../drivers/reader/simulated-binding.ts';
import type { ReaderDriver } from '../../drivers/reader/types.ts';
import { createVirtualMyNumberCard } from '../../drivers/sim/mynumber/index.ts';
import { VirtualPrinter } from '../../drivers/sim/printer/virtual-printer.ts';
import type { KioskConfig } from '../../daemon/config/config.ts';

export interface Hardware {
  simulated: boolean;
  reader: ReaderDriver;
  printer: Printer | null;
  keypad: Keypad | null;
  /** Simulated keypad: the selftest presses a key itself to exercise the key path. */
  pressKey?: () => void;
  release(): Promise<void>;
}

export interface HardwareOptions {
  simulated: boolean;
  /** Skip opening printer/keypad (the running daemon holds them; their state comes from its /healthz). */
  skipPeripherals: boolean;
  /** Simulated mode: place the virtual test card (default true). */
  testCard?: boolean;
}

export async function openHardware(cfg: KioskConfig, o: HardwareOptions): Promise<Hardware> {
  const sim = o.simulated;
  const reader: ReaderDriver = sim || cfg.reader.backend === 'simulated' ? new SimulatedReaderDriver() : new PcscReaderDriver({});
  if (reader instanceof SimulatedReaderDriver && o.testCard !== false) reader.insert(createVirtualMyNumberCard().card);
  reader.start();
  let printer: Printer | null = null;
  let keypad: Keypad | null = null;
  let pressKey: (() => void) | undefined;
  if (!o.skipPeripherals) {
    const transport = sim ? 'memory' : (cfg.printer.transport ?? 'serial');
    printer = createPrinter(
      { ...cfg.printer, transport, recoveryTimeoutMs: 5000, confirmTimeoutMs: 5000, maxAttempts: 1 },
      { peer: transport === 'memory' ? new VirtualPrinter() : undefined },
    );
    await printer.start().catch(() => {});
    if (sim) {
      const k = new SimulatedKeypad();
      keypad = k;
      pressKey = () => k.press('5');
    } else keypad = createKeypad({ ...cfg.keypad, backend: cfg.keypad.backend ?? 'evdev' });
    await keypad.start().catch(() => {});
  }
  return {
    simulated: sim,
    reader,
    printer,
    keypad,
    pressKey,
    async release() {
      await keypad?.stop().catch(() => {});
      await printer?.stop().catch(() => {});
      await reader.stop();
    },
  };
}
