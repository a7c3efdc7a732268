// CardSession, the APDU layer every document talks through, against field behaviours produced by the
// generic link layer (drivers/sim/iso7816/link.ts) and the card OS quirks: 61xx chaining, 6Cxx re-send,
// extended refused → short chunks, and a chip that answers at most N bytes per read (6700 → smaller chunk).
import { describe, expect, it } from 'vitest';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { CardSession } from '../../../drivers/reader/card-session.ts';
import { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { ALWAYS, Iso7816Card, addEf, createMf } from '../../../drivers/sim/iso7816/index.ts';
import { LinkedCard, type LinkQuirks } from '../../../drivers/sim/iso7816/link.ts';
import type { TransportQuirks } from '../../../drivers/sim/iso7816/transport.ts';

/** EF 0101 holds one BER-TLV of 1200 bytes in all: 30 82 04 AC ‖ 1196 bytes (i mod 251). */
const FILE = Buffer.concat([Buffer.from([0x30, 0x82, 0x04, 0xac]), Buffer.from(Array.from({ length: 1196 }, (_, i) => i % 251))]);

async function session(link: LinkQuirks, quirks: TransportQuirks = {}) {
  const mf = createMf();
  addEf(mf, { kind: 'transparent', fid: 0x0101, data: FILE, read: ALWAYS });
  const card = new Iso7816Card({ atr: Buffer.from('3B8180018080', 'hex'), mf, quirks });
  const reader = new SimulatedReaderDriver(['R']);
  reader.start();
  reader.insert(new LinkedCard(card, link), 'R');
  const commands: string[] = [];
  const s = new CardSession(await reader.connect('R'), { onExchange: (r) => commands.push(r.command.slice(0, 4) + ':' + r.sw.toString(16)) });
  expect(await s.selectEf(0x0101)).toBe(0x9000);
  return { s, commands, card };
}

describe('CardSession under reader/link behaviours', () => {
  it('reads a whole file in one extended APDU where the link allows it', async () => {
    const { s, commands } = await session({});
    expect((await s.readTlvFile('EF')).equals(FILE)).toBe(true);
    expect(commands.filter((c) => c.startsWith('00B0'))).toHaveLength(2); // header + one extended read
  });

  it('no extended APDUs: one refused try, then short chunks for the rest of the session', async () => {
    const { s, commands } = await session({ noExtended: true });
    expect((await s.readTlvFile('EF')).equals(FILE)).toBe(true);
    expect(s.extendedUsable).toBe(false);
    expect(commands.filter((c) => c.endsWith(':6700'))).toHaveLength(1);
    expect(commands.filter((c) => c === '00B0:9000').length).toBeGreaterThanOrEqual(5); // 1192 bytes in ≤256-byte reads
  });

  it('a chip that answers at most 160 bytes per read (6700 above): the chunk shrinks and the file still reads', async () => {
    const { s } = await session({ noExtended: true }, { maxReadLength: 160 });
    expect((await s.readTlvFile('EF')).equals(FILE)).toBe(true);
  });

  it('61xx + GET RESPONSE and 6Cxx: the same bytes arrive', async () => {
    for (const link of [{ getResponse: true }, { wrongLe: true }, { getResponse: true, wrongLe: true, noExtended: true }] as LinkQuirks[]) {
      const { s, commands } = await session(link);
      expect((await s.readTlvFile('EF')).equals(FILE), JSON.stringify(link)).toBe(true);
      if (link.getResponse) expect(commands.some((c) => c.startsWith('00C0'))).toBe(true);
    }
  });

  it('a reader that cannot carry extended APDUs fails the transmit (SCARD_E_NOT_TRANSACTED): short chunks follow', async () => {
    const { s: base } = await session({});
    const channel = base.channel;
    let refused = 0;
    const strict = new CardSession({
      ...channel,
      readerName: channel.readerName,
      atr: channel.atr,
      protocol: channel.protocol,
      transmit: (apdu: Buffer) => {
        // An extended APDU has 00 in the fifth byte and more bytes after it.
        if (apdu.length > 5 && apdu[4] === 0) {
          refused++;
          return Promise.reject(new KioskError(ErrorCodes.READER_TRANSMIT_FAILED, 'transmit: SCardTransmit error: Transaction failed.(0x80100016)'));
        }
        return channel.transmit(apdu);
      },
      disconnect: () => channel.disconnect(),
    });
    expect((await strict.readTlvFile('EF')).equals(FILE)).toBe(true);
    expect(refused).toBe(1);
    expect(strict.extendedUsable).toBe(false);
  });
});
