// ICAO worked examples reproduced value by value (docs/reference/passport.md §11).
import { createECDH, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { aesCmac } from '../../../core/crypto/icao-primitives.ts';
import { bigToBytes, bytesToBig, curveByName, decodeEcPoint } from '../../../daemon/documents/passport/access/ec.ts';
import { checkDigit, mrzInformation, parseMrz } from '../../../daemon/documents/passport/datagroups/mrz.ts';
import { authToken, decryptNonce, pacePasswordKey, runPace } from '../../../daemon/documents/passport/access/pace.ts';
import { kdf, SecureMessaging } from '../../../daemon/documents/passport/access/secure-messaging.ts';
import { parseSecurityInfos } from '../../../daemon/documents/passport/datagroups/security-infos.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const HEX = (b: Buffer) => b.toString('hex').toUpperCase();

describe('MRZ check digits (docs/reference/passport.md §11.5)', () => {
  const cases: [string, number][] = [
    ['520727', 3],
    ['T22000129', 3],
    ['640812', 5],
    ['101031', 8],
    ['L898902C3', 6],
    ['740812', 2],
    ['120415', 9],
    ['D23145890', 7],
    ['AB1234567', 1],
    ['TK0000000', 3],
    ['TZ1234567', 6],
    ['000000000', 0],
    ['<<<<<<<<<', 0],
  ];
  it.each(cases)('%s → %d', (input, d) => expect(checkDigit(input)).toBe(d));

  it('TD3 specimen line 2 composite and fields', () => {
    const l1 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<';
    const l2 = 'L898902C36UTO7408122F1204159ZE184226B<<<<<10';
    const f = parseMrz(l1 + l2);
    expect(f).toMatchObject({
      format: 'TD3',
      documentNumber: 'L898902C3',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      nationality: 'UTO',
      dateOfBirth: '740812',
      dateOfExpiry: '120415',
      checkDigitsValid: true,
    });
    expect(parseMrz(l1 + l2.slice(0, 43) + '1').checkDigitsValid).toBe(false);
  });

  it('TD1 specimen composite 6', () => {
    const f = parseMrz('I<UTOD231458907<<<<<<<<<<<<<<<' + '7408122F1204159UTO<<<<<<<<<<<6' + 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<');
    expect(f).toMatchObject({ format: 'TD1', documentNumber: 'D23145890', checkDigitsValid: true, surname: 'ERIKSSON' });
  });

  it('MRZ information of the PACE example', () => {
    const info = mrzInformation({ documentNumber: Buffer.from('T22000129'), dateOfBirth: Buffer.from('640812'), dateOfExpiry: Buffer.from('101031') });
    expect(info.toString()).toBe('T22000129364081251010318');
  });

  it('refuses malformed inputs before any APDU', () => {
    const k = (d: string, b: string, e: string) => () =>
      mrzInformation({ documentNumber: Buffer.from(d), dateOfBirth: Buffer.from(b), dateOfExpiry: Buffer.from(e) });
    expect(k('t2200', '640812', '101031')).toThrow(/document number/);
    expect(k('T22000129', '641312', '101031')).toThrow(/birth/);
    expect(k('T22000129', '640812', '10103')).toThrow(/expiry/);
    expect(k('TZ1', '640812', '101031')().toString()).toBe('TZ1<<<<<<964081251010318');
  });
});

describe('AES-CMAC (RFC 4493 §4 examples)', () => {
  const key = h('2B7E151628AED2A6ABF7158809CF4F3C');
  const m = h('6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710');
  it.each([
    [0, 'BB1D6929E95937287FA37D129B756746'],
    [16, '070A16B46B4D4144F79BDD9DD04A287C'],
    [40, 'DFA66747DE9AE63030CA32611497C827'],
    [64, '51F0BEBF7E3B9D92FC49741779363CFE'],
  ])('len %d', (n, mac) => expect(HEX(aesCmac(key, m.subarray(0, n)))).toBe(mac));
});

describe('PACE ECDH-GM brainpoolP256r1 AES-128 (9303-11 G.1, docs/reference/passport.md §11.2)', () => {
  const c = curveByName('brainpoolP256r1');
  const cardAccess = h('31 14 30 12 06 0A 04 00 7F 00 07 02 02 04 02 02 02 01 02 02 01 0D');
  const mrz = Buffer.from('T22000129364081251010318');
  const skPcd = h('7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99');
  const eSkPcd = h('A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595');
  const pkPicc = h('04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54');
  const ePkPicc = h('049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094');
  const ePkPcd = h('042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462');

  it('domain parameters match §3.4', () => {
    expect(c.p.toString(16).toUpperCase()).toBe('A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377');
    expect(c.a.toString(16).toUpperCase()).toBe('7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9');
    expect(c.n.toString(16).toUpperCase()).toBe('A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7');
    expect(c.g.x.toString(16).toUpperCase()).toBe('8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262');
  });

  it('k·G on the domain read from OpenSSL agrees with node:crypto', () => {
    const ecdh = createECDH('brainpoolP256r1');
    ecdh.setPrivateKey(skPcd);
    const P = c.Point.BASE.multiply(bytesToBig(skPcd)).toAffine();
    expect(HEX(ecdh.getPublicKey())).toBe('04' + HEX(bigToBytes(P.x, 32)) + HEX(bigToBytes(P.y, 32)));
  });

  it('intermediates value by value', () => {
    expect(parseSecurityInfos(cardAccess).pace[0]).toMatchObject({
      oid: '0.4.0.127.0.7.2.2.4.2.2',
      version: 2,
      parameterId: 13,
      cipher: 'AES-128',
      mapping: 'GM',
    });
    expect(HEX(createHash('sha1').update(mrz).digest())).toBe('7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD');
    const kPi = pacePasswordKey(mrz, 'AES-128');
    expect(HEX(kPi)).toBe('89DED1B26624EC1E634C1989302849DD');
    const s = decryptNonce(kPi, h('95A3A016522EE98D01E76CB6B98B42C3'), 'AES-128');
    expect(HEX(s)).toBe('3F00C4D39D153F2B2A214A078D899B22');
    const Hp = decodeEcPoint(c, pkPicc).multiply(bytesToBig(skPcd));
    const H = Hp.toAffine();
    expect(HEX(bigToBytes(H.x, 32))).toBe('60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5');
    expect(HEX(bigToBytes(H.y, 32))).toBe('0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181');
    const G = c.Point.BASE.multiply(bytesToBig(s)).add(Hp).toAffine();
    expect(HEX(bigToBytes(G.x, 32))).toBe('8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2');
    expect(HEX(bigToBytes(G.y, 32))).toBe('8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522');
    const K = bigToBytes(decodeEcPoint(c, ePkPicc).multiply(bytesToBig(eSkPcd)).toAffine().x, 32);
    expect(HEX(K)).toBe('28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925');
    const kMac = kdf(K, 2, 'AES-128');
    expect(HEX(kdf(K, 1, 'AES-128'))).toBe('F5F0E35C0D7161EE6724EE513A0D9A7F');
    expect(HEX(kMac)).toBe('FE251C7858B356B24514B3BD5F4297D1');
    expect(HEX(authToken(kMac, 'AES-128', '0.4.0.127.0.7.2.2.4.2.2', ePkPicc))).toBe('C2B0BD78D94BA866');
    expect(HEX(authToken(kMac, 'AES-128', '0.4.0.127.0.7.2.2.4.2.2', ePkPcd))).toBe('3ABB9674BCE93C08');
  });

  it('the protocol sends the G.1 APDUs and derives the G.1 session', async () => {
    const answers = [
      h('9000'),
      h('7C12801095A3A016522EE98D01E76CB6B98B42C3 9000'),
      Buffer.concat([h('7C438241'), pkPicc, h('9000')]),
      Buffer.concat([h('7C438441'), ePkPicc, h('9000')]),
      h('7C0A86083ABB9674BCE93C08 9000'),
    ];
    const sent: string[] = [];
    const session = {
      send: async (cmd: { cla: number; ins: number; p1: number; p2: number; data?: Buffer; le?: number }) => {
        sent.push(
          HEX(Buffer.concat([Buffer.from([cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data?.length ?? 0]), cmd.data ?? Buffer.alloc(0)])) + (cmd.le ? '00' : ''),
        );
        const a = answers.shift()!;
        return { data: a.subarray(0, a.length - 2), sw: a.readUInt16BE(a.length - 2) };
      },
    } as unknown as CardSession;
    const scalars = [bytesToBig(skPcd), bytesToBig(eSkPcd)];
    const info = parseSecurityInfos(cardAccess).pace[0]!;
    const r = await runPace(session, info, mrz, { scalar: () => scalars.shift()! });
    expect(sent[0]).toBe('0022C1A412800A04007F00070202040202830101' + '84010D');
    expect(sent[1]).toBe('10860000027C0000');
    expect(sent[2]).toBe(
      '10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00',
    );
    expect(sent[3]).toBe('10860000457C43834104' + HEX(ePkPcd).slice(2) + '00');
    expect(sent[4]).toBe('008600000C7C0A8508C2B0BD78D94BA86600');
    expect(HEX(r.sm.crypto.keys.kEnc)).toBe('F5F0E35C0D7161EE6724EE513A0D9A7F');
    expect(HEX(r.sm.ssc)).toBe('0'.repeat(32));
  });
});

describe('AES secure messaging after PACE (docs/reference/passport.md §11.4)', () => {
  const sm = new SecureMessaging({ cipher: 'AES-128', kEnc: h('A8E85E938514EC67AE33CDA3D43D3C48'), kMac: h('27F1ADEB705A049A305B0C619B14B9B3') });
  const enc = (c: { cla: number; ins: number; p1: number; p2: number; data?: Buffer; le?: number }) =>
    HEX(Buffer.concat([Buffer.from([c.cla, c.ins, c.p1, c.p2, c.data!.length]), c.data!, Buffer.from([0])]));
  it('SELECT, READ BINARY 4, READ BINARY @4 Le 00', () => {
    expect(HEX(sm.crypto.iv(h('00000000000000000000000000000001')))).toBe('C0E5B1015056F14E9E3FBAB270CF2230');
    expect(enc(sm.protect({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: h('011D') }))).toBe(
      '0CA4020C1D87110147EE2E3BD440FB596167F2BB6CD6395E8E08A105747484314BCF00',
    );
    expect(sm.unprotect({ data: h('990290008E085F570BADDD1002D2'), sw: 0x9000 })).toEqual({ data: Buffer.alloc(0), sw: 0x9000 });
    expect(enc(sm.protect({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 }))).toBe('0CB000000D9701048E085D283EC183CBB99800');
    const r = sm.unprotect({ data: h('871101D688D27A6D16F03619E76DCB59C1F1EC990290008E08B7DF9A5982BB1729'), sw: 0x9000 });
    expect(HEX(r.data)).toBe('30820742');
    expect(enc(sm.protect({ cla: 0, ins: 0xb0, p1: 0, p2: 4, le: 256 }))).toBe('0CB000040D9701008E08A893FCA2CD1CB17D00');
  });

  it('fails closed without DO99 / DO8E or with a wrong MAC', () => {
    const mk = () => {
      const s = new SecureMessaging({ cipher: 'AES-128', kEnc: h('A8E85E938514EC67AE33CDA3D43D3C48'), kMac: h('27F1ADEB705A049A305B0C619B14B9B3') });
      s.protect({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: h('011D') });
      return s;
    };
    expect(() => mk().unprotect({ data: h('8E085F570BADDD1002D2'), sw: 0x9000 })).toThrow(/DO99/);
    expect(() => mk().unprotect({ data: h('99029000'), sw: 0x9000 })).toThrow(/DO8E/);
    expect(() => mk().unprotect({ data: h('990290008E085F570BADDD1002D3'), sw: 0x9000 })).toThrow(/MAC/);
    expect(() => mk().unprotect({ data: Buffer.alloc(0), sw: 0x6988 })).toThrow(/plain/);
    // A valid MAC followed by an unauthenticated status object must not be believed.
    expect(() => mk().unprotect({ data: h('990290008E085F570BADDD1002D2 99026A82'), sw: 0x9000 })).toThrow(/after DO8E/);
  });
});
