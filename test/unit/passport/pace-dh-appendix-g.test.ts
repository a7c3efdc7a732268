// ICAO Doc 9303-11 (8th ed., 2021) Appendix G, the DH-based PACE generic-mapping worked example
// (id-PACE-DH-GM-AES-CBC-CMAC-128, standardized parameterId 0 = RFC 5114 §2.1 1024-bit MODP group with a
// 160-bit subgroup), replayed against the reader's PACE (daemon/documents/passport/access/pace.ts). Every value is
// the specification's, transcribed in docs/reference/passport.md §11.3; the chip's
// answers are replayed, and the commands the reader sends and the keys it derives are compared with them.
import { describe, expect, it } from 'vitest';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { authToken, decryptNonce, pacePasswordKey, runPace } from '../../../daemon/documents/passport/access/pace.ts';
import { parseSecurityInfos } from '../../../daemon/documents/passport/datagroups/security-infos.ts';
import { paceGroup } from '../../../daemon/documents/passport/access/pace-groups.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const HEX = (b: Buffer) => b.toString('hex').toUpperCase();
const big = (s: string) => BigInt('0x' + s.replace(/\s+/g, ''));

// The published example (MRZ of the G.1/G.2 specimen: T22000129, 640812, 101031).
const MRZ = Buffer.from('T22000129364081251010318');
const CARD_ACCESS = h('3114 3012 060A 04007F0007020204 0102 020102 020100');
const OID = '0.4.0.127.0.7.2.2.4.1.2';
const Z = h('854D8DF5 827FA685 2D1A4FA7 01CDDDCA');
const S = 'FA5B7E3E 49753A0D B9178B7B 9BD898C8';
const K_PI = '89DED1B2 6624EC1E 634C1989 302849DD';
const T_MAP_SK = '5265030F 751F4AD1 8B08AC56 5FC7AC95 2E41618D';
const T_MAP_PK = h(`23FB3749 EA030D2A 25B278D2 A562047A DE3F01B7 4F17A154 02CB7352 CA7D2B3E B71C343D B13D1DEB CE9A3666 DBCFC920
  B49174A6 02CB4796 5CAA73DC 702489A4 4D41DB91 4DE9613D C5E98C94 160551C0 DF86274B 9359BC04 90D01B03 AD54022D
  CB4F57FA D6322497 D7A1E28D 46710F46 1AFE710F BBBC5F8B A166F431 1975EC6C`);
const C_MAP_PK = h(`78879F57 225AA808 0D52ED0F C890A4B2 5336F699 AA89A2D3 A189654A F70729E6 23EA5738 B26381E4 DA19E004 706FACE7
  B235C2DB F2F38748 312F3C98 C2DD4882 A41947B3 24AA1259 AC22579D B93F7085 655AF308 89DBB845 D9E6783F E42C9F24
  49400306 254C8AE8 EE9DD812 A804C0B6 6E8CAFC1 4F84D825 8950A91B 44126EE6`);
const T_EPH_SK = '89CCD99B 0E8D3B1F 11E1296D CA68EC53 411CF2CA';
const T_EPH_PK = h(`907D89E2 D425A178 AA81AF4A 7774EC8E 388C115C AE67031E 85EECE52 0BD91155 1B9AE4D0 4369F29A 02626C86 FBC6747C
  C7BC3526 45B6161A 2A42D44E DA80A08F A8D61B76 D3A154AD 8A5A5178 6B0BC071 47057871 A922212C 5F67F431 73172236
  B7747D16 71E6D692 A3C7D40A 0C3C5CE3 97545D01 5C175EB5 130551ED BC2EE5D4`);
const C_EPH_PK = h(`075693D9 AE941877 573E634B 6E644F8E 60AF17A0 076B8B12 3D920107 4D36152B D8B3A213 F53820C4 2ADC79AB 5D0AEEC3
  AEFB9139 4DA476BD 97B9B14D 0A65C1FC 71A0E019 CB08AF55 E1F72900 5FBA7E3F A5DC4189 9238A250 767A6D46 DB974064
  386CD456 743585F8 E5D90CC8 B4004B1F 6D866C79 CE0584E4 9687FF61 BC29AEA1`);
