import { createHash, verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJpkiAuthCa, createMyNumberPki, type MyNumberPki, type TestCertificate } from '../../../drivers/sim/pki.ts';
import { createVirtualMyNumberCard, JPKI_AID, MYNUMBER_ATR, MyNumberCard, profileFromPki, specFromProfile } from '../../../drivers/sim/mynumber/index.ts';
import type { TransportQuirks } from '../../../drivers/sim/iso7816/index.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SELECT_JPKI = '00A4040C0A' + JPKI_AID.toString('hex');
const SHA256_PREFIX = '3031300D060960864801650304020105000420';
const digestInfo = (msg: string) => Buffer.concat([h(SHA256_PREFIX), createHash('sha256').update(msg).digest()]);
const signApdu = (di: Buffer, le = '00') => `802A0080${di.length.toString(16).padStart(2, '0')}${di.toString('hex')}${le}`;
const ascii = (s: string) => Buffer.from(s, 'ascii').toString('hex');

let pki: MyNumberPki;
let ca: TestCertificate;

beforeAll(() => {
  ca = createJpkiAuthCa();
  pki = createMyNumberPki({ authCa: ca, withSigning: true });
});

function card(o: { quirks?: TransportQuirks; triesLeft?: number; badSignature?: boolean } = {}) {
  const { card } = createVirtualMyNumberCard({
    pki,
    pin: '5678',
    triesLeft: o.triesLeft,
    quirks: o.quirks,
    faults: { badSignature: o.badSignature },
    signPassword: 'ABC123',
  });
  const tx = (hex: string) => card.process(h(hex));
  const sw = (hex: string) => tx(hex).subarray(-2).toString('hex').toUpperCase();
  return { card, tx, sw };
}

/** Host-side certificate read as jpki/myna and OpenSC do: 4 bytes, then LLLL + 4 in chunks. */
function readEf(tx: (hex: string) => Buffer, fid: string): Buffer {
  expect(tx('00A4020C02' + fid).toString('hex')).toBe('9000');
  const head = tx('00B0000004');
  expect(head.subarray(-2).toString('hex')).toBe('9000');
  const total = head.readUInt16BE(2) + 4;
  const parts: Buffer[] = [];
  for (let off = 0; off < total; off += 256) {
    const n = Math.min(256, total - off);
    const r = tx(`00B0${off.toString(16).padStart(4, '0')}${(n & 0xff).toString(16).padStart(2, '0')}`);
    expect(r.subarray(-2).toString('hex')).toBe('9000');
    parts.push(r.subarray(0, -2));
  }
  return Buffer.concat(parts);
}

