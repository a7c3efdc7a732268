// The three My Number protocols against the virtual card on the in-process reader: right, wrong, locked
// and low-tries secrets; what the card's own counters and APDU log say afterwards; the My Number EFs.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readTextAp, TEXT_AP_AID } from '../../../daemon/documents/mynumber/text-ap.ts';
import { assessMyNumberInfo } from '../../../daemon/documents/mynumber/mynumber-info-verdict.ts';
import { readJpkiSign } from '../../../daemon/documents/mynumber/jpki-sign.ts';
import { assessJpkiSign } from '../../../daemon/documents/mynumber/jpki-sign-verdict.ts';
import { readVisualAp, selectVisualEf } from '../../../daemon/documents/mynumber/visual-ap.ts';
import { assessMyNumberFace } from '../../../daemon/documents/mynumber/mynumber-face-verdict.ts';
import { noJp2Decoder, openJpeg2000Converter } from '../../../daemon/images/jp2-to-png.ts';
import { KioskError } from '../../../core/errors.ts';
import type { RevocationChecker } from '../../../daemon/trust/revocation.ts';
import type { ApduLogEntry } from '../../../drivers/sim/iso7816/index.ts';
import { createVirtualMyNumberCard, virtualCardTrustConfig } from '../../../drivers/sim/mynumber/index.ts';
import { cvAnchors } from '../../../daemon/documents/mynumber/cv-anchors.ts';
import { fullCard, scriptedPrompt, sessionFor, signTrust } from './helpers.ts';

/** The kiosk configured for this process's virtual cards (test hierarchy, their synthetic CA keys). */
const anchors = cvAnchors(virtualCardTrustConfig());

const good: RevocationChecker = { check: async () => ({ status: 'good', source: 'crl', checkedAt: new Date().toISOString() }) };
const unknown: RevocationChecker = { check: async () => ({ status: 'unknown', source: 'none', checkedAt: new Date().toISOString(), reason: 'CRL_STALE' }) };
const hex = (e: ApduLogEntry) => e.command?.toString('hex').toUpperCase() ?? '';
const withData = (card: { log: { entries: ApduLogEntry[] } }) => card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0).length;

async function rejects(p: Promise<unknown>, code: string): Promise<KioskError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(KioskError);
  expect((e as KioskError).code).toBe(code);
  return e as KioskError;
}

describe('券面事項入力補助AP (4 basic info)', () => {
  it('right PIN: the 4 info exactly as stored, DF32 matches, DF33 verifies through the CV certificate', async () => {
    const { card, holder } = fullCard();
    const { session } = await sessionFor(card);
    const prompt = scriptedPrompt('2580');
    const r = assessMyNumberInfo(await readTextAp(session, { prompt }), anchors);
    expect(prompt.requests[0]).toMatchObject({ purpose: 'mynumber-text-pin', triesLeft: 3, maxTries: 3, format: { kind: 'digits', min: 4, max: 4 } });
    expect(r.verdict).toBe('verified');
    expect(r.holder?.name.text).toBe(holder.name);
    expect(r.holder?.address.text).toBe(holder.address);
    expect(r.holder).toMatchObject({ dateOfBirth: '1990-01-01', sex: 'female' });
    expect(r.checks).toEqual({
      pin: 'verified',
      'basic-info-hash': 'match',
      'cv-certificate': 'valid',
      'cv-hierarchy': 'test',
      'issuer-signature': 'valid',
      'mynumber-hash': 'not-checked',
      'card-key': 'valid',
      'card-challenge': 'valid',
      'header-offsets': 'consistent',
    });
    expect(r).toMatchObject({ authenticity: 'proven', holderBinding: 'pin' });
    // EF 0001 of the text AP was never selected, and no answer carried the number.
    expect(card.log.entries.some((e) => hex(e) === '00A4020C020001')).toBe(false);
    expect(JSON.stringify(r)).not.toContain(holder.myNumber);
  });

  it('altered data: DF32 mismatch refuses and withholds the data', async () => {
    const { card } = fullCard({ corruptBasicInfo: true });
    const { session } = await sessionFor(card);
    const r = assessMyNumberInfo(await readTextAp(session, { prompt: scriptedPrompt('2580') }), anchors);
    expect(r).toMatchObject({ verdict: 'refused', holder: null, authenticity: 'failed' });
    expect(r.reasons.map((x) => x.code)).toEqual(['MYNUMBER_INFO_HASH_MISMATCH']);
  });

  it('wrong PIN: one VERIFY, the counter drops by one, the card keeps the rest', async () => {
    const { card } = fullCard();
    const { session } = await sessionFor(card);
    const e = await rejects(readTextAp(session, { prompt: scriptedPrompt('0000'), pinAttempts: 1 }), 'PIN_WRONG');
    expect(e.detail.triesLeft).toBe(2);
    expect(card.text!.pin.triesLeft).toBe(2);
    expect(card.authPin.triesLeft).toBe(3); // separate counters
    expect(withData(card)).toBe(1);
  });

  it('one try left: refused before any VERIFY with data; locked: refused and never decremented further', async () => {
    for (const [tries, code] of [
      [1, 'PIN_TRIES_LOW'],
      [0, 'PIN_LOCKED'],
    ] as const) {
      const { card } = fullCard({ textPinTriesLeft: tries });
      const { session } = await sessionFor(card);
      const prompt = scriptedPrompt('2580');
      await rejects(readTextAp(session, { prompt }), code);
      expect(prompt.requests).toHaveLength(0);
      expect(withData(card)).toBe(0);
      expect(card.text!.pin.triesLeft).toBe(tries);
      expect(card.text!.pin.attempts).toBe(0);
    }
  });

  it('a card without the text AP is unsupported (6A82 to its AID), before any PIN prompt', async () => {
    const { card: full } = fullCard();
    const { card } = createVirtualMyNumberCard({ pki: fullCard().pki });
    await expect((await sessionFor(full)).session.selectAid(TEXT_AP_AID)).resolves.toBe(0x9000);
    const { session } = await sessionFor(card);
    const prompt = scriptedPrompt('2580');
    await rejects(readTextAp(session, { prompt }), 'CARD_UNSUPPORTED');
    expect(prompt.requests).toHaveLength(0);
  });
});