const H_MAP = `5BABEBEF 5B74E5BA 94B5C063 FDA15F1F 1CDE9487 3EE0A5D3 A2FCAB49 F258D07F 544F13CB 66658C3A FEE9E727 389BE3F6
  CBBBD321 28A8C21D D6EEA3CF 7091CDDF B08B8D00 7D40318D CCA4FFBF 51208790 FB4BD111 E5A968ED 6B6F08B2 6CA87C41
  0B3CE0C3 10CE104E ABD16629 AA48620C 1279270C B0750C0D 37C57FFF E302AE7F`;
const G_MAPPED = `7C9CBFE9 8F9FBDDA 8D143506 FA7D9306 F4CB17E3 C71707AF F5E1C1A1 23702496 84D64EE3 7AF44B8D BD9D45BF 6023919C
  BAA027AB 97ACC771 666C8E98 FF483301 BFA4872D EDE9034E DFACB708 14166B7F 36067682 9B826BEA 57291B5A D69FBC84
  EF1E7790 32A30580 3F743417 93E86974 2D401325 B37EE856 5FFCDEE6 18342DC5`;
const K_SHARED = `6BABC7B3 A72BCD7E A385E4C6 2DB2625B D8613B24 149E146A 629311C4 CA6698E3 8B834B6A 9E9CD718 4BA8834A FF5043D4
  36950C4C 1E783236 7C10CB8C 314D40E5 990B0DF7 013E64B4 549E2270 923D06F0 8CFF6BD3 E977DDE6 ABE4C31D 55C0FA2E
  465E553E 77BDF75E 3193D383 4FC26E8E B1EE2FA1 E4FC97C1 8C3F6CFF FE2607FD`;
const K_ENC = '2F7F46AD CC9E7E52 1B45D192 FAFA9126';
const K_MAC = '805A1D27 D45A5116 F73C5446 9462B7D8';
const T_PCD = 'B46DD9BD 4D98381F'; // the terminal's token, over the chip's ephemeral key
const T_PICC = '917F37B5 C0E6D8D1'; // the chip's token, over the terminal's ephemeral key

