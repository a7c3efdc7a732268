// Parsers of the My Number card data: BER-TLV, the 4 basic info and signature file, the JPKI signing
// certificate's subjectAltName, 照合番号B plausibility, JIS X 0208 coverage. Property tests feed random and
// mutated input: a parser may only answer with data or a KioskError, never crash or return mojibake.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBasicInfoHash, parseBasicInfo, parseDateYYYYMMDD, parseSignatureFile } from '../../../daemon/documents/mynumber/basic-info.ts';
import { checkCodeBPlausible } from '../../../daemon/documents/mynumber/check-code-b.ts';
import { holderText, inJisX0208 } from '../../../daemon/documents/mynumber/holder-text.ts';
import { jpkiDateOfBirth, jpkiSignAttributes, otherNames } from '../../../daemon/documents/mynumber/jpki-sign-san.ts';
import { decodeOid } from '../../../daemon/encoding/asn1.ts';
import { CARD_BER } from '../../../daemon/encoding/ber-tlv.ts';
import { parseVisualAp } from '../../../daemon/documents/mynumber/visual-ap-data.ts';
import { KioskError } from '../../../core/errors.ts';
import { tlv } from '../../../drivers/sim/iso7816/ber-tlv.ts';
import { basicInfoFile, faceFile, SYNTHETIC_FACE_JP2, SYNTHETIC_HOLDER, checkCodeB } from '../../../drivers/sim/mynumber/index.ts';
import { generateRsaKeyPair, issueJpkiSignCert } from '../../../drivers/sim/pki.ts';
import { cas } from './helpers.ts';

const onlyKioskErrors = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof KioskError)) throw e;
  }
};

describe('BER-TLV reader', () => {
  it('reads multi-byte tags and long lengths exactly', () => {
    const b = tlv(0xff20, Buffer.concat([tlv(0xdf21, Buffer.from([1, 2])), tlv(0xdf22, Buffer.alloc(300, 0x41))]));
    const root = CARD_BER.read(b, 0, 't');
    expect(root).toMatchObject({ tag: 0xff20, start: 0, valueStart: 5, end: b.length, constructed: true });
    const kids = CARD_BER.all(b, 't', root.valueStart, root.valueEnd);
    expect(kids.map((k) => [k.tag, k.value.length])).toEqual([
      [0xdf21, 2],
      [0xdf22, 300],
    ]);
  });

  it('rejects indefinite lengths, overruns and truncated tags', () => {
    for (const hex of ['3080', '300500', 'df', 'df21', '5f', '30830100']) {
      expect(() => CARD_BER.read(Buffer.from(hex, 'hex'), 0, 't'), hex).toThrow(KioskError);
    }
  });

  it('property: any bytes give TLVs within bounds or a KioskError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (u) => {
        const b = Buffer.from(u);
        onlyKioskErrors(() => {
          for (const t of CARD_BER.all(b, 't')) {
            expect(t.end).toBeLessThanOrEqual(b.length);
            expect(t.valueStart).toBeLessThanOrEqual(t.end);
          }
        });
      }),
    );
  });

  it('property: encode → decode round-trips tag and value', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x04, 0x30, 0x5f37, 0x7f21, 0xdf22, 0xff20), fc.uint8Array({ maxLength: 600 }), (tag, v) => {
        const b = tlv(tag, Buffer.from(v));
        const t = CARD_BER.read(b, 0, 't');
        expect(t.tag).toBe(tag);
        expect(t.value.equals(Buffer.from(v))).toBe(true);
        expect(t.end).toBe(b.length);
      }),
    );
  });

  it('decodes OIDs (the JPKI SAN arc, 2-byte arcs)', () => {
    expect(decodeOid(Buffer.from('2a83088c9b5508050501', 'hex'), 'oid')).toBe('1.2.392.200149.8.5.5.1');
    expect(decodeOid(Buffer.from('551d11', 'hex'), 'oid')).toBe('2.5.29.17');
    expect(() => decodeOid(Buffer.from('2a83', 'hex'), 'oid')).toThrow(KioskError);
  });
});

