// The licence card protocol against the virtual licence in process: default PIN used without asking,
// PIN1/PIN2 tries checked before any VERIFY, refusals that never touch a counter, expiry before PINs,
// fixed-size EFs never read past their end, and the verdict each EF07 form can reach.
import { describe, expect, it } from 'vitest';
import { CardSession } from '../../../drivers/reader/card-session.ts';
import type { CardChannel } from '../../../drivers/reader/types.ts';
import { readLicense } from '../../../daemon/documents/license/license-read.ts';
import { assessLicense } from '../../../daemon/documents/license/license-verdict.ts';
import type { SecretRequest } from '../../../daemon/documents/secrets.ts';
import { KioskError } from '../../../core/errors.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { createVirtualLicense, LicenseCard, syntheticHolder } from '../../../drivers/sim/license/index.ts';
import type { TransparentEf } from '../../../drivers/sim/iso7816/index.ts';

function session(card: LicenseCard): CardSession {
  const ch: CardChannel = { readerName: 'mem', atr: card.atr, protocol: 'T1', transmit: async (b) => card.process(b), disconnect: async () => {} };
  return new CardSession(ch);
}

function prompts(values: Record<string, string>) {
  const asked: SecretRequest[] = [];
  const prompt = async (r: SecretRequest) => {
    asked.push(r);
    return Buffer.from(values[r.purpose] ?? '0000', 'latin1');
  };
  return { asked, prompt };
}

const verifiesWithData = (card: LicenseCard) => card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0).length;
const now = () => new Date();

async function read(card: LicenseCard, values: Record<string, string>, withPin2 = false, pinAttempts?: number, trusted = true) {
  const p = prompts(values);
  const ev = await readLicense(session(card), { prompt: p.prompt, withPin2, now: now(), pinAttempts });
  const r = await assessLicense(ev, { at: now(), trust: new TrustStore(trusted ? [card.signingKey.x509] : []), photoConverter: null });
  return { r, asked: p.asked };
}

