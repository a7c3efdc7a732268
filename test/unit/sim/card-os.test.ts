import { describe, expect, it } from 'vitest';
import { addDf, addEf, afterVerify, ALWAYS, createMf, Iso7816Card, NEVER, PinObject, type TransportQuirks } from '../../../drivers/sim/iso7816/index.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const APP = h('A000000001020304');
const OTHER = h('A000000001020305');

/** A small test card: app with EF 0101 (600 bytes, free, SFI 1), EF 0102 (after PIN 0110), EF 0103 (never), PIN 0110. */
function makeCard(quirks?: TransportQuirks, pinOpts: Partial<ConstructorParameters<typeof PinObject>[0]> = {}) {
  const mf = createMf();
  const app = addDf(mf, { label: 'APP', aid: APP });
  addDf(mf, { label: 'OTHER', aid: OTHER });
  const pin = new PinObject({ value: '4321', maxTries: 3, ...pinOpts });
  const big = Buffer.alloc(600);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  addEf(app, { kind: 'transparent', fid: 0x0101, sfi: 1, data: big, read: ALWAYS });
  addEf(app, { kind: 'transparent', fid: 0x0102, data: Buffer.from('secret-after-pin'), read: afterVerify(pin) });
  addEf(app, { kind: 'transparent', fid: 0x0103, data: Buffer.from('never'), read: NEVER });
  addEf(app, { kind: 'pin', fid: 0x0110, ref: 0x10, pin });
  addEf(mf, { kind: 'transparent', fid: 0x2f00, data: Buffer.from('mf-level'), read: ALWAYS });
  const card = new Iso7816Card({ atr: h('3B8080010101'), mf, quirks });
  const tx = (hex: string) => card.process(h(hex));
  const sw = (hex: string) => tx(hex).subarray(-2).toString('hex').toUpperCase();
  return { card, pin, big, tx, sw };
}

const SELECT_APP = '00A4040C08' + APP.toString('hex');
const ascii = (s: string) => Buffer.from(s, 'ascii').toString('hex');
const VERIFY = (p: string) => `0020008004${ascii(p)}`;

describe('card OS: dispatch and SELECT', () => {
  it('answers unknown CLA 6E00, unknown INS 6D00, chaining 6884, channel 6881', () => {
    const { sw } = makeCard();
    expect(sw('A0A40000')).toBe('6E00');
    expect(sw('FFA40000')).toBe('6E00');
    expect(sw('00FF0000')).toBe('6D00');
    expect(sw('00240180' + '04' + ascii('1111'))).toBe('6D00'); // CHANGE REFERENCE DATA is not offered
    expect(sw('10A40000')).toBe('6884');
    expect(sw('01A40000')).toBe('6881');
  });

  it('selects applications by AID, EFs by FID within the current DF, and the MF', () => {
    const { sw } = makeCard();
    expect(sw('00A4020C020101')).toBe('6A82'); // not in the MF
    expect(sw('00A4020C022F00')).toBe('9000');
    expect(sw('00A4040C05A000000009')).toBe('6A82');
    expect(sw(SELECT_APP)).toBe('9000');
    expect(sw('00A4020C020101')).toBe('9000');
    expect(sw('00A4020C029999')).toBe('6A82');
    expect(sw('00A4020C0101')).toBe('6A87');
    expect(sw('00A4050C020101')).toBe('6A86');
    expect(sw('00A4020802 0101')).toBe('6A86');
    expect(sw('00A40000')).toBe('9000');
    expect(sw('00A4020C020101')).toBe('6A82'); // back in the MF
    expect(sw('00A4000C023F00')).toBe('9000');
  });

  it('returns an FCP template only when asked (P2=00 with Le)', () => {
    const { tx } = makeCard();
    tx(SELECT_APP);
    const r = tx('00A40200020101 00');
    expect(r.subarray(-2).toString('hex')).toBe('9000');
    expect(r[0]).toBe(0x62);
    expect(r.includes(h('80020258'))).toBe(true); // size 600
    expect(tx('00A4020C020101').toString('hex')).toBe('9000');
  });
});