describe('4 basic info (text AP EF 0002 / EF 0003)', () => {
  const h = SYNTHETIC_HOLDER;
  it('parses the synthetic holder exactly, incl. 𠮷 and 髙, and the DF21 offsets point at the fields', () => {
    const { file, firstOffset } = basicInfoFile(h);
    const info = parseBasicInfo(file);
    expect(info).toMatchObject({ name: '髙橋 𠮷子', address: h.address, dateOfBirth: '1990-01-01', sex: 'female', sexCode: '2', offsetsMatchLayout: true });
    expect(info.offsets[0]).toBe(firstOffset);
    expect(info.hashedRegion.equals(file.subarray(firstOffset))).toBe(true);
  });

  it('DF32 check: match, mismatch after one changed byte, absent without a signature file', () => {
    const { file, firstOffset } = basicInfoFile(h);
    const digest = createHash('sha256').update(file.subarray(firstOffset)).digest();
    const sigFile = parseSignatureFile(tlv(0xff30, Buffer.concat([tlv(0xdf31, Buffer.alloc(32)), tlv(0xdf32, digest), tlv(0xdf33, Buffer.alloc(256))])));
    expect(checkBasicInfoHash(parseBasicInfo(file), sigFile)).toBe('match');
    const changed = Buffer.from(file);
    changed[changed.length - 1] = 0x31; // sex 2 → 1
    expect(checkBasicInfoHash(parseBasicInfo(changed), sigFile)).toBe('mismatch');
    expect(checkBasicInfoHash(parseBasicInfo(file), null)).toBe('absent');
  });

  it('invalid UTF-8 is an error, never U+FFFD on screen', () => {
    const bad = tlv(
      0xff20,
      Buffer.concat([
        tlv(0xdf22, Buffer.from([0xe9, 0xab])),
        tlv(0xdf23, Buffer.from('a')),
        tlv(0xdf24, Buffer.from('19900101')),
        tlv(0xdf25, Buffer.from('1')),
      ]),
    );
    expect(() => parseBasicInfo(bad)).toThrow(/not valid UTF-8/);
  });

  it('property: any Unicode name and address round-trip without loss', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
        (name, address) => {
          fc.pre(!/\p{Cc}/u.test(name + address) && !/[\0 \u3000]$/u.test(name) && !/[\0 \u3000]$/u.test(address));
          const info = parseBasicInfo(basicInfoFile({ ...h, name, address }).file);
          expect(info.name).toBe(name);
          expect(info.address).toBe(address);
        },
      ),
    );
  });

  it('property: a truncated or bit-flipped file yields a KioskError or a parse, never a crash', () => {
    const { file } = basicInfoFile(h);
    fc.assert(
      fc.property(fc.nat(file.length - 1), fc.nat(255), fc.boolean(), (i, v, truncate) => {
        const b = truncate ? file.subarray(0, i) : Buffer.from(file);
        if (!truncate) b[i] = v;
        onlyKioskErrors(() => parseBasicInfo(b));
      }),
    );
  });

  it('dates: only calendar dates in YYYYMMDD', () => {
    expect(parseDateYYYYMMDD('20000229')).toBe('2000-02-29');
    expect(parseDateYYYYMMDD('19000229')).toBeNull();
    expect(parseDateYYYYMMDD('1990011')).toBeNull();
    expect(parseDateYYYYMMDD('19901301')).toBeNull();
  });
});

describe('JPKI signing certificate subjectAltName (1.2.392.200149.8.5.5.1–.6)', () => {
  const keyPair = generateRsaKeyPair();
  it('reads name, substitutes, sex, date of birth and address from a certificate', () => {
    const cert = issueJpkiSignCert(cas().signCa, {
      keyPair,
      name: '髙橋 𠮷子',
      nameSubstitute: '高橋 吉子',
      address: '東京都𠮷野町',
      addressSubstitute: '東京都吉野町',
      sex: '2',
      dateOfBirth: '419900101',
    });
    expect(jpkiSignAttributes(cert.der)).toEqual({
      name: '髙橋 𠮷子',
      nameSubstitute: '高橋 吉子',
      sexCode: '2',
      sex: 'female',
      dateOfBirthRaw: '419900101',
      dateOfBirth: '1990-01-01',
      address: '東京都𠮷野町',
      addressSubstitute: '東京都吉野町',
    });
  });

  it('a certificate without the arc gives nulls; a repeated type-id is malformed', () => {
    const oid = Buffer.from('060a2a83088c9b5508050501', 'hex');
    const other = (s: string) => tlv(0xa0, Buffer.concat([oid, tlv(0xa0, tlv(0x0c, Buffer.from(s)))]));
    expect(otherNames(tlv(0x30, other('A'))).get('1.2.392.200149.8.5.5.1')).toBe('A');
    expect(() => otherNames(tlv(0x30, Buffer.concat([other('A'), other('B')])))).toThrow(/repeated/);
    expect(otherNames(tlv(0x30, tlv(0x82, Buffer.from('example.jp')))).size).toBe(0);
  });

  it('date-of-birth forms: E‖YYYYMMDD, YYYYMMDD, E‖YYMMDD (era year)', () => {
    expect(jpkiDateOfBirth('419900101')).toBe('1990-01-01');
    expect(jpkiDateOfBirth('19900101')).toBe('1990-01-01');
    expect(jpkiDateOfBirth('4020101')).toBe('1990-01-01'); // 平成2年
    expect(jpkiDateOfBirth('3640107')).toBe('1989-01-07'); // 昭和64年
    expect(jpkiDateOfBirth('x')).toBeNull();
  });

  it('property: random otherName bytes give a map or a KioskError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (u) => {
        onlyKioskErrors(() => otherNames(tlv(0x30, tlv(0xa0, Buffer.from(u)))));
      }),
    );
  });
});

