// The 券面 applications' data authenticity: the 4-info parser against the real bytes of a JPKI test card
// (golden, expected values from the public source), CV certificates and the DF33/DF28 signatures in the
// documented layout (docs/reference/mynumber.md), and the rule that one flipped byte anywhere in the signed
// data or a certificate keeps the result from being verified.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseFaceSignedRecord, parseTextApSignedRecord } from '../../../daemon/documents/mynumber/card-ap-signatures.ts';
import { parseSignedCardKey } from '../../../daemon/documents/mynumber/card-challenge.ts';
import { checkCvCertificateEf } from '../../../daemon/documents/mynumber/cv-certificate.ts';
import { describe, expect, it } from 'vitest';
import { parseBasicInfo } from '../../../daemon/documents/mynumber/basic-info.ts';
import { checkCodeBPlausible, eraBirthDateCandidates } from '../../../daemon/documents/mynumber/check-code-b.ts';
import { cvAnchors } from '../../../daemon/documents/mynumber/cv-anchors.ts';
import { JLIS_CV_CA_KEYS } from '../../../daemon/documents/mynumber/cv-ca-keys.ts';
import { keyIdLabel, parseCvCertificate } from '../../../daemon/documents/mynumber/cv-certificate.ts';
import { assessMyNumberFace } from '../../../daemon/documents/mynumber/mynumber-face-verdict.ts';
import { assessMyNumberInfo } from '../../../daemon/documents/mynumber/mynumber-info-verdict.ts';
import { parseMyNumberConfig } from '../../../daemon/documents/mynumber/mynumber-config.ts';
import { readTextAp } from '../../../daemon/documents/mynumber/text-ap.ts';
import { readVisualAp, type VisualApEvidence } from '../../../daemon/documents/mynumber/visual-ap.ts';
import { noJp2Decoder } from '../../../daemon/images/jp2-to-png.ts';
import { KioskError } from '../../../core/errors.ts';
import { virtualCardTrustConfig } from '../../../drivers/sim/mynumber/index.ts';
import type { TextApEvidence } from '../../../daemon/documents/mynumber/text-ap.ts';
import { fullCard, scriptedPrompt, sessionFor } from './helpers.ts';

const fixture = (name: string) => Buffer.from(readFileSync(new URL(`../../fixtures/mynumber/${name}`, import.meta.url), 'utf8').replace(/\s+/g, ''), 'hex');
const anchors = cvAnchors(virtualCardTrustConfig());

describe('golden: EF 0002 of a JPKI test card (soltia48/myna-card src/ap/text.rs, MIT)', () => {
  const ef = fixture('jpki-test-card-text-ef0002.hex');

  it('parses to the values the public source states', () => {
    const info = parseBasicInfo(ef);
    expect(info).toMatchObject({
      name: '黒桐\u3000幹也',
      address: '東京都清瀬市観布子南１２－７－２０２',
      dateOfBirth: '1980-02-17',
      sex: 'male',
      sexCode: '1',
      offsets: [0x000e, 0x0020, 0x0059, 0x0064],
      offsetsMatchLayout: true,
    });
  });

  it('DF32 covers FF20 value with the DF21 table skipped: DF22 (file offset 0x0E) to the end', () => {
    const info = parseBasicInfo(ef);
    expect(info.hashedRegion.equals(ef.subarray(0x0e))).toBe(true);
    expect(info.hashedRegion.subarray(0, 2).toString('hex')).toBe('df22');
  });

  it('a first offset that disagrees with where 氏名 starts (the source’s own tamper case) is not consistent', () => {
    const bad = Buffer.from(ef);
    bad[7] = 0x0f;
    expect(parseBasicInfo(bad).offsetsMatchLayout).toBe(false);
  });
});

describe('J-LIS CV CA keys (soltia48/myna-card src/ca.rs, MIT)', () => {
  it('key identifiers: 7 digits ‖ 08 05 ‖ "001" ‖ 00 00 00 00; RSA-2048, e = 65537', () => {
    expect(JLIS_CV_CA_KEYS.map((k) => keyIdLabel(Buffer.from(k.keyIdHex, 'hex')))).toEqual(['5000023/001', '5000033/001', '6000023/001', '6000033/001']);
    expect(JLIS_CV_CA_KEYS[1]!.keyIdHex).toBe('35303030303333080530303100000000');
    for (const k of JLIS_CV_CA_KEYS) expect(k.modulusHex).toHaveLength(512);
    // First and last modulus bytes as printed in the source.
    expect(JLIS_CV_CA_KEYS[0]!.modulusHex.slice(0, 4)).toBe('b2f7');
    expect(JLIS_CV_CA_KEYS[1]!.modulusHex.slice(-4)).toBe('597f');
  });

  it('production keys by default; the test hierarchy only with testCards, never silently', () => {
    expect(cvAnchors(undefined).map((a) => keyIdLabel(a.keyId))).toEqual(['5000023/001', '5000033/001']);
    expect(cvAnchors({ testCards: true, cvCaKeys: [] }).map((a) => a.hierarchy)).toEqual(['production', 'production', 'test', 'test']);
    const cfg = virtualCardTrustConfig();
    expect(() => parseMyNumberConfig({ cvCaKeys: cfg.cvCaKeys })).toThrow(/testCards/);
    expect(() => parseMyNumberConfig({ testCards: true, cvCaKeys: [{ ...cfg.cvCaKeys[0], modulus: 'abcd' }] })).toThrow(KioskError);
    expect(() => parseMyNumberConfig({ testCards: true, cvCaKeys: [{ ...cfg.cvCaKeys[0], keyId: '00'.repeat(16) }] })).toThrow(/keyId/);
    expect(parseMyNumberConfig({ ...cfg }).cvCaKeys).toHaveLength(2);
  });
});