describe('card OS: READ BINARY', () => {
  it('reads with 15-bit offsets, Le 00 = 256, and 6282 at the end of file', () => {
    const { tx, big } = makeCard();
    tx(SELECT_APP);
    tx('00A4020C020101');
    const a = tx('00B0000000');
    expect(a.length).toBe(258);
    expect(a.subarray(0, 256).equals(big.subarray(0, 256))).toBe(true);
    const b = tx('00B0010010');
    expect(b.subarray(0, 16).equals(big.subarray(256, 272))).toBe(true);
    const end = tx('00B0020000'); // offset 512, 88 bytes left
    expect(end.length).toBe(88 + 2);
    expect(end.subarray(-2).toString('hex')).toBe('6282');
    expect(end.subarray(0, 88).equals(big.subarray(512))).toBe(true);
    expect(tx('00B0025800').toString('hex')).toBe('6b00'); // offset 600 = outside
    expect(tx('00B07FFF01').toString('hex')).toBe('6b00');
  });

  it('serves extended Le in one answer, and refuses extended APDUs when told to', () => {
    const { tx, big } = makeCard();
    tx(SELECT_APP);
    tx('00A4020C020101');
    const r = tx('00B00000 000000');
    expect(r.length).toBe(602);
    expect(r.subarray(0, 600).equals(big)).toBe(true);
    expect(r.subarray(-2).toString('hex')).toBe('6282');
    const strict = makeCard({ rejectExtended: true });
    strict.tx(SELECT_APP);
    strict.tx('00A4020C020101');
    expect(strict.tx('00B00000 000258').toString('hex')).toBe('6700');
    expect(strict.tx('00B0000010').subarray(-2).toString('hex')).toBe('9000');
  });

  it('reads by short EF id (P1 = 80|SFI) and makes that EF current', () => {
    const { tx, big } = makeCard();
    tx(SELECT_APP);
    const r = tx('00B0811004');
    expect(r.subarray(0, 4).equals(big.subarray(16, 20))).toBe(true);
    expect(tx('00B0010004').subarray(0, 4).equals(big.subarray(256, 260))).toBe(true);
    expect(tx('00B0850004').toString('hex')).toBe('6a82');
    expect(tx('00B0A10004').toString('hex')).toBe('6a86');
  });

  it('checks Le presence, the current EF, the file structure and access conditions', () => {
    const { tx } = makeCard();
    tx(SELECT_APP);
    expect(tx('00B0000004').toString('hex')).toBe('6986'); // nothing selected
    tx('00A4020C020101');
    expect(tx('00B00000').toString('hex')).toBe('6700'); // no Le
    expect(tx('00B0000001AA').toString('hex')).toBe('6700'); // data field
    tx('00A4020C020110');
    expect(tx('00B0000004').toString('hex')).toBe('6981'); // a PIN EF is not transparent
    tx('00A4020C020102');
    expect(tx('00B0000004').toString('hex')).toBe('6982');
    tx('00A4020C020103');
    expect(tx('00B0000004').toString('hex')).toBe('6982');
  });

  it('refuses a Le above the chip limit when maxReadLength is set (old chips)', () => {
    const { tx } = makeCard({ maxReadLength: 160 });
    tx(SELECT_APP);
    tx('00A4020C020101');
    expect(tx('00B0000000').toString('hex')).toBe('6700');
    expect(tx('00B00000A0').length).toBe(162);
  });
});

describe('card OS: VERIFY and PIN counters', () => {
  it('answers the empty VERIFY with 63Cx without touching the counter', () => {
    const { sw, pin } = makeCard();
    sw(SELECT_APP);
    expect(sw('00200080')).toBe('6A88'); // no PIN EF selected
    sw('00A4020C020110');
    expect(sw('00200080')).toBe('63C3');
    expect(sw('00200080')).toBe('63C3');
    expect(pin.attempts).toBe(0);
    expect(sw('00200180')).toBe('6A86');
    expect(sw('0020008000')).toBe('6700'); // Le on VERIFY
  });

  it('decrements on a wrong PIN, resets on the right one, and grants access', () => {
    const { sw, tx } = makeCard();
    sw(SELECT_APP);
    sw('00A4020C020110');
    expect(sw(VERIFY('0000'))).toBe('63C2');
    expect(sw('00200080')).toBe('63C2');
    expect(sw(VERIFY('4321'))).toBe('9000');
    expect(sw('00200080')).toBe('63C3'); // JPKI-style: the query still answers 63Cx when verified
    sw('00A4020C020102');
    expect(tx('00B0000010').subarray(0, 16).toString()).toBe('secret-after-pin');
  });

  it('locks at zero: 6984 forever, never decremented further, even for the right PIN', () => {
    const { sw, pin } = makeCard();
    sw(SELECT_APP);
    sw('00A4020C020110');
    expect(sw(VERIFY('0000'))).toBe('63C2');
    expect(sw(VERIFY('0001'))).toBe('63C1');
    expect(sw(VERIFY('0002'))).toBe('63C0');
    const attempts = pin.attempts;
    expect(sw(VERIFY('0003'))).toBe('6984');
    expect(sw(VERIFY('4321'))).toBe('6984');
    expect(pin.triesLeft).toBe(0);
    expect(pin.attempts).toBe(attempts);
    expect(sw('00200080')).toBe('63C0');
    sw('00A4020C020102');
    expect(sw('00B0000004')).toBe('6982');
  });

  it('can answer the tries query of a blocked PIN with 6984', () => {
    const { sw } = makeCard(undefined, { triesLeft: 0, queryWhenBlocked: 0x6984 });
    sw(SELECT_APP);
    sw('00A4020C020110');
    expect(sw('00200080')).toBe('6984');
  });

  it('a wrong PIN after a right one clears the security state', () => {
    const { sw } = makeCard();
    sw(SELECT_APP);
    sw('00A4020C020110');
    sw(VERIFY('4321'));
    sw(VERIFY('9999'));
    sw('00A4020C020102');
    expect(sw('00B0000004')).toBe('6982');
  });

  it('clears the security state on reset and on selecting another application, not on EF selection', () => {
    const { sw, card, pin } = makeCard();
    const login = () => {
      sw(SELECT_APP);
      sw('00A4020C020110');
      expect(sw(VERIFY('4321'))).toBe('9000');
    };
    login();
    sw('00A4020C020101');
    sw('00A4020C020102');
    expect(sw('00B0000004')).toBe('9000');
    expect(card.isVerified(pin)).toBe(true);
    card.reset();
    sw(SELECT_APP);
    sw('00A4020C020102');
    expect(sw('00B0000004')).toBe('6982');
    login();
    sw('00A4040C08' + OTHER.toString('hex'));
    sw(SELECT_APP);
    sw('00A4020C020102');
    expect(sw('00B0000004')).toBe('6982');
    login();
    sw('00A40000');
    expect(card.isVerified(pin)).toBe(false);
  });

  it('addresses a PIN by reference (P2 = 80|ref) when the card defines one', () => {
    const { sw } = makeCard();
    sw(SELECT_APP);
    expect(sw('00200090')).toBe('63C3');
    expect(sw('00200091')).toBe('6A88');
    expect(sw('0020009004' + ascii('4321'))).toBe('9000');
  });

  it('keeps the counter across resets (non-volatile)', () => {
    const { sw, card } = makeCard();
    sw(SELECT_APP);
    sw('00A4020C020110');
    sw(VERIFY('0000'));
    card.reset();
    sw(SELECT_APP);
    sw('00A4020C020110');
    expect(sw('00200080')).toBe('63C2');
  });
});

