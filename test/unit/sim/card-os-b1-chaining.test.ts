// Odd-INS READ BINARY (B1) and command chaining (CLA 10) in the card OS (added for the passport).
import { describe, expect, it } from 'vitest';
import { addDf, addEf, ALWAYS, createMf, Iso7816Card, SW, type CardResponse, type CommandApdu } from '../../../drivers/sim/iso7816/index.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const APP = h('A0000002471001');

class ChainCard extends Iso7816Card {
  seen: { cla: number; chained: boolean; data: string }[] = [];
  constructor() {
    const mf = createMf();
    const app = addDf(mf, { label: 'APP', aid: APP });
    const big = Buffer.alloc(0x9000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    addEf(app, { kind: 'transparent', fid: 0x0102, data: big, read: ALWAYS });
    super({ atr: h('3B80800101'), mf });
    const echo = (c: CommandApdu): CardResponse => {
      this.seen.push({ cla: c.cla, chained: c.chained === true, data: c.data.toString('hex') });
      return { sw: SW.OK, data: Buffer.from([c.data.length]) };
    };
    this.registerChained(0x00, 0x86, echo, 'each');
    this.registerChained(0x00, 0x2a, echo, 'buffer');
  }
  get big(): Buffer {
    return (this.mf.children[0] as { children: { data: Buffer }[] }).children[0]!.data;
  }
}

const tx = (c: Iso7816Card, hex: string) => c.process(h(hex));
const sw = (b: Buffer) => b.subarray(-2).toString('hex').toUpperCase();

describe('odd-INS READ BINARY', () => {
  it('reads by DO54 offset beyond 7FFF and answers DO53', () => {
    const c = new ChainCard();
    expect(sw(tx(c, '00A4040C07A0000002471001'))).toBe('9000');
    // Select by FID in P1P2, offset 0x8100 (beyond the 15-bit range of B0), Le 00.
    const r = tx(c, '00B10102045402810000');
    expect(sw(r)).toBe('9000');
    expect(r.subarray(0, 3).toString('hex')).toBe('5381fd');
    expect(r.subarray(3, -2)).toEqual(c.big.subarray(0x8100, 0x8100 + 253));
    // Current EF (P1P2 0000), a short Le: the DO53 header counts against Ne.
    const s = tx(c, '00B10000045402020010');
    expect(s.subarray(0, 2).toString('hex')).toBe('530e');
    expect(s.subarray(2, -2)).toEqual(c.big.subarray(0x200, 0x200 + 14));
    // Last bytes: 6282 with the remainder; past the end: 6B00; a bad offset DO: 6A80.
    const end = tx(c, '00B100000454028FF000');
    expect(sw(end)).toBe('6282');
    expect(end.subarray(2, -2)).toEqual(c.big.subarray(0x8ff0));
    expect(sw(tx(c, '00B1000004540290' + '00' + '00'))).toBe('6B00');
    expect(sw(tx(c, '00B1000003550200' + '00'))).toBe('6A80');
  });
});

describe('command chaining', () => {
  it("'each' hands every part to the handler with the chaining flag", () => {
    const c = new ChainCard();
    expect(sw(tx(c, '10860000027C0000'))).toBe('9000');
    expect(sw(tx(c, '00860000037C01AA00'))).toBe('9000');
    expect(c.seen).toEqual([
      { cla: 0, chained: true, data: '7c00' },
      { cla: 0, chained: false, data: '7c01aa' },
    ]);
  });

  it("'buffer' collects the parts and dispatches once", () => {
    const c = new ChainCard();
    expect(tx(c, '102A00000201 02').toString('hex')).toBe('9000');
    expect(tx(c, '102A0000020304').toString('hex')).toBe('9000');
    const r = tx(c, '002A0000010500');
    expect(r.toString('hex')).toBe('059000');
    expect(c.seen).toEqual([{ cla: 0, chained: false, data: '0102030405' }]);
  });

  it('drops an interrupted chain and still refuses chaining elsewhere', () => {
    const c = new ChainCard();
    tx(c, '102A0000020102');
    tx(c, '00A4040C07A0000002471001');
    expect(tx(c, '002A0000010500').toString('hex')).toBe('019000');
    expect(sw(tx(c, '10A4040C07A0000002471001'))).toBe('6884');
    expect(sw(tx(c, '102A000002010200'))).toBe('6700');
  });
});
