// The residence-card protocol against the virtual card on the in-process reader: both generations,
// extended and chunked reads, T=0 transport, wrong number, corrupted MAC/SM data, unsupported types.
import { describe, expect, it } from 'vitest';
import { readResidence } from '../../../daemon/documents/residence/read-residence.ts';
import { readCardType } from '../../../daemon/documents/residence/card-access.ts';
import { assessResidence } from '../../../daemon/documents/residence/residence-verdict.ts';
import { KioskError } from '../../../core/errors.ts';
import { createVirtualMyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import { withLink } from '../../../drivers/sim/iso7816/link.ts';
import { promptWith, residenceCard, sessionFor, trustBoth } from './helpers.ts';

const NUMBER = 'AA12345678BB';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KioskError) return e.code;
    throw e;
  }
  return 'no error';
}

describe.each([1, 2] as const)('generation %i', (generation) => {
  it.each([
    ['extended APDUs', 'auto', {}],
    ['short chunks only', 'never', {}],
    ['auto, card refuses extended (fallback)', 'auto', { rejectExtended: true }],
    ['T=0 style card (61xx/6Cxx)', 'auto', { getResponse: true, wrongLe: true }],
  ] as const)('right number, %s: verified', async (_n, extended, quirks) => {
    const { card } = residenceCard({ generation, quirks });
    const { session, log } = await sessionFor(card, extended);
    const prompt = promptWith(NUMBER);
    const ev = await readResidence(session, { prompt, extended });
    expect(prompt.calls).toBe(1);
    expect(ev.generation).toBe(generation);
    expect(ev.extendedApdus).toBe(extended === 'auto' && !('rejectExtended' in quirks));
    const { result } = assessResidence(ev, { trust: trustBoth(), at: new Date() });
    expect(result).toMatchObject({ verdict: 'verified', issuerSignature: 'valid', chain: 'valid', reasons: [] });
    expect(card.counts).toMatchObject({ getChallenge: 1, mutualAuth: 1, verify: 1 });
    // The card number never appears in the exchange log (it travels encrypted only).
    const text = JSON.stringify(log);
    expect(text).not.toContain(Buffer.from(NUMBER).toString('hex').toUpperCase());
    expect(text).not.toContain(NUMBER);
  });

  it('a link that returns at most 0xDF bytes per response, no extended APDUs: chunks shrink after 67 00, verified', async () => {
    const { card } = residenceCard({ generation });
    const { session, log } = await sessionFor(withLink(card, { noExtended: true, maxLe: 0xdf }), 'never');
    const ev = await readResidence(session, { prompt: promptWith(NUMBER), extended: 'never' });
    expect(assessResidence(ev, { trust: trustBoth(), at: new Date() }).result.verdict).toBe('verified');
    // Every answer that carried data fitted the link's limit; 67 00 came at most once per file before shrinking.
    expect(log.filter((r) => r.sw === 0x6700).length).toBeLessThanOrEqual(6);
    expect(log.filter((r) => r.sw === 0x6700).length).toBeGreaterThan(0);
  });

  it('lower-case entry is upper-cased first', async () => {
    const { card } = residenceCard({ generation });
    const { session } = await sessionFor(card);
    await readResidence(session, { prompt: promptWith(NUMBER.toLowerCase()) });
    expect(card.numberVerified).toBe(true);
  });

  it('wrong number: one MUTUAL AUTHENTICATE, 63 00, no VERIFY, no retry, no other-generation crypto', async () => {
    const { card } = residenceCard({ generation });
    const { session, log } = await sessionFor(card);
    const prompt = promptWith('AA12345678BC');
    expect(await code(readResidence(session, { prompt }))).toBe('RESIDENCE_CARD_NUMBER_WRONG');
    expect(prompt.calls).toBe(1);
    expect(card.counts).toMatchObject({ getChallenge: 1, mutualAuth: 1, mutualAuthFailed: 1, verify: 0 });
    expect(log.filter((r) => r.command.startsWith('0082'))).toHaveLength(1);
    expect(log.at(-1)!.sw).toBe(0x6300);
  });

  it('malformed number: refused before GET CHALLENGE', async () => {
    const { card } = residenceCard({ generation });
    const { session, log } = await sessionFor(card);
    expect(await code(readResidence(session, { prompt: promptWith('A112345678BB') }))).toBe('PIN_FORMAT');
    expect(log.some((r) => r.command.startsWith('0084'))).toBe(false);
    expect(card.counts.getChallenge).toBe(0);
  });

  it('corrupted M.ICC: secure messaging failure before VERIFY is sent', async () => {
    const { card } = residenceCard({ generation, faults: { corruptMac: true } });
    const { session } = await sessionFor(card);
    expect(await code(readResidence(session, { prompt: promptWith(NUMBER) }))).toBe('CARD_SM_FAILED');
    expect(card.counts.verify).toBe(0);
  });

  it('corrupted SM ciphertext: refused as an SM failure (padding/data check)', async () => {
    const { card } = residenceCard({ generation, faults: { corruptSmData: true } });
    const { session } = await sessionFor(card);
    expect(await code(readResidence(session, { prompt: promptWith(NUMBER) }))).toBe('CARD_SM_FAILED');
  });

  it('card side: DF1 is SM-only, DF2/DF3 need the verified number', async () => {
    const { card } = residenceCard({ generation });
    const { session } = await sessionFor(card);
    await session.selectAid(Buffer.from('D392F0004F0200000000000000000000', 'hex'));
    expect((await session.send({ cla: 0, ins: 0xb0, p1: generation === 1 ? 0x85 : 0x83, p2: 0, le: 256 })).sw).toBe(0x6982);
    expect(
      (await session.send({ cla: 8, ins: 0xb0, p1: generation === 1 ? 0x85 : 0x83, p2: 0, data: Buffer.from('96020000', 'hex'), le: 65536 }, true)).sw,
    ).toBe(0x6982);
    await session.selectAid(Buffer.from('D392F0004F0400000000000000000000', 'hex'));
    // DF3/EF01 at SFI 02 on both generations (ISA Appendix 2: `00 B0 82 00 00 00 00`).
    expect((await session.send({ cla: 0, ins: 0xb0, p1: 0x82, p2: 0, le: 256 })).sw).toBe(0x6982);
    expect((await session.send({ cla: 0, ins: 0x82, p1: 0, p2: 0, data: Buffer.alloc(40), le: 256 })).sw).toBe(0x6985); // no challenge
  });
});