async function textEvidence(o: Parameters<typeof fullCard>[0] = {}): Promise<TextApEvidence> {
  const { session } = await sessionFor(fullCard(o).card);
  return readTextAp(session, { prompt: scriptedPrompt('2580') });
}

async function faceEvidence(o: Parameters<typeof fullCard>[0] = {}): Promise<VisualApEvidence> {
  const { session } = await sessionFor(fullCard(o).card);
  return readVisualAp(session, { prompt: scriptedPrompt('02010120354321') });
}

const flip = (b: Buffer, i: number) => {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
};

describe('CV certificate in the documented layout (EF 0004)', () => {
  it('7F21 { 5F4E 297 bytes: issuer id ‖ subject id ‖ 90 03 010001 ‖ 91 82 0100 n, 5F37 256 bytes }', async () => {
    const ev = await textEvidence();
    const ef = ev.cvCertificateEf!;
    expect(ef.subarray(0, 5).toString('hex')).toBe('7f21820233'); // total 0x233 as on the test card
    expect(ef.subarray(5, 10).toString('hex')).toBe('5f4e820129'); // body 297
    const cert = parseCvCertificate(ef);
    expect(keyIdLabel(cert.issuerKeyId)).toBe('6100033/001');
    expect(cert.body.subarray(32, 37).toString('hex')).toBe('9003010001');
    expect(cert.body.subarray(37, 41).toString('hex')).toBe('91820100');
  });

  it('malformed shapes are typed errors (wrong template, short body, short signature)', () => {
    expect(() => parseCvCertificate(Buffer.from('7f2100', 'hex'))).toThrow(KioskError);
    expect(() => parseCvCertificate(Buffer.from('7f2107' + '5f4e01aa5f3700', 'hex'))).toThrow(/body/);
    expect(() => parseCvCertificate(Buffer.from('7f4e00', 'hex'))).toThrow(/7F21/);
  });
});

describe('4-info: DF33 through the CV certificate', () => {
  it('genuine: proven; with production keys only the same card is unknown-ca → failed', async () => {
    const ev = await textEvidence();
    expect(assessMyNumberInfo(ev, anchors)).toMatchObject({ verdict: 'verified', authenticity: 'proven' });
    expect(assessMyNumberInfo(ev)).toMatchObject({ verdict: 'refused', authenticity: 'failed', holder: null, checks: { 'cv-certificate': 'unknown-ca' } });
  });

  it('one flipped byte anywhere in EF 0002, EF 0003, EF 0004 or EF 0007 is never verified', async () => {
    const ev = await textEvidence();
    const files = ['basicInfoEf', 'signatureEf', 'cvCertificateEf', 'cardKeyEf'] as const;
    let tried = 0;
    for (const f of files) {
      const original = ev[f]!;
      for (let i = 0; i < original.length; i++) {
        const r = assessMyNumberInfo({ ...ev, [f]: flip(original, i) }, anchors);
        expect(r.verdict, `${f}[${i}]`).not.toBe('verified');
        expect(r.authenticity, `${f}[${i}]`).toBe('failed');
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(1300);
  });

  it('anti-clone: a chip that signs the challenge with another key is failed; one that refuses it is only chip-read', async () => {
    expect(assessMyNumberInfo(await textEvidence({ forgery: 'clone' }), anchors)).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      checks: { 'card-key': 'valid', 'card-challenge': 'invalid' },
    });
    const quiet = assessMyNumberInfo(await textEvidence({ faults: { challengeStatus: 0x6a86 } }), anchors);
    expect(quiet).toMatchObject({
      verdict: 'chip-read',
      authenticity: 'chip-read',
      checks: { 'issuer-signature': 'valid', 'card-challenge': 'not-supported' },
    });
    const ev = await textEvidence();
    const flipped = Buffer.from(ev.challenge!.signature!);
    flipped[10] = flipped[10]! ^ 1;
    expect(assessMyNumberInfo({ ...ev, challenge: { ...ev.challenge!, signature: flipped } }, anchors).authenticity).toBe('failed');
    expect(assessMyNumberInfo({ ...ev, cardKeyEf: null }, anchors)).toMatchObject({
      verdict: 'chip-read',
      checks: { 'card-key': 'absent', 'card-challenge': 'not-checked' },
    });
  });

  it('a withheld EF 0003 or EF 0004 is not proven', async () => {
    const ev = await textEvidence();
    expect(assessMyNumberInfo({ ...ev, signatureEf: null }, anchors)).toMatchObject({ verdict: 'refused', authenticity: 'failed' });
    expect(assessMyNumberInfo({ ...ev, cvCertificateEf: null }, anchors)).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      checks: { 'cv-certificate': 'absent' },
    });
  });
});

