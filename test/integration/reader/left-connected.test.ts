// A channel left connected when its card is pulled (issue 17): the addon keeps the reader marked
// `connected`, so its connect() turns into a no-op that reports no protocol, and every later transmit
// failed with the plain Error "Third argument must be an integer". The runtime always disconnects, but
// the binding must not depend on it: the next connect releases the stale handle and works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscReaderDriver } from '../../../drivers/reader/pcsc-binding.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import { startPcscd, type PcscdInstance } from '../../harness/pcscd.ts';
import { jpkiCard, waitUntil } from '../../harness/jpki.ts';

// SELECT of the JPKI AP by its AID (D3 92 F0 00 26 01 00 00 00 01, JPKI's published AID).
const SELECT_JPKI = Buffer.from('00A4040C0AD392F000260100000001', 'hex');

let pcscd: PcscdInstance;
beforeAll(async () => {
  pcscd = await startPcscd();
});
afterAll(async () => pcscd?.stop());

describe('pcsc binding: a channel left connected across a card pull', () => {
  it('the next connect works and transmits (no plain Error from the addon)', async () => {
    const driver = new PcscReaderDriver();
    driver.start();
    try {
      const first = new VpcdClient(jpkiCard(), { port: pcscd.port });
      await first.insert();
      await waitUntil(() => driver.readers().some((r) => r.present), 5000, 'card');
      const left = await driver.connect(pcscd.readerName);
      expect((await left.transmit(SELECT_JPKI)).toString('hex')).toBe('9000');
      // Pulled without a disconnect.
      await first.close();
      await waitUntil(() => !driver.readers().some((r) => r.present), 5000, 'removal');

      const second = new VpcdClient(jpkiCard(), { port: pcscd.port });
      await second.insert();
      await waitUntil(() => driver.readers().some((r) => r.present), 5000, 'card again');
      const channel = await driver.connect(pcscd.readerName);
      expect((await channel.transmit(SELECT_JPKI)).toString('hex')).toBe('9000');
      await channel.disconnect();
      await second.close();
    } finally {
      await driver.stop();
      await new Promise((r) => setTimeout(r, 600));
    }
  }, 30_000);
});