describe('card types', () => {
  it.each(['07', '08'] as const)('type %s (My Number-integrated) is refused with a clear reason, without asking the number', async (cardType) => {
    const { card } = residenceCard({ generation: 2, cardType });
    const { session } = await sessionFor(card);
    const prompt = promptWith(NUMBER);
    const err = await readResidence(session, { prompt }).catch((e: KioskError) => e);
    expect(err).toBeInstanceOf(KioskError);
    expect((err as KioskError).code).toBe('RESIDENCE_CARD_TYPE_UNSUPPORTED');
    expect((err as KioskError).message).toMatch(/My Number/);
    expect(prompt.calls).toBe(0);
  });

  it.each([
    [1, '1', 'residence-card'],
    [1, '2', 'special-permanent-resident'],
    [2, '05', 'residence-card'],
    [2, '06', 'special-permanent-resident'],
  ] as const)('gen %i type %s is detected as %s', async (generation, cardType, kind) => {
    const { card } = residenceCard({ generation, cardType });
    const { session } = await sessionFor(card);
    expect(await readCardType(session)).toMatchObject({ supported: true, generation, cardType, kind, specVersion: '0001' });
  });

  it('a My Number card is not a residence card', async () => {
    const { card } = createVirtualMyNumberCard();
    const { session } = await sessionFor(card);
    expect(await readCardType(session)).toBeNull();
  });
});
