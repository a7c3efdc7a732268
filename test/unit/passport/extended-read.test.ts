// Extended-length READ BINARY under secure messaging: used where reader and chip accept it (a 34 kB face
// in two reads, one each side of offset 7FFF), and the chunked reads take over — in step, with the SSC
// intact — when the chip refuses inside SM (6700), when the reader refuses before the chip sees the
// command (a plain 6700), or when the transmit itself fails.
import { describe, expect, it } from 'vitest';
import { CardSession } from '../../../drivers/reader/card-session.ts';
import type { CardChannel } from '../../../drivers/reader/types.ts';
import { MAX_SM_CHUNK } from '../../../daemon/documents/passport/datagroups/file-reader.ts';
import { readPassport } from '../../../daemon/documents/passport/passport-read.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import type { PassportCard } from '../../../drivers/sim/passport/index.ts';
import { accessKey, card } from './helpers.ts';

const FACE = 34_000;

/** A channel onto the card whose "reader" may refuse extended APDUs (byte 4 = 00 with a body: extended form). */
function channelTo(c: PassportCard, reader: 'extended' | 'plain-6700' | 'transmit-fails'): CardChannel {
  return {
    readerName: 'in-process',
    atr: c.atr,
    protocol: 'T1' as CardChannel['protocol'],
    transmit: async (apdu) => {
      const extended = apdu.length > 5 && apdu[4] === 0;
      if (extended && reader === 'plain-6700') return Buffer.from([0x67, 0x00]);
      if (extended && reader === 'transmit-fails') throw new KioskError(ErrorCodes.READER_TRANSMIT_FAILED, 'SCardTransmit: insufficient buffer');
      return c.process(apdu);
    },
    disconnect: async () => {},
  };
}

async function read(c: PassportCard, reader: 'extended' | 'plain-6700' | 'transmit-fails' = 'extended') {
  let apdus = 0;
  const session = new CardSession(channelTo(c, reader), { onExchange: () => apdus++ });
  const ev = await readPassport(session, { accessKey: accessKey() });
  const reads = c.log.entries.filter((e) => e.ins === 0xb0 || e.ins === 0xb1);
  return { ev, apdus, reads };
}

describe('extended-length reads under secure messaging', () => {
  it('reader and chip accept it: the face in one B0 read up to 7FFF and one B1 read for the rest', async () => {
    const c = card({ faceBytes: FACE, ca: false, aa: false });
    const { ev, apdus, reads } = await read(c);
    expect(ev.face!.data.length).toBe(FACE);
    expect(c.stats.smErrors).toBe(0);
    expect(reads.filter((e) => e.ins === 0xb1)).toHaveLength(1);
    expect(reads.filter((e) => e.ins === 0xb0 && e.ne === 0x8000 - 8)).toHaveLength(1); // the face after its header, up to 7FFF
    expect(apdus).toBeLessThan(40); // chunked: about 200
  });

  it('a rest of 224–256 bytes past 7FFF goes in short B1 reads that fit a short APDU, none refused', async () => {
    const probe = card({ faceBytes: FACE, ca: false, aa: false });
    const overhead = (await read(probe)).ev.dataGroups.get(2)!.length - FACE;
    const c = card({ faceBytes: 0x8000 + 240 - overhead, ca: false, aa: false }); // DG2 ends 240 bytes past 7FFF
    const { ev, reads } = await read(c);
    expect(ev.dataGroups.get(2)!.length).toBe(0x8000 + 240);
    expect(reads.filter((e) => e.sw !== 0x9000 && e.sw !== 0x6282)).toEqual([]);
    // Short B1: Le counts DO53's 3-byte header, so 220 data bytes, then the last 20.
    expect(reads.filter((e) => e.ins === 0xb1).map((e) => e.ne)).toEqual([MAX_SM_CHUNK, 20 + 4]);
  });

  it('the chip refuses extended length inside SM (6700): chunked reads, same data', async () => {
    const c = card({ faceBytes: FACE, ca: false, aa: false, quirks: { rejectExtended: true } });
    const { ev, reads } = await read(c);
    expect(ev.face!.data.length).toBe(FACE);
    expect(c.stats.smErrors).toBe(0);
    expect(reads.filter((e) => e.sw === 0x9000 || e.sw === 0x6282).every((e) => e.ne !== null && e.ne <= 256)).toBe(true);
  });

  it.each(['plain-6700', 'transmit-fails'] as const)('the reader refuses it before the chip (%s): the SSC stays in step', async (reader) => {
    const c = card({ faceBytes: FACE, ca: false, aa: false });
    const { ev, reads } = await read(c, reader);
    expect(ev.face!.data.length).toBe(FACE);
    expect(c.stats.smErrors).toBe(0);
    expect(reads.every((e) => e.ne !== null && e.ne <= 256)).toBe(true);
  });

  it('a card session configured never to use extended length sends none', async () => {
    const c = card({ faceBytes: FACE, ca: false, aa: false });
    const session = new CardSession(channelTo(c, 'extended'), { extended: 'never' });
    const ev = await readPassport(session, { accessKey: accessKey() });
    expect(ev.face!.data.length).toBe(FACE);
    expect(c.log.entries.filter((e) => e.ins === 0xb0 || e.ins === 0xb1).every((e) => e.ne !== null && e.ne <= 256)).toBe(true);
  });
});