describe('JPKI signature (署名用電子証明書)', () => {
  it('signs SHA-256 of the data with the exact DigestInfo APDU (docs/reference/mynumber.md §4.3) and everything verifies', async () => {
    const { card, holder } = fullCard();
    const { session } = await sessionFor(card);
    const prompt = scriptedPrompt('ABC123XYZ');
    const ev = await readJpkiSign(session, { prompt, data: Buffer.from('abc') });
    expect(prompt.requests[0]).toMatchObject({ purpose: 'jpki-sign-password', triesLeft: 5, maxTries: 5, format: { kind: 'alnum', min: 6, max: 16 } });
    const apdu = card.log.entries.find((e) => e.ins === 0x2a)!;
    expect(hex(apdu)).toBe('802A008033' + '3031300D060960864801650304020105000420' + 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD' + '00');
    const r = await assessJpkiSign(ev, { trust: signTrust(), revocation: good, at: new Date() });
    expect(r).toMatchObject({ verdict: 'verified', dataSignature: 'valid', chain: 'valid', revocation: 'good', reasons: [] });
    expect(r.dataSha256).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(r.holder?.name).toEqual({ text: holder.name, outsideJisX0208: 2, jisX0208: holder.nameSubstitute, substitution: 'card-substitute' });
    expect(r.holder?.address?.jisX0208).toBe(holder.addressSubstitute);
    expect(r.holder).toMatchObject({ dateOfBirth: '1990-01-01', sex: 'female' });
  });

  it('the signing certificate is only readable after the password (the card enforces it)', async () => {
    const { card } = fullCard();
    const { session } = await sessionFor(card);
    await session.selectAid(Buffer.from('D392F000260100000001', 'hex'));
    await session.selectEf(0x0001);
    await rejects(session.readTlvFile('signing certificate'), 'CARD_SECURITY_NOT_SATISFIED');
  });

  it('revocation unknown, bad card signature, untrusted CA: each refuses', async () => {
    const { card } = fullCard({ faults: { badSignature: true } });
    const { session } = await sessionFor(card);
    const ev = await readJpkiSign(session, { prompt: scriptedPrompt('ABC123XYZ'), data: Buffer.from('tx') });
    const r = await assessJpkiSign(ev, { trust: signTrust(), revocation: unknown, at: new Date() });
    expect(r.verdict).toBe('refused');
    expect(r.reasons.map((x) => x.code).sort()).toEqual(['CARD_SIGNATURE_INVALID', 'TRUST_REVOCATION_UNKNOWN']);
    const r2 = await assessJpkiSign(ev, { trust: signTrust(), revocation: good, at: new Date(Date.now() + 20 * 365 * 86400_000) });
    expect(r2.reasons.map((x) => x.code)).toContain('TRUST_CERT_EXPIRED');
  });

  it('wrong password decrements only the signing counter; a locked password is never tried', async () => {
    const { card } = fullCard();
    const { session } = await sessionFor(card);
    await rejects(readJpkiSign(session, { prompt: scriptedPrompt('WRONG1'), data: Buffer.from('x'), passwordAttempts: 1 }), 'PIN_WRONG');
    expect(card.signPin.triesLeft).toBe(4);
    expect(card.authPin.triesLeft).toBe(3);
    const locked = fullCard({ signTriesLeft: 0 }).card;
    const s2 = await sessionFor(locked);
    await rejects(readJpkiSign(s2.session, { prompt: scriptedPrompt('ABC123XYZ'), data: Buffer.from('x') }), 'PIN_LOCKED');
    expect(locked.signPin.attempts).toBe(0);
    expect(locked.signPin.triesLeft).toBe(0);
  });

  it('a malformed password (lower case, too short, symbol) never reaches the card', async () => {
    for (const pw of ['abc123', 'AB12', 'ABC-123']) {
      const { card } = fullCard();
      const { session } = await sessionFor(card);
      await rejects(readJpkiSign(session, { prompt: scriptedPrompt(pw), data: Buffer.from('x') }), 'PIN_FORMAT');
      expect(withData(card)).toBe(0);
    }
  });
});

describe('券面AP (照合番号B)', () => {
  it('right code: images read, face decoded by opj_decompress when present, EF 0005 never selected', async () => {
    const { card } = fullCard();
    const { session } = await sessionFor(card);
    const prompt = scriptedPrompt('02010120354321');
    const ev = await readVisualAp(session, { prompt });
    expect(prompt.requests[0]).toMatchObject({ purpose: 'mynumber-check-code-b', maxTries: null, format: { kind: 'digits', min: 14, max: 14 } });
    const convert = openJpeg2000Converter();
    const r = await assessMyNumberFace(ev, convert ?? noJp2Decoder, anchors);
    expect(r).toMatchObject({
      authenticity: 'proven',
      holderBinding: 'printed-number-only',
      checks: { 'cv-certificate': 'valid', 'issuer-signature': 'valid' },
    });
    expect(r).toMatchObject({ verdict: 'verified', unlockedWith: 'check-code-b', dateOfBirth: '1990-01-01', sex: 'female', expiry: '2035-01-01' });
    expect(r.checks.face).toBe(convert ? 'decoded' : 'not-decoded');
    if (convert) expect(r.facePng!.subarray(1, 4).toString()).toBe('PNG');
    expect(card.log.entries.some((e) => hex(e) === '00A4020C020005')).toBe(false);
    expect(ev.faceEf.every((b) => b === 0)).toBe(true); // wiped after parsing (carried the security-code image)
  });

  it('no decoder: the honest outcome is "not-decoded", the rest still shown', async () => {
    const { card } = fullCard();
    const { session } = await sessionFor(card);
    const r = await assessMyNumberFace(await readVisualAp(session, { prompt: scriptedPrompt('02010120354321') }), noJp2Decoder, anchors);
    expect(r).toMatchObject({ verdict: 'verified', facePng: null, checks: { face: 'not-decoded' } });
    expect(r.nameImagePng).not.toBeNull();
  });

  it('implausible composition (a Gregorian birth year, month 13) is refused locally; wrong code decrements the visual B counter only', async () => {
    const { card } = fullCard();
    const { session } = await sessionFor(card);
    // 1990-01-01 typed the Gregorian way: no era reached year 90, so nothing reaches the card.
    const e = await rejects(readVisualAp(session, { prompt: scriptedPrompt('90010120354321') }), 'PIN_FORMAT');
    expect(e.message).toContain('era');
    await rejects(readVisualAp(session, { prompt: scriptedPrompt('02130120354321') }), 'PIN_FORMAT');
    expect(withData(card)).toBe(0);
    expect(card.visual!.checkCodeB.triesLeft).toBe(10);
    await rejects(readVisualAp(session, { prompt: scriptedPrompt('02010120351111'), attempts: 1 }), 'PIN_WRONG');
    expect(card.visual!.checkCodeB.triesLeft).toBe(9);
    expect(card.text!.checkCodeB.triesLeft).toBe(10);
  });

  it('EF 0005 cannot be selected through the protocol module at all', async () => {
    const { card } = fullCard();
    const { session } = await sessionFor(card);
    await rejects(selectVisualEf(session, 0x0005), 'MYNUMBER_NOT_ALLOWED');
    expect(card.log.entries).toHaveLength(0);
  });

  it('照合番号A only with a permission: text PIN, EF 0001 read, number presented once and never returned', async () => {
    const { card, holder } = fullCard();
    const { session } = await sessionFor(card);
    const prompt = scriptedPrompt('2580');
    const ev = await readVisualAp(session, { prompt, checkCodeA: { legalBasis: 'test: 番号法第19条（合成データ）' } });
    expect(ev.unlockedWith).toBe('check-code-a');
    expect(prompt.requests.map((r) => r.purpose)).toEqual(['mynumber-text-pin']);
    expect(card.visual!.checkCodeA.triesLeft).toBe(10);
    expect(card.log.entries.some((e) => hex(e) === '00A4020C020001')).toBe(true);
    expect(card.log.toString()).not.toContain(
      holder.myNumber
        .split('')
        .map((c) => (0x30 + Number(c)).toString(16).toUpperCase())
        .join(' '),
    );
    const { selectTextEf } = await import('../../../daemon/documents/mynumber/text-ap.ts');
    await rejects(selectTextEf(session, 0x0001, null), 'MYNUMBER_NOT_ALLOWED');
    await rejects(selectTextEf(session, 0x0001, { legalBasis: '' }), 'MYNUMBER_NOT_ALLOWED');
  });
});