describe('券面AP: DF28 over three digests, DF29/DF2A not covered', () => {
  const assess = (ev: VisualApEvidence) => assessMyNumberFace({ ...ev, faceEf: Buffer.from(ev.faceEf) }, noJp2Decoder, anchors);

  it('one flipped byte in DF21..DF28 or in EF 0004 is never verified; the expiry and code image are unsigned', async () => {
    const ev = await faceEvidence();
    const genuine = await assess(ev);
    expect(genuine).toMatchObject({ verdict: 'verified', authenticity: 'proven', checks: { 'expiry-signed': 'no' } });
    // End of DF28 = start of DF29, found from the DF21 table (the 8th offset).
    const header = ev.faceEf[2]! < 0x80 ? 3 : 3 + (ev.faceEf[2]! & 0x7f);
    const df29 = ev.faceEf.readUInt16BE(header + 3 + 2 * 7);
    expect(ev.faceEf.subarray(df29, df29 + 2).toString('hex')).toBe('df29');
    for (let i = 0; i < df29; i++) {
      const r = await assess({ ...ev, faceEf: flip(ev.faceEf, i) });
      expect(r.verdict, `EF 0002[${i}]`).not.toBe('verified');
    }
    for (let i = 0; i < ev.cvCertificateEf!.length; i++) {
      const r = await assess({ ...ev, cvCertificateEf: flip(ev.cvCertificateEf!, i) });
      expect(r.verdict, `EF 0004[${i}]`).not.toBe('verified');
    }
    // A clone (files copied, key not) fails; a chip that will not answer the challenge is chip-read.
    expect(await assess(await faceEvidence({ forgery: 'clone' }))).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      checks: { 'card-challenge': 'invalid' },
    });
    expect(await assess(await faceEvidence({ faults: { challengeStatus: 0x6a86 } }))).toMatchObject({
      verdict: 'chip-read',
      authenticity: 'chip-read',
      checks: { 'card-challenge': 'not-supported' },
    });
    // A changed expiry digit (inside DF29's value) still verifies: the source documents that DF28 does not cover it.
    const r = await assess({ ...ev, faceEf: flip(ev.faceEf, df29 + 3) });
    expect(r).toMatchObject({ verdict: 'verified', checks: { 'expiry-signed': 'no' } });
  });
});

describe('untrusted card bytes: a typed KioskError or a result, never another exception', () => {
  const typedOrOk = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof KioskError)) throw e;
    }
  };

  it('property: every record parser on truncated, spliced and random versions of genuine files', async () => {
    const text = await textEvidence();
    const face = await faceEvidence();
    const genuine = [text.signatureEf!, text.cvCertificateEf!, text.cardKeyEf!, face.faceEf, text.basicInfoEf];
    fc.assert(
      fc.property(fc.constantFrom(...genuine.keys()), fc.nat(), fc.uint8Array({ maxLength: 40 }), fc.nat(), (which, cut, junk, at) => {
        const g = genuine[which]!;
        const c = cut % (g.length + 1);
        const p = at % (c + 1);
        const b = Buffer.concat([g.subarray(0, p), Buffer.from(junk), g.subarray(p, c)]);
        typedOrOk(() => parseCvCertificate(b));
        typedOrOk(() => parseTextApSignedRecord(b));
        typedOrOk(() => parseFaceSignedRecord(b));
        typedOrOk(() => parseSignedCardKey(b));
        expect(() => checkCvCertificateEf(b, anchors)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });
});

describe('照合番号B: era birth date (soltia48/myna-card src/data.rs, tests/fixtures/README.md)', () => {
  it('the test card’s value: 1980-02-17 (昭和55) ‖ 2035 ‖ 2285 = 55021720352285', () => {
    expect(eraBirthDateCandidates(55, 2, 17)).toEqual(['1980-02-17']);
    expect(checkCodeBPlausible(Buffer.from('55021720352285'))).toBe(true);
  });

  it('Gregorian forms no era reaches, and dates outside their era, are refused', () => {
    expect(checkCodeBPlausible(Buffer.from('80021720352285'))).toBe(false); // 1980 typed as 80
    expect(eraBirthDateCandidates(64, 1, 8)).toEqual([]); // 昭和64年 ended on 1月7日
    expect(eraBirthDateCandidates(64, 1, 7)).toEqual(['1989-01-07']);
    expect(eraBirthDateCandidates(1, 4, 30)).toEqual(['1868-04-30', '1989-04-30']); // not 令和1年4月30日
    expect(eraBirthDateCandidates(31, 5, 1)).toEqual(['1898-05-01', '1956-05-01']); // 明治31, 昭和31 — not 平成31年5月1日 (that day is 令和元年)
    expect(eraBirthDateCandidates(7, 1, 1, new Date('2024-06-01T00:00:00Z'))).toEqual(['1874-01-01', '1918-01-01', '1932-01-01', '1995-01-01']); // 令和7 is future then
  });
});
