// The pcsclite binding's own duties, through the real pcscd: readers listed, insert/remove events with the
// ATR, SHARED connect next to another PC/SC client, and a command timeout when the card stops answering.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscReaderDriver } from '../../../drivers/reader/pcsc-binding.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import { MYNUMBER_ATR } from '../../../drivers/sim/mynumber/index.ts';
import { startPcscd, type PcscdInstance } from '../../harness/pcscd.ts';
import { jpkiCard, waitUntil } from '../../harness/jpki.ts';

const run = promisify(execFile);
let pcscd: PcscdInstance;
beforeAll(async () => {
  pcscd = await startPcscd();
});
afterAll(async () => pcscd?.stop());

describe('PcscReaderDriver', () => {
  it('lists the readers, reports insert/remove with the ATR, connects SHARED beside opensc-tool', async () => {
    const driver = new PcscReaderDriver();
    const events: string[] = [];
    driver.on('card-inserted', (e) => events.push(`in:${e.reader}:${e.atr.toString('hex')}`));
    driver.on('card-removed', (e) => events.push(`out:${e.reader}`));
    driver.start();
    await waitUntil(() => driver.readers().length === 2, 5000, 'readers');
    expect(driver.readers().map((r) => r.name)).toEqual(['Virtual PCD 00 00', 'Virtual PCD 00 01']);

    const client = new VpcdClient(jpkiCard(), { port: pcscd.port });
    await client.insert();
    await waitUntil(() => events.length === 1, 5000, 'insert event');
    expect(events[0]).toBe(`in:Virtual PCD 00 00:${MYNUMBER_ATR.toString('hex')}`);

    const channel = await driver.connect('Virtual PCD 00 00');
    // Another PC/SC client may use the reader at the same time (SHARED).
    const { stdout } = await run('opensc-tool', ['-r', '0', '-s', '00A4040C0AD392F000260100000001'], { env: process.env });
    expect(stdout).toMatch(/SW1=0x90, SW2=0x00/);
    const res = await channel.transmit(Buffer.from('00A4040C0AD392F000260100000001', 'hex'));
    expect(res.toString('hex')).toBe('9000');
    await channel.disconnect();

    await client.close();
    await waitUntil(() => events.length === 2, 5000, 'remove event');
    expect(events[1]).toBe('out:Virtual PCD 00 00');
    await driver.stop();
    await new Promise((r) => setTimeout(r, 600));
  });

  it('a card that stops answering ends the exchange with READER_TIMEOUT', async () => {
    const driver = new PcscReaderDriver({ transmitTimeoutMs: 500 });
    driver.start();
    let hang = false;
    const client = new VpcdClient(jpkiCard(), {
      port: pcscd.port,
      apduDelay: () => (hang ? new Promise<void>((r) => setTimeout(r, 3000)) : 0),
    });
    await client.insert();
    await waitUntil(() => driver.readers().some((r) => r.present), 5000, 'card');
    const channel = await driver.connect(pcscd.readerName);
    hang = true;
    const t0 = Date.now();
    await expect(channel.transmit(Buffer.from('00A4040C0AD392F000260100000001', 'hex'))).rejects.toMatchObject({ code: 'READER_TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(2000);
    await client.close();
    await driver.stop();
  });
});