describe('card OS: T=0 quirks and the APDU log', () => {
  it('announces data with 61xx and serves it by GET RESPONSE', () => {
    const { tx, big } = makeCard({ getResponse: true });
    tx(SELECT_APP);
    tx('00A4020C020101');
    expect(tx('00B0000000').toString('hex')).toBe('6100');
    const a = tx('00C0000080');
    expect(a.subarray(-2).toString('hex')).toBe('6180');
    const b = tx('00C0000080');
    expect(b.subarray(-2).toString('hex')).toBe('9000');
    expect(Buffer.concat([a.subarray(0, 128), b.subarray(0, 128)]).equals(big.subarray(0, 256))).toBe(true);
    expect(tx('00C0000010').toString('hex')).toBe('6985'); // nothing pending
    expect(tx('00B0000010').toString('hex')).toBe('6110');
    tx('00A4020C020101'); // any other command discards the pending answer
    expect(tx('00C0000010').toString('hex')).toBe('6985');
    expect(tx('00C0010010').toString('hex')).toBe('6a86');
  });

  it('keeps a warning SW (6282) as the final status after GET RESPONSE', () => {
    const { tx } = makeCard({ getResponse: true });
    tx(SELECT_APP);
    tx('00A4020C020101');
    expect(tx('00B0020000').toString('hex')).toBe('6158');
    expect(tx('00C0000058').subarray(-2).toString('hex')).toBe('6282');
  });

  it('answers 6Cxx when GET RESPONSE asks for more than is there (wrongLe quirk)', () => {
    const { tx } = makeCard({ getResponse: true, wrongLe: true });
    tx(SELECT_APP);
    tx('00A4020C020101');
    expect(tx('00B0000010').toString('hex')).toBe('6110');
    expect(tx('00C0000020').toString('hex')).toBe('6c10');
    expect(tx('00C0000010').subarray(-2).toString('hex')).toBe('9000');
  });

  it('logs every command with its SW, redacting VERIFY data', () => {
    const { tx, card } = makeCard();
    tx(SELECT_APP);
    tx('00A4020C020110');
    tx('00200080');
    tx(VERIFY('4321'));
    tx('00B0');
    const entries = card.log.entries;
    expect(entries.map((e) => e.sw.toString(16))).toEqual(['9000', '9000', '63c3', '9000', '6700']);
    const v = card.log.verifiesWithData();
    expect(v).toHaveLength(1);
    expect(v[0]!.command).toBeNull();
    expect(v[0]!.redacted).toBe(true);
    expect(v[0]!.dataLength).toBe(4);
    const text = card.log.toString();
    expect(text).not.toContain('34 33 32 31');
    expect(text).toContain('<redacted 4 bytes>');
    expect(entries[4]!.parsed).toBe(false);
    card.log.clear();
    expect(card.log.entries).toHaveLength(0);
  });
});