describe('virtual My Number card: JPKI-AP', () => {
  it('has the published ATR and only the JPKI application', () => {
    const { card: c, sw } = card();
    expect(c.atr.equals(MYNUMBER_ATR)).toBe(true);
    expect(c.atr.toString('hex')).toBe('3be000ff8131fe4514');
    expect(sw('00A4040C0AD3921000310001010408')).toBe('6A82'); // text AP is not emulated
    expect(sw(SELECT_JPKI)).toBe('9000');
  });

  it('serves the token and both auth certificates without a PIN', () => {
    const { tx } = card();
    tx(SELECT_JPKI);
    tx('00A4020C020006');
    const tok = tx('00B0000020');
    expect(tok.subarray(0, 32).toString('ascii')).toBe('JPKIAPICCTOKEN2'.padEnd(32, ' '));
    expect(readEf(tx, '000A').equals(pki.authCert.der)).toBe(true);
    expect(readEf(tx, '000B').equals(pki.authCa.der)).toBe(true);
    expect(readEf(tx, '0002').equals(pki.signCa!.der)).toBe(true);
  });

  it('keeps the signing certificate behind the signing password', () => {
    const { tx, sw } = card();
    tx(SELECT_JPKI);
    tx('00A4020C020001');
    expect(sw('00B0000004')).toBe('6982');
    tx('00A4020C02001B');
    expect(sw('00200080')).toBe('63C5');
    expect(sw('0020008006' + ascii('ABC123'))).toBe('9000');
    expect(readEf(tx, '0001').equals(pki.signCert!.der)).toBe(true);
  });

  it('signs a DigestInfo with the auth key after VERIFY 0018, verifiable with the certificate', () => {
    const { tx, sw, card: c } = card();
    tx(SELECT_JPKI);
    tx('00A4020C020018');
    expect(sw('00200080')).toBe('63C3');
    expect(sw('0020008004' + ascii('5678'))).toBe('9000');
    tx('00A4020C020017');
    const r = tx(signApdu(digestInfo('challenge-1')));
    expect(r.subarray(-2).toString('hex')).toBe('9000');
    const sig = r.subarray(0, -2);
    expect(sig.length).toBe(256);
    const cert = new X509Certificate(pki.authCert.der);
    expect(verify('sha256', Buffer.from('challenge-1'), cert.publicKey, sig)).toBe(true);
    expect(verify('sha256', Buffer.from('challenge-2'), cert.publicKey, sig)).toBe(false);
    expect(c.signatureCount).toBe(1);
  });

  it('refuses to sign before VERIFY, after a wrong PIN, after reset, and without the key EF selected', () => {
    const { tx, sw } = card();
    const di = digestInfo('x');
    tx(SELECT_JPKI);
    tx('00A4020C020017');
    expect(sw(signApdu(di))).toBe('6982');
    tx('00A4020C020018');
    expect(sw('0020008004' + ascii('0000'))).toBe('63C2');
    tx('00A4020C020017');
    expect(sw(signApdu(di))).toBe('6982');
    tx('00A4020C020018');
    expect(sw('0020008004' + ascii('5678'))).toBe('9000');
    expect(sw(signApdu(di))).toBe('6981'); // the PIN EF is selected, not the key
    tx('00A4020C02000A');
    expect(sw(signApdu(di))).toBe('6981');
    tx('00A4020C020017');
    expect(sw(signApdu(di, ''))).toBe('6700'); // no Le: the 256-byte answer cannot be returned
    expect(sw('802A0180' + '01AA00')).toBe('6A86');
    expect(sw('002A0080' + '01AA00')).toBe('6D00');
    expect(sw(signApdu(di))).toBe('9000');
    tx('00A4040C0A' + JPKI_AID.toString('hex'));
    tx('00A4020C020017');
    expect(sw(signApdu(di))).toBe('9000'); // reselecting the same AP keeps its security state (ISO)
  });

  it('does not let the signing password unlock the auth key, nor the PIN the signing key', () => {
    const { tx, sw } = card();
    const di = digestInfo('y');
    tx(SELECT_JPKI);
    tx('00A4020C02001B');
    expect(sw('0020008006' + ascii('ABC123'))).toBe('9000');
    tx('00A4020C020017');
    expect(sw(signApdu(di))).toBe('6982');
    tx('00A4020C02001A');
    expect(sw(signApdu(di))).toBe('9000');
  });

  it('a locked PIN stays locked: no decrement, no signature, even with the right PIN', () => {
    const { tx, sw, card: c } = card({ triesLeft: 1 });
    tx(SELECT_JPKI);
    tx('00A4020C020018');
    expect(sw('00200080')).toBe('63C1');
    expect(sw('0020008004' + ascii('1111'))).toBe('63C0');
    expect(sw('0020008004' + ascii('5678'))).toBe('6984');
    expect(sw('0020008004' + ascii('1111'))).toBe('6984');
    expect(c.authPin.triesLeft).toBe(0);
    expect(c.authPin.attempts).toBe(1);
    tx('00A4020C020017');
    expect(sw(signApdu(digestInfo('z')))).toBe('6982');
    expect(c.log.verifiesWithData()).toHaveLength(3);
  });

  it('without signing material: the signing password EF exists (5 tries), the signing cert/key EFs do not', () => {
    const c = new MyNumberCard({ auth: { cert: pki.authCert.der, caCert: pki.authCa.der, privateKey: pki.authCert.privateKey, pin: '5678' } });
    const sw = (hex: string) => c.process(h(hex)).subarray(-2).toString('hex').toUpperCase();
    sw(SELECT_JPKI);
    expect(sw('00A4020C02001B')).toBe('9000');
    expect(sw('00200080')).toBe('63C5');
    expect(sw('00A4020C020001')).toBe('6A82');
    expect(sw('00A4020C02001A')).toBe('6A82');
  });

  it('never offers CHANGE REFERENCE DATA', () => {
    const { tx, sw } = card();
    tx(SELECT_JPKI);
    tx('00A4020C020018');
    expect(sw('0024018004' + ascii('9999'))).toBe('6D00');
    expect(sw('0020008004' + ascii('5678'))).toBe('9000'); // the PIN is unchanged
  });

  it('badSignature returns a same-length signature that does not verify', () => {
    const { tx } = card({ badSignature: true });
    tx(SELECT_JPKI);
    tx('00A4020C020018');
    tx('0020008004' + ascii('5678'));
    tx('00A4020C020017');
    const r = tx(signApdu(digestInfo('m')));
    expect(r.subarray(-2).toString('hex')).toBe('9000');
    expect(r.length).toBe(258);
    expect(verify('sha256', Buffer.from('m'), pki.authCert.publicKey, r.subarray(0, -2))).toBe(false);
  });

  it('T=0 quirks: the signature comes by 61 00 + GET RESPONSE; a wrong Le gets 6C 00', () => {
    const { tx } = card({ quirks: { getResponse: true, wrongLe: true } });
    tx(SELECT_JPKI);
    tx('00A4020C020018');
    tx('0020008004' + ascii('5678'));
    tx('00A4020C020017');
    const di = digestInfo('t0');
    expect(tx(signApdu(di, '80')).toString('hex')).toBe('6c00');
    expect(tx(signApdu(di)).toString('hex')).toBe('6100');
    const r = tx('00C0000000');
    expect(r.subarray(-2).toString('hex')).toBe('9000');
    expect(verify('sha256', Buffer.from('t0'), pki.authCert.publicKey, r.subarray(0, -2))).toBe(true);
  });

  it('loads the same card from a profile JSON (round trip), and rejects a bad profile without echoing the PIN', () => {
    const json = JSON.parse(JSON.stringify(profileFromPki(pki, { pin: '2468', signPassword: 'ZZ9999' })));
    const c = new MyNumberCard(specFromProfile(json));
    const tx = (hex: string) => c.process(h(hex));
    tx(SELECT_JPKI);
    expect(readEf(tx, '000A').equals(pki.authCert.der)).toBe(true);
    tx('00A4020C020018');
    expect(tx('0020008004' + ascii('2468')).toString('hex')).toBe('9000');
    const broken = { ...json, auth: { ...json.auth, pin: '24x8' } };
    expect(() => specFromProfile(broken)).toThrow(/auth\.pin/);
    try {
      specFromProfile(broken);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('24x8');
    }
    expect(() => specFromProfile({ format: 'nope' })).toThrow();
  });
});
