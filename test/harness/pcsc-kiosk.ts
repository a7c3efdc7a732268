// One pcscd per test file and, per test, the pieces a kiosk run over the real PC/SC stack leaves behind
// (the reader driver, the kiosk runtime, the virtual card's vpcd connection), torn down in the order that
// keeps pcscd honest: the card leaves first, and pcscd gets one presence poll (~600 ms) to see it go before
// the next card connects — a real card cannot be swapped faster, and pcscd would otherwise take the new
// virtual card for the old one that never left.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { PcscReaderDriver } from '../../drivers/reader/pcsc-binding.ts';
import type { VpcdClient } from '../../drivers/sim/vpcd-client.ts';
import type { KioskRuntime } from '../../daemon/kiosk/runtime.ts';
import { PCSCD_REMOVAL_POLL_MS } from './pcsc-card.ts';
import { startPcscd, type PcscdInstance } from './pcscd.ts';

export interface PcscKiosk {
  pcscd: PcscdInstance;
  runtime: KioskRuntime | null;
  driver: PcscReaderDriver | null;
  client: VpcdClient | null;
  /** Tears down this test's card, runtime and driver now (also done after each test). */
  reset(): Promise<void>;
}

export function usePcscKiosk(): PcscKiosk {
  const k = { runtime: null, driver: null, client: null } as unknown as PcscKiosk;
  k.reset = async () => {
    await k.client?.close();
    await new Promise((r) => setTimeout(r, PCSCD_REMOVAL_POLL_MS));
    await k.runtime?.stop();
    await k.driver?.stop();
    k.client = null;
    k.runtime = null;
    k.driver = null;
  };
  beforeAll(async () => {
    k.pcscd = await startPcscd();
  });
  afterAll(async () => {
    await k.pcscd?.stop();
  });
  afterEach(() => k.reset());
  return k;
}
