// The licence decoder against the layouts public readers use on real cards (docs/reference/license.md §6–§8).
// Every byte below is written by hand from the public sources — not produced by our encoder or the sim:
//  - change records: watanabetoshinori/DriverLicenseApp TLVRecord+DriverLicense.swift historyValue (drop the
//    first byte; 7 JIS X 0208 characters of era date; the text; the last 5 characters = 公安委員会) and
//    ViewController.swift displayHistoryData (records after the first, 追記の有無 = tag 50 per
//    soft-studio/NFC_DriversLicenseReader DriversLicenseReader.java);
//  - JIS X 0208 codes: the JIS X 0208 code table (checked against Python's iso2022_jp codec, an
//    implementation independent of ours): ５ 2335, ０ 2330, ７ 2337, ４ 2334, １ 2331, ２ 2332, 山 3B33,
//    田 4544, 横 3223, 浜 494D, 市 3B54, 中 4366, 区 3668, 公 3878, 安 3042, 委 3051, 員 3077, 会 3271, 　 2121;
//  - tag 11 = one binary byte and classes not held = (era)000000: takusan23/JDCardReaderCore;
//  - 外字 tags 48/49: soft-studio parse_tag.
// The kind tag of a change (51 新氏名, 53 新住所 …) is not public: those tests say so and test only that the
// table is used consistently and that an unknown tag never becomes a current name or address.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currentValue, parseChangeRecords } from '../../../daemon/documents/license/changes.ts';
import { parseChangedGaijiFile, parseGaijiFile } from '../../../daemon/documents/license/gaiji.ts';
import { assessLicense, authenticityOf } from '../../../daemon/documents/license/license-verdict.ts';
import { parseMatters, textField } from '../../../daemon/documents/license/matters.ts';
import { checkEf07, parseEf07 } from '../../../daemon/documents/license/signature.ts';
import { KioskError } from '../../../core/errors.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { changeRecordValue } from '../../../drivers/sim/license/holder.ts';
import { createLicenseSigningKey } from '../../../drivers/sim/license/signer.ts';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

// 令和7年04月01日 = ５０７０４０１ (full-width), 平成2年04月01日 = ４０２０４０１.
const DATE_R7_0401 = '2335 2330 2337 2330 2334 2330 2331';
const DATE_H2_0401 = '2334 2330 2332 2330 2334 2330 2331';
const KOUAN = '3878 3042 3051 3077 3271'; // 公安委員会
const YAMADA = '3B33 4544'; // 山田
const YOKOHAMA = '3223 494D 3B54 4366 3668'; // 横浜市中区

// One change = tag ‖ length ‖ 01 (edition) ‖ date (14) ‖ text ‖ 公安委員会 (10).
const NAME_RECORD = `51 1D 01 ${DATE_H2_0401} ${YAMADA} ${KOUAN}`; // 1 + 14 + 4 + 10 = 29 = 1D
const ADDRESS_RECORD = `53 23 01 ${DATE_R7_0401} ${YOKOHAMA} ${KOUAN}`; // 1 + 14 + 10 + 10 = 35 = 23
const EF04 = (...records: string[]) => {
  const body = hex(`50 01 01 ${records.join(' ')} FF`);
  return Buffer.concat([body, Buffer.alloc(640 - body.length)]);
};