async function refusal(fn: () => Promise<unknown>): Promise<KioskError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof KioskError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('licence protocol (in process)', () => {
  it('no PIN set: the default **** is used for PIN1 and PIN2 without asking', async () => {
    const card = createVirtualLicense({ pins: 'default' });
    const { r, asked } = await read(card, {}, true);
    expect(asked).toEqual([]);
    // Proven by EF07, but nobody proved they hold the card: the kiosk sent the default PIN itself.
    expect(r).toMatchObject({
      verdict: 'verified',
      authenticity: 'proven',
      holderBinding: 'none',
      pinSetting: 'default',
      pin1TriesBefore: 3,
      pin2TriesBefore: 3,
    });
    expect(r.honseki?.current.value?.plain).toBe(card.holder.honseki);
    expect(r.photo).toMatchObject({ format: 'jpeg2000-codestream', display: 'not-decoded' });
    expect(r.signature.status).toBe('valid');
    expect(verifiesWithData(card)).toBe(2);
  });

  it('holder-set PINs: PIN1 only by default; 本籍 and the photo are not read without PIN2', async () => {
    const card = createVirtualLicense({ pins: { pin1: '2468', pin2: '1357' } });
    const { r, asked } = await read(card, { 'license-pin1': '2468' });
    expect(asked.map((a) => [a.purpose, a.triesLeft, a.maxTries])).toEqual([['license-pin1', 3, 3]]);
    // The signed data includes 本籍 and the photo (PIN2): the key opens the signature, the data is not all here.
    expect(r).toMatchObject({ verdict: 'chip-read', authenticity: 'chip-read', holderBinding: 'pin' });
    expect(r.honseki).toBeNull();
    expect(r.photo).toBeNull();
    expect(r.current?.address).toMatchObject({ changed: true });
    expect(r.current?.address.value?.plain).toBe('神奈川県横浜市中区試験町四丁目５番６号');
    expect(r.signature.status).toBe('not-checkable');
    expect(card.log.entries.some((e) => e.ins === 0x20 && e.p2 === 0x82 && e.dataLength > 0)).toBe(false);
  });

  it('wrong PIN1 with one keypad entry: PIN_WRONG with the tries the card reports, one VERIFY', async () => {
    const card = createVirtualLicense();
    const e = await refusal(() => read(card, { 'license-pin1': '9999' }, false, 1));
    expect(e.code).toBe('PIN_WRONG');
    expect(e.detail.triesLeft).toBe(2);
    expect(card.pin1.triesLeft).toBe(2);
    expect(verifiesWithData(card)).toBe(1);
  });

  it('PIN1 with one try left: refused before any VERIFY and before asking', async () => {
    const card = createVirtualLicense({ pin1TriesLeft: 1 });
    const p = prompts({});
    const e = await refusal(() => readLicense(session(card), { prompt: p.prompt, withPin2: false, now: now() }));
    expect(e.code).toBe('PIN_TRIES_LOW');
    expect(p.asked).toEqual([]);
    expect(verifiesWithData(card)).toBe(0);
    expect(card.pin1.triesLeft).toBe(1);
  });

  it('PIN2 locked when PIN2 is needed: refused before PIN1 is spent', async () => {
    const card = createVirtualLicense({ pin2TriesLeft: 0 });
    const p = prompts({ 'license-pin1': '1234' });
    const e = await refusal(() => readLicense(session(card), { prompt: p.prompt, withPin2: true, now: now() }));
    expect(e.code).toBe('PIN_LOCKED');
    expect(e.detail.pin).toBe('pin2');
    expect(p.asked).toEqual([]);
    expect(card.pin1.attempts + card.pin2.attempts).toBe(0);
  });

  it('expired licence: refused from the free data; no tries query, no VERIFY', async () => {
    const card = createVirtualLicense({ expired: true });
    const { r, asked } = await read(card, { 'license-pin1': '1234' });
    expect(r.verdict).toBe('refused');
    expect(r.reasons.map((x) => x.code)).toEqual(['LICENSE_EXPIRED']);
    expect(asked).toEqual([]);
    expect(card.log.entries.filter((e) => e.ins === 0x20)).toHaveLength(0);
  });

  it('printed matters that disagree with MF/EF01: refused as inconsistent', async () => {
    const card = createVirtualLicense();
    const ef = card.mf.children.find((c) => c.fid === 0x2f01) as TransparentEf;
    ef.data = Buffer.from(ef.data);
    ef.data[8] = ef.data[8] === 0x01 ? 0x02 : 0x01; // 交付年月日's day in MF/EF01 (BCD) no longer matches DF1
    const { r } = await read(card, { 'license-pin1': '1234' });
    expect(r.verdict).toBe('refused');
    expect(r.reasons.map((x) => x.code)).toContain('LICENSE_DATA_INCONSISTENT');
  });

  it('EF06 (256 bytes) and the other fixed-size EFs are never read past their end (the card answers 6700 there)', async () => {
    const card = createVirtualLicense({ pins: 'default' });
    const { r } = await read(card, {}, true);
    expect(r.verdict).toBe('verified');
    const reads = card.log.entries.filter((e) => e.ins === 0xb0);
    expect(reads.some((e) => e.sw === 0x6700)).toBe(false);
    // Every READ BINARY of DF1 stays inside the published sizes (largest 880): no offset at or past 880.
    expect(Math.max(...reads.map((e) => ((e.p1 ?? 0) << 8) | (e.p2 ?? 0)))).toBeLessThan(880);
  });

  it('a photo of unknown size that ends exactly on a chunk: the 6700 at its end is the end of the file, not an error', async () => {
    const holder = syntheticHolder();
    // 5F 40 ‖ 82 01 FB ‖ 507 bytes = 512 bytes: two full 256-byte chunks, then a read at offset 512.
    holder.photo = Buffer.concat([Buffer.from([0xff, 0x4f]), Buffer.alloc(505, 0x5a)]);
    const card = new LicenseCard({ holder, pins: 'default' });
    const { r } = await read(card, {}, true);
    expect(r.photo).toMatchObject({ bytes: 507, format: 'jpeg2000-codestream' });
    expect(r).toMatchObject({ verdict: 'verified', signature: { status: 'valid' } });
    expect(card.log.entries.some((e) => e.ins === 0xb0 && e.sw === 0x6700)).toBe(true);
  });

  it.each([
    ['no key configured', {}, false, 'chip-read', 'chip-read', 'no-key'],
    ['signed by another key', { foreignKey: true }, true, 'refused', 'failed', 'unmatched'],
    ['corrupted signature', { corruptSignature: true }, true, 'refused', 'failed', 'unmatched'],
    ['EF07 not a TLV sequence, key configured', { garbageEf07: true }, true, 'refused', 'failed', 'malformed'],
    ['EF07 not a TLV sequence, no key', { garbageEf07: true }, false, 'chip-read', 'chip-read', 'malformed'],
  ] as const)('forged, %s: never verified', async (_n, o, trusted, verdict, authenticity, status) => {
    const card = createVirtualLicense({ pins: 'default', ...o });
    const { r } = await read(card, {}, true, undefined, trusted);
    expect(r).toMatchObject({ verdict, authenticity, holderBinding: 'none', checks: { 'ef07-signature': status } });
  });

  it('T=0 card (61xx + GET RESPONSE, 6Cxx): the same result', async () => {
    const card = createVirtualLicense({ pins: 'default', quirks: { getResponse: true, wrongLe: true } });
    const { r } = await read(card, {}, true);
    expect(r.verdict).toBe('verified');
    expect(r.glyphs.map((g) => g.index)).toEqual([1]);
  });
});
