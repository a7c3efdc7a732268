// The reader/link quirks every virtual card can be run with (drivers/sim/iso7816/link.ts). Expected ATRs
// are public PC/SC Part 3 ATRs as readers report them (Ludovic Rousseau's smartcard_list.txt, pcsc-tools):
// "3B 81 80 01 80 80" (MIFARE DESFire, Type A, one historical byte 80), "3B 88 80 01 00 00 00 00 00 00 00
// 00 09" (German eID, Type B) and "3B 88 80 01 00 00 00 00 00 81 71 00 F9" (a Type B card with protocol
// info 00 81 71) — see docs/reference/iso7816.md.
import { describe, expect, it } from 'vitest';
import { contactlessAtr, historicalBytes, LinkedCard, withLink } from '../../../drivers/sim/iso7816/link.ts';
import { Iso7816Card, addEf, createMf, ALWAYS } from '../../../drivers/sim/iso7816/index.ts';
import { resolveLink } from '../../../drivers/sim/cli/run-card.ts';
import { extractLinkOptions } from '../../../drivers/sim/cli/subcommand.ts';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const out = (b: Buffer) => b.toString('hex').toUpperCase();

/** A card with one 300-byte transparent EF 0101 (bytes 0..255, 0..43), readable always. */
function card(): Iso7816Card {
  const mf = createMf();
  const data = Buffer.alloc(300);
  for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
  addEf(mf, { kind: 'transparent', fid: 0x0101, sfi: 1, data, read: ALWAYS });
  return new Iso7816Card({ atr: hex('3B E0 00 FF 81 31 FE 45 14'), mf });
}
const SELECT = hex('00 A4 02 0C 02 01 01');

describe('PC/SC Part 3 contactless ATR', () => {
  it('builds the published Type A and Type B ATRs', () => {
    expect(out(contactlessAtr(hex('80')))).toBe('3B8180018080');
    expect(out(contactlessAtr(hex('00 00 00 00 00 00 00 00')))).toBe('3B888001000000000000000009');
    expect(out(contactlessAtr(hex('00 00 00 00 00 81 71 00')))).toBe('3B88800100000000008171' + '00F9');
  });

  it('finds the historical bytes of contact ATRs', () => {
    expect(out(historicalBytes(hex('3B E0 00 FF 81 31 FE 45 14')))).toBe(''); // K = 0
    // JCOP-style ATR: T0 = F8 (TA1 TB1 TC1 TD1, K = 8), TD1 = 81 → TD2 = 31 → TA3 TB3, then 8 bytes.
    expect(out(historicalBytes(hex('3B F8 13 00 00 81 31 FE 45 4A 43 4F 50 76 32 34 31 B7')))).toBe('4A434F5076323431');
    expect(out(historicalBytes(hex('3B 81 80 01 80 80')))).toBe('80');
  });

  it('sim --atr contactless / contactless-b / HEX replace the ATR the reader reports', () => {
    const c = card();
    expect(out(resolveLink(c, extractLinkOptions(['--atr', 'contactless']).link).atr!)).toBe('3B80800101');
    expect(out(resolveLink(c, extractLinkOptions(['--atr=contactless-b']).link).atr!)).toBe('3B8880010000000000817100F9');
    expect(out(resolveLink(c, extractLinkOptions(['--atr', '3B:81:80:01:80:80']).link).atr!)).toBe('3B8180018080');
    expect(() => extractLinkOptions(['--atr', 'bogus'])).toThrow(/--atr/);
  });
});