describe('EF04 change records in the public layout (hand-derived bytes)', () => {
  it('one TLV per change: edition byte, 7-character era date, text, 公安委員会', () => {
    const rec = parseChangeRecords(EF04(NAME_RECORD, ADDRESS_RECORD), 'DF1/EF04');
    expect(rec.appended).toBe(true);
    expect(rec.malformed).toEqual([]);
    expect(rec.entries.map((e) => [e.tag, e.jisX0208Edition, e.date, e.value.plain, e.value.invalid, e.commission.plain])).toEqual([
      [0x51, 1, '1990-04-01', '山田', false, '公安委員会'],
      [0x53, 1, '2025-04-01', '横浜市中区', false, '公安委員会'],
    ]);
  });

  it('the edition byte is not text: the old "separate TLVs" reading would have shown mojibake, this one does not', () => {
    const [e] = parseChangeRecords(EF04(ADDRESS_RECORD), 'DF1/EF04').entries;
    expect(e!.value.plain).toBe('横浜市中区');
    expect(e!.value.plain).not.toMatch(/[\uFFFD〓]/);
  });

  it('the current name and address are the last change of each kind; the value at issue otherwise', () => {
    const m = parseMatters(hex(`12 04 ${'382B 4B5C'} 17 04 ${'3F37 3F37'}`)); // 見本 / 新新 at issue
    const rec = parseChangeRecords(EF04(NAME_RECORD, ADDRESS_RECORD), 'DF1/EF04');
    // Kind tags 51/53 are OUR table (UNVERIFIED): the test checks that the table is applied, not the police's numbers.
    expect(currentValue(textField(m, 'name'), rec.entries, 'newName')).toMatchObject({
      changed: true,
      changedOn: '1990-04-01',
      status: 'changed',
      value: { plain: '山田' },
    });
    expect(currentValue(textField(m, 'address'), rec.entries, 'newAddress')).toMatchObject({
      changed: true,
      status: 'changed',
      value: { plain: '横浜市中区' },
    });
    const none = parseChangeRecords(EF04(), 'DF1/EF04');
    expect(none).toEqual({ appended: true, entries: [], malformed: [] });
    expect(currentValue(textField(m, 'address'), none.entries, 'newAddress')).toMatchObject({ changed: false, status: 'at-issue', value: { plain: '新新' } });
  });

  it('a record too short for the layout, or with a date that is not a date, is reported and skipped; the rest stays', () => {
    const short = '56 07 01 2335 2330 2337'; // edition + 3 characters only
    const badDate = `56 19 01 2335 2331 2333 2333 2332 2330 2331 ${KOUAN}`; // ５１３３２０１: month 33
    const rec = parseChangeRecords(EF04(NAME_RECORD, short, badDate, ADDRESS_RECORD), 'DF1/EF04');
    expect(rec.entries.map((e) => e.value.plain)).toEqual(['山田', '横浜市中区']);
    expect(rec.malformed.map((m) => [m.tag, m.kind, m.offset])).toEqual([
      [0x56, 'remark', 3 + 31],
      [0x56, 'remark', 3 + 31 + 9],
    ]);
  });

  it('a record of an unknown kind, or an unreadable one of a kind that matters, leaves the current value undetermined', () => {
    const rec = parseChangeRecords(EF04(`5E 1D 01 ${DATE_H2_0401} ${YAMADA} ${KOUAN}`), 'DF1/EF04');
    expect(rec.entries[0]!.kind).toBe('unknown');
    expect(currentValue(null, rec.entries, 'newAddress', ['unknown'])).toEqual({ value: null, changedOn: null, changed: false, status: 'undetermined' });
    expect(currentValue(null, rec.entries, 'newName', ['newName'])).toMatchObject({ status: 'undetermined' });
    expect(currentValue(null, rec.entries, 'newAddress', ['remark'])).toMatchObject({ status: 'at-issue' });
  });

  it('the virtual licence writes exactly these bytes for the same change (sim checked against the public layout, not against our reader)', () => {
    const v = changeRecordValue({ kind: 'newAddress', date: '2025-04-01', value: '横浜市中区', commission: '公安委員会' });
    expect(v.toString('hex')).toBe(hex(ADDRESS_RECORD).subarray(2).toString('hex'));
  });

  it('EF06 (本籍): every change is a new 本籍 whatever its tag', () => {
    const body = hex(`50 01 01 51 23 01 ${DATE_R7_0401} ${YOKOHAMA} ${KOUAN} FF`);
    const rec = parseChangeRecords(Buffer.concat([body, Buffer.alloc(256 - body.length)]), 'DF1/EF06', 'EF06');
    expect(rec.entries.map((e) => [e.kind, e.value.plain])).toEqual([['newHonseki', '横浜市中区']]);
  });
});

describe('DF1/EF01 details from the public readers (hand-derived bytes)', () => {
  it('tag 11 is one binary byte; classes read (era)000000 when not held', () => {
    const m = parseMatters(hex('11 01 03  25 07 35303030303030  26 07 34323230343031  2B 00'));
    expect(m.fields.jisX0208Edition).toEqual({ kind: 'byte', value: 3 });
    expect(m.fields.large).toEqual({ kind: 'class-date', value: { held: false, date: null, raw: '5000000' } });
    expect(m.fields.ordinary).toEqual({ kind: 'class-date', value: { held: true, date: '2010-04-01', raw: '4220401' } });
    expect(m.fields.moped).toEqual({ kind: 'class-date', value: { held: false, date: null, raw: '' } });
  });

  it('外字 1 and 2 come from tags 48 and 49, whatever their order; other tags are not glyphs', () => {
    const bitmap = (b: number) => Buffer.concat([Buffer.from([0x01]), Buffer.alloc(128, b)]);
    const slot = (tag: number, b: number) => Buffer.concat([Buffer.from([tag, 0x81, 0x81]), bitmap(b)]);
    const glyphs = parseGaijiFile(Buffer.concat([slot(0x49, 0x22), slot(0x60, 0x33), slot(0x48, 0x11)]));
    expect(glyphs.map((g) => [g.index, g.bitmap[0]])).toEqual([
      [2, 0x22],
      [1, 0x11],
    ]);
  });
});

