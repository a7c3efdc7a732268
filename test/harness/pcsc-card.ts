// One pcscd per test file and one virtual card at a time through vpcd, for tests that read the card
// through the real PC/SC stack (the idkiosk CLI as a separate process, or an in-process reader). After
// each test the card leaves and pcscd gets one presence poll (~600 ms) to see it go, as in
// pcsc-kiosk.ts; a presented card gets ~300 ms for pcscd to report it before the reader is opened.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { VirtualCard } from '../../drivers/sim/virtual-card.ts';
import { VpcdClient } from '../../drivers/sim/vpcd-client.ts';
import { startPcscd, type PcscdInstance } from './pcscd.ts';

/** How long pcscd needs to notice that a vpcd card left (one presence poll). */
export const PCSCD_REMOVAL_POLL_MS = 600;

export interface PcscCardSlot {
  pcscd: PcscdInstance;
  /** This test's card connection, if a card is presented. */
  client: VpcdClient | null;
  /** Connects `card` through vpcd as this test's card and gives pcscd time to report it. */
  present<C extends VirtualCard>(card: C): Promise<C>;
}

export function usePcscCard(): PcscCardSlot {
  const slot = { client: null } as PcscCardSlot;
  slot.present = async (card) => {
    slot.client = new VpcdClient(card, { port: slot.pcscd.port });
    await slot.client.insert();
    await new Promise((r) => setTimeout(r, 300));
    return card;
  };
  beforeAll(async () => {
    slot.pcscd = await startPcscd();
  });
  afterAll(async () => {
    await slot.pcscd?.stop();
  });
  afterEach(async () => {
    await slot.client?.close();
    slot.client = null;
    await new Promise((r) => setTimeout(r, PCSCD_REMOVAL_POLL_MS));
  });
  return slot;
}