describe('link quirks around a card', () => {
  it('passes the card through unchanged without quirks', () => {
    const c = card();
    expect(withLink(c, {})).toBe(c);
    expect(extractLinkOptions(['--doc-number', 'X', '--trace'])).toEqual({ link: {}, rest: ['--doc-number', 'X', '--trace'] });
  });

  it('--no-extended: extended APDUs get 6700, short ones work', () => {
    const l = new LinkedCard(card(), { noExtended: true });
    expect(out(l.process(SELECT))).toBe('9000');
    expect(out(l.process(hex('00 B0 00 00 00 01 2C')))).toBe('6700');
    expect(l.process(hex('00 B0 00 00 10'))).toHaveLength(18);
  });

  it('--max-le: an answer longer than N is refused with 6700, shorter reads work', () => {
    const l = new LinkedCard(card(), { maxLe: 0xdf });
    l.process(SELECT);
    expect(out(l.process(hex('00 B0 00 00 00')))).toBe('6700');
    expect(l.process(hex('00 B0 00 00 DF'))).toHaveLength(0xdf + 2);
    // Le 00 with a short answer (the last 44 bytes) is fine: the answer fits.
    expect(out(l.process(hex('00 B0 01 00 00')).subarray(-2))).toBe('6282');
  });

  it('--get-response: data comes as 61xx, GET RESPONSE delivers it in pieces, then the real SW', () => {
    const l = new LinkedCard(card(), { getResponse: true });
    expect(out(l.process(SELECT))).toBe('9000'); // no data: no 61xx
    expect(out(l.process(hex('00 B0 00 00 20')))).toBe('6120');
    const a = l.process(hex('00 C0 00 00 10'));
    expect(out(a)).toBe('000102030405060708090A0B0C0D0E0F' + '6110');
    const b = l.process(hex('00 C0 00 00 10'));
    expect(out(b)).toBe('101112131415161718191A1B1C1D1E1F' + '9000');
    // A GET RESPONSE with nothing pending goes to the card, which has nothing either.
    expect(out(l.process(hex('00 C0 00 00 10')))).toBe('6985');
  });

  it('--wrong-le: a short Le other than the answer length gets 6Cxx; the re-send gets the answer, run once', () => {
    const c = card();
    const l = new LinkedCard(c, { wrongLe: true });
    l.process(SELECT);
    expect(out(l.process(hex('00 B0 01 20 00')))).toBe('6C0C'); // 12 bytes left from 0x120
    const before = c.log.entries.length;
    expect(out(l.process(hex('00 B0 01 20 0C')))).toBe('202122232425262728292A2B' + '9000'); // bytes 0x120.. of 0..255,0..43
    expect(c.log.entries.length).toBe(before); // served from the first execution
    expect(out(l.process(hex('00 B0 00 00 10'))).slice(-4)).toBe('9000'); // exact Le: no 6Cxx
  });

  it('--silent-after N: mute after N APDUs since power-on; a reset brings it back', () => {
    const l = new LinkedCard(card(), { silentAfter: 2 });
    expect(l.mute).toBe(false);
    l.process(SELECT);
    l.process(hex('00 B0 00 00 04'));
    expect(l.mute).toBe(true);
    l.reset();
    expect(l.mute).toBe(false);
    expect(extractLinkOptions(['--silent-after', '3']).link).toEqual({ silentAfter: 3 });
    expect(() => extractLinkOptions(['--silent-after'])).toThrow(/--silent-after/);
  });
});

describe('a silent card in the in-process simulated reader', () => {
  it('the exchange ends with READER_TIMEOUT at the configured timeout, or CARD_REMOVED when pulled first', async () => {
    const { SimulatedReaderDriver } = await import('../../../drivers/reader/simulated-binding.ts');
    const reader = new SimulatedReaderDriver(['R'], { transmitTimeoutMs: 150 });
    reader.start();
    reader.insert(new LinkedCard(card(), { silentAfter: 1 }), 'R');
    const ch = await reader.connect('R');
    expect(out(await ch.transmit(SELECT))).toBe('9000');
    const t0 = Date.now();
    await expect(ch.transmit(hex('00 B0 00 00 04'))).rejects.toMatchObject({ code: 'READER_TIMEOUT' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    // The channel is void after a timeout, even though the card is still there.
    await expect(ch.transmit(SELECT)).rejects.toMatchObject({ code: 'READER_TIMEOUT' });
    await ch.disconnect(); // power-cycles the card: it answers again

    const ch2 = await reader.connect('R');
    expect(out(await ch2.transmit(SELECT))).toBe('9000');
    const pending = ch2.transmit(SELECT);
    setTimeout(() => reader.remove('R'), 20);
    await expect(pending).rejects.toMatchObject({ code: 'CARD_REMOVED' });
  });
});