describe('券面AP EF 0002', () => {
  it('parses images, dates and sex, and drops the security-code image', () => {
    const d = parseVisualAp(faceFile(SYNTHETIC_HOLDER, SYNTHETIC_FACE_JP2));
    expect(d).toMatchObject({ dateOfBirth: '1990-01-01', sex: 'female', expiry: '2035-01-01', unexpectedImageFormats: 0 });
    expect(d.faceJpeg2000?.equals(SYNTHETIC_FACE_JP2)).toBe(true);
    expect(d.nameImagePng?.subarray(1, 4).toString()).toBe('PNG');
    expect(Object.keys(d)).not.toContain('securityCodeImage');
  });

  it('a face that is not JPEG 2000 is not passed on', () => {
    const d = parseVisualAp(faceFile(SYNTHETIC_HOLDER, Buffer.from('not an image at all')));
    expect(d.faceJpeg2000).toBeNull();
    expect(d.unexpectedImageFormats).toBe(1);
  });
});

describe('照合番号B and JIS X 0208', () => {
  it('plausibility: era YYMMDD + YYYY + 4 digits', () => {
    // The virtual card composes B from its holder (born 1990-01-01 = 平成2年); the kiosk checks the shape.
    expect(checkCodeB(SYNTHETIC_HOLDER)).toBe('02010120354321');
    expect(checkCodeBPlausible(Buffer.from('02010120354321'))).toBe(true);
    expect(checkCodeBPlausible(Buffer.from('90010120354321'))).toBe(false); // Gregorian 1990: no era year 90
    expect(checkCodeBPlausible(Buffer.from('02130120354321'))).toBe(false); // month 13
    expect(checkCodeBPlausible(Buffer.from('02010119994321'))).toBe(false); // expiry before 2015
    expect(checkCodeBPlausible(Buffer.from('0201012035432'))).toBe(false);
  });

  it('coverage: 𠮷 and 髙 (and NEC/IBM extensions) are outside, level 1/2 kanji and kana inside', () => {
    for (const c of ['亜', '熙', 'ア', 'あ', '〜', 'Ａ', 'A']) expect(inJisX0208(c), c).toBe(true);
    for (const c of ['𠮷', '髙', '﨑', '①', 'ｱ', '😀']) expect(inJisX0208(c), c).toBe(false);
  });

  it('substitution is explicit: the card’s substitute first, else 〓; the original is never changed', () => {
    expect(holderText('髙橋 𠮷子', '高橋 吉子')).toEqual({ text: '髙橋 𠮷子', outsideJisX0208: 2, jisX0208: '高橋 吉子', substitution: 'card-substitute' });
    expect(holderText('髙橋 𠮷子')).toEqual({ text: '髙橋 𠮷子', outsideJisX0208: 2, jisX0208: '〓橋 〓子', substitution: 'geta' });
    expect(holderText('髙橋', '髙橋').substitution).toBe('geta'); // a substitute that is itself outside is not used
    expect(holderText('葛\u{E0100}飾').jisX0208).toBe('葛飾'); // IVS dropped, counted
    expect(holderText('山田 太郎')).toEqual({ text: '山田 太郎', outsideJisX0208: 0, jisX0208: '山田 太郎', substitution: 'none' });
  });
});