describe('PACE DH generic mapping, 9303-11 Appendix G (DH example)', () => {
  it('EF.CardAccess names id-PACE-DH-GM-AES-CBC-CMAC-128 with parameterId 0', () => {
    expect(parseSecurityInfos(CARD_ACCESS).pace[0]).toMatchObject({ oid: OID, version: 2, parameterId: 0, agreement: 'DH', mapping: 'GM', cipher: 'AES-128' });
  });

  it('Kπ and the decrypted nonce', () => {
    const kPi = pacePasswordKey(MRZ, 'AES-128');
    expect(HEX(kPi)).toBe(K_PI.replace(/\s/g, ''));
    expect(HEX(decryptNonce(kPi, Z, 'AES-128'))).toBe(S.replace(/\s/g, ''));
  });

  it('mapping intermediates: T = g^t, h = C^t, g~ = g^s·h (mod p)', () => {
    const grp = paceGroup('DH', 0)!;
    const size = (v: bigint) => Buffer.from(v.toString(16).padStart(256, '0'), 'hex');
    expect(HEX(grp.publicKey(big(T_MAP_SK), grp.generator))).toBe(HEX(T_MAP_PK));
    const hh = grp.agree(big(T_MAP_SK), grp.decode(C_MAP_PK)) as bigint;
    expect(HEX(size(hh))).toBe(H_MAP.replace(/\s/g, ''));
    expect(HEX(size(grp.map(big(S), hh) as bigint))).toBe(G_MAPPED.replace(/\s/g, ''));
    expect(HEX(grp.publicKey(big(T_EPH_SK), grp.map(big(S), hh)))).toBe(HEX(T_EPH_PK));
    expect(HEX(grp.secret(grp.agree(big(T_EPH_SK), grp.decode(C_EPH_PK))))).toBe(K_SHARED.replace(/\s/g, ''));
  });

  it('the tokens over the published ephemeral keys', () => {
    expect(HEX(authToken(h(K_MAC), 'AES-128', OID, C_EPH_PK, 0x84))).toBe(T_PCD.replace(/\s/g, ''));
    expect(HEX(authToken(h(K_MAC), 'AES-128', OID, T_EPH_PK, 0x84))).toBe(T_PICC.replace(/\s/g, ''));
  });

  it('replayed transcript: the reader sends the published public keys and token and derives the published session keys', async () => {
    const answers = [
      h('9000'),
      Buffer.concat([h('7C12 8010'), Z, h('9000')]),
      Buffer.concat([h('7C81 8382 8180'), C_MAP_PK, h('9000')]),
      Buffer.concat([h('7C81 8384 8180'), C_EPH_PK, h('9000')]),
      Buffer.concat([h('7C0A 8608'), h(T_PICC), h('9000')]),
    ];
    const sent: { cla: number; ins: number; data: Buffer }[] = [];
    const session = {
      send: async (cmd: { cla: number; ins: number; data?: Buffer }) => {
        sent.push({ cla: cmd.cla, ins: cmd.ins, data: cmd.data ?? Buffer.alloc(0) });
        const a = answers.shift()!;
        return { data: a.subarray(0, a.length - 2), sw: a.readUInt16BE(a.length - 2) };
      },
    } as unknown as CardSession;
    const scalars = [big(T_MAP_SK), big(T_EPH_SK)];
    const r = await runPace(session, parseSecurityInfos(CARD_ACCESS).pace[0]!, MRZ, { scalar: () => scalars.shift()! });
    // MSE:Set AT: 80 OID, 83 01 (MRZ), 84 00 (parameterId 0).
    expect(HEX(sent[0]!.data)).toBe('800A04007F00070202040102' + '830101' + '840100');
    expect(sent.map((s) => s.cla)).toEqual([0x00, 0x10, 0x10, 0x10, 0x00]);
    expect(HEX(sent[1]!.data)).toBe('7C00');
    expect(HEX(sent[2]!.data)).toBe('7C8183818180' + HEX(T_MAP_PK));
    expect(HEX(sent[3]!.data)).toBe('7C8183838180' + HEX(T_EPH_PK));
    expect(HEX(sent[4]!.data)).toBe('7C0A8508' + T_PCD.replace(/\s/g, ''));
    expect(HEX(r.sm.crypto.keys.kEnc)).toBe(K_ENC.replace(/\s/g, ''));
    expect(HEX(r.sm.crypto.keys.kMac)).toBe(K_MAC.replace(/\s/g, ''));
  });

  it('a chip token that differs in one bit is refused', async () => {
    const bad = h(T_PICC);
    bad[7]! ^= 1;
    const answers = [
      h('9000'),
      Buffer.concat([h('7C12 8010'), Z, h('9000')]),
      Buffer.concat([h('7C81 8382 8180'), C_MAP_PK, h('9000')]),
      Buffer.concat([h('7C81 8384 8180'), C_EPH_PK, h('9000')]),
      Buffer.concat([h('7C0A 8608'), bad, h('9000')]),
    ];
    const session = {
      send: async () => {
        const a = answers.shift()!;
        return { data: a.subarray(0, a.length - 2), sw: a.readUInt16BE(a.length - 2) };
      },
    } as unknown as CardSession;
    const scalars = [big(T_MAP_SK), big(T_EPH_SK)];
    await expect(runPace(session, parseSecurityInfos(CARD_ACCESS).pace[0]!, MRZ, { scalar: () => scalars.shift()! })).rejects.toMatchObject({
      code: 'CARD_AUTH_FAILED',
    });
  });
});
