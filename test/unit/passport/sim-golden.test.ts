// The virtual passport's own primitives (drivers/sim/passport, written apart from the reader) against the
// ICAO 9303-11 worked examples: the MRZ information of Appendix D.2, and the generic-mapping arithmetic of
// Appendix G (ECDH on brainpoolP256r1 and DH in the 1024-bit MODP group). The values are the
// specification's (docs/reference/passport.md); a card that got one of them wrong would fail here rather
// than agree with a reader that made the same mistake.
import { describe, expect, it } from 'vitest';
import { mrzCheckDigit, mrzKeyInformation } from '../../../drivers/sim/passport/mrz-key.ts';
import { cardPaceGroup } from '../../../drivers/sim/passport/card-groups.ts';
import { decodeOid, encodeOidValue, intTlv, readTlv, tlv } from '../../../drivers/sim/iso7816/ber-tlv.ts';
import { PassportCard, testHolder } from '../../../drivers/sim/passport/index.ts';
import { PKI } from './helpers.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const HEX = (b: Buffer) => b.toString('hex').toUpperCase();
const big = (s: string) => BigInt('0x' + s.replace(/\s+/g, ''));

describe('the virtual chip replays 9303-11 Appendix D (BAC, then the first protected command)', () => {
  it('answers the published EXTERNAL AUTHENTICATE and MACs the published SELECT answer', () => {
    const random = [h('4608F91988702212'), h('0B4F80323EB3191CB04970CB4052790B')]; // RND.IC, K.IC of D.3
    const card = new PassportCard({
      holder: testHolder({ documentNumber: 'L898902C', dateOfBirth: '690806', dateOfExpiry: '940623' }),
      pki: PKI,
      pace: false,
      ca: false,
      aa: false,
      faceBytes: 500,
      random: () => random.shift()!,
    });
    const apdu = (hex: string) => HEX(card.process(h(hex)));
    expect(apdu('00A4040C07A0000002471001')).toBe('9000');
    expect(apdu('0084000008')).toBe('4608F91988702212' + '9000');
    expect(apdu('0082000028' + '72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2' + '5F1448EEA8AD90A7' + '28')).toBe(
      '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F' + '2F2D235D074D7449' + '9000',
    );
    // D.4: SELECT EF.COM under SM (SSC 887022120C06C226 + 1) and the chip's protected answer (SSC + 2).
    expect(apdu('0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800')).toBe('990290008E08FA855A5D4C50A8ED' + '9000');
    // A host MAC that is off by one bit ends the session (6988), as on real chips.
    expect(apdu('0CB000000D9701048E08ED6705417E96BA5400')).toBe('6988');
  });
});

describe('virtual passport primitives against 9303 worked examples', () => {
  it('Appendix D.2 MRZ information; 9303-3 check digits', () => {
    expect(mrzKeyInformation('L898902C', '690806', '940623').toString()).toBe('L898902C<369080619406236');
    expect(mrzKeyInformation('T22000129', '640812', '101031').toString()).toBe('T22000129364081251010318');
    expect(mrzCheckDigit('L898902C3')).toBe(6); // 9303-3 TD3 specimen composite part
    expect(() => mrzKeyInformation('l898', '690806', '940623')).toThrow();
  });

  it('Appendix G (ECDH, brainpoolP256r1): G~ = s·G + SK_PCD·PK_PICC and the shared x-coordinate', () => {
    const g = cardPaceGroup('ECDH', 13)!;
    const H = g.agree(
      big('7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99'),
      g.decode(h('04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54')),
    );
    const G = g.map(big('3F00C4D39D153F2B2A214A078D899B22'), H);
    expect(HEX(g.publicKey(1n, G))).toBe(
      '04' + '8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2' + '8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522',
    );
    const K = g.secret(
      g.agree(
        big('A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595'),
        g.decode(h('049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094')),
      ),
    );
    expect(HEX(K)).toBe('28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925');
    expect(() => g.decode(h('04' + '00'.repeat(64)))).toThrow(); // off the curve
  });

  it('Appendix G (DH, parameterId 0): g~ = g^s·h and T = g^t', () => {
    const g = cardPaceGroup('DH', 0)!;
    const t = big('5265030F 751F4AD1 8B08AC56 5FC7AC95 2E41618D');
    expect(HEX(g.publicKey(t, g.generator)).slice(0, 16)).toBe('23FB3749EA030D2A');
    const hh = g.agree(
      t,
      g.decode(
        h(`78879F57 225AA808 0D52ED0F C890A4B2 5336F699 AA89A2D3 A189654A F70729E6 23EA5738 B26381E4 DA19E004 706FACE7
      B235C2DB F2F38748 312F3C98 C2DD4882 A41947B3 24AA1259 AC22579D B93F7085 655AF308 89DBB845 D9E6783F E42C9F24
      49400306 254C8AE8 EE9DD812 A804C0B6 6E8CAFC1 4F84D825 8950A91B 44126EE6`),
      ),
    );
    expect(HEX(g.publicKey(1n, g.map(big('FA5B7E3E 49753A0D B9178B7B 9BD898C8'), hh))).slice(0, 32)).toBe('7C9CBFE98F9FBDDA8D143506FA7D9306');
    expect(() => g.decode(Buffer.from([1]))).toThrow();
  });

  it('its BER codec: the 9303 OIDs and multi-byte tags', () => {
    expect(HEX(encodeOidValue('0.4.0.127.0.7.2.2.4.2.2'))).toBe('04007F00070202040202');
    expect(decodeOid(h('04007F00070202040102'))).toBe('0.4.0.127.0.7.2.2.4.1.2');
    expect(HEX(tlv(0x7f49, tlv(0x86, Buffer.alloc(2))))).toBe('7F490486020000');
    expect(HEX(intTlv(128))).toBe('02020080');
    const long = tlv(0x77, Buffer.alloc(300));
    expect(HEX(long.subarray(0, 4))).toBe('7782012C');
    expect(readTlv(long).value.length).toBe(300);
    expect(() => readTlv(h('3080'))).toThrow();
  });
});