describe('authenticity from EF07', () => {
  it('only "valid" is proven; a key that rejects the signature is failed; a corrupted EF07 fails only where a key could check it', () => {
    const s = (status: Parameters<typeof authenticityOf>[0]['status']) => ({ status, note: '' });
    expect(authenticityOf(s('valid'), true)).toBe('proven');
    expect(authenticityOf(s('unmatched'), true)).toBe('failed');
    expect(authenticityOf(s('malformed'), true)).toBe('failed');
    expect(authenticityOf(s('malformed'), false)).toBe('chip-read');
    for (const st of ['no-key', 'not-read', 'not-checkable'] as const) expect(authenticityOf(s(st), true)).toBe('chip-read');
  });
});

const KIOSK_ERROR_ONLY = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KioskError);
  }
};

describe('untrusted bytes (property): nothing but KioskError, and never proven', () => {
  const bytes = fc.uint8Array({ maxLength: 700 }).map((a) => Buffer.from(a));
  it('parsers of EF03–EF07 and EF01 throw only KioskError on random bytes', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        KIOSK_ERROR_ONLY(() => parseChangeRecords(b, 'EF04'));
        KIOSK_ERROR_ONLY(() => parseChangeRecords(b, 'EF06', 'EF06'));
        KIOSK_ERROR_ONLY(() => parseGaijiFile(b));
        KIOSK_ERROR_ONLY(() => parseChangedGaijiFile(b));
        KIOSK_ERROR_ONLY(() => parseMatters(b));
        KIOSK_ERROR_ONLY(() => parseEf07(b));
      }),
      { numRuns: 400 },
    );
  });

  it('random change records with a valid TLV frame: each record is an entry or a malformed report, never an exception', () => {
    // 5F and 7F open two-byte tags in the licence's TLV rule, so they are not one-byte record tags.
    const record = fc.tuple(
      fc.integer({ min: 0x51, max: 0x7e }).filter((t) => t !== 0x5f),
      fc.uint8Array({ minLength: 1, maxLength: 60 }),
    );
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), (recs) => {
        const body = Buffer.concat([hex('50 01 01'), ...recs.map(([t, v]) => Buffer.concat([Buffer.from([t, v.length]), Buffer.from(v)]))]);
        const r = parseChangeRecords(body, 'EF04');
        expect(r.entries.length + r.malformed.length).toBe(recs.length);
      }),
      { numRuns: 300 },
    );
  });

  it('assessLicense with random EF03–EF07 (a valid EF01): a result, never an exception, never proven without a matching key', async () => {
    const matters = hex(`11 01 01 12 04 382B4B5C 17 04 3F373F37 18 07 35303630343031 1B 07 35313030343031 21 0C 393930303030303030303031 FF`);
    const key = createLicenseSigningKey();
    await fc.assert(
      fc.asyncProperty(fc.array(bytes, { minLength: 6, maxLength: 6 }), async ([gaiji, changes, changedGaiji, signature, honsekiChanges, honseki]) => {
        const r = await assessLicense(
          {
            common: { specVersion: '008', issueDate: '2024-04-01', expiryDate: '2028-04-01', manufacturerId: 1, cryptoFunctionId: 1 },
            pinSetting: 'holder-set',
            pin1TriesBefore: 3,
            pin2TriesBefore: 3,
            files: {
              matters,
              gaiji: gaiji!,
              changes: changes!,
              changedGaiji: changedGaiji!,
              signature: signature!,
              honseki: honseki!,
              honsekiChanges: honsekiChanges!,
              photo: null,
            },
          },
          { at: new Date('2026-01-01T00:00:00Z'), trust: new TrustStore([key.x509]), photoConverter: null },
        );
        expect(r.authenticity).not.toBe('proven');
        expect(r.verdict).not.toBe('verified');
      }),
      { numRuns: 60 },
    );
  });

  it('checkEf07 never says valid for random bytes under a configured key', () => {
    const key = createLicenseSigningKey();
    const files = { matters: Buffer.alloc(880), gaiji: null, honseki: Buffer.alloc(82), photo: Buffer.alloc(40) };
    fc.assert(
      fc.property(bytes, (b) => {
        expect(checkEf07(b, files, new TrustStore([key.x509])).status).not.toBe('valid');
      }),
      { numRuns: 200 },
    );
  });
});
