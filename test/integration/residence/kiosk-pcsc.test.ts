// Residence cards through the real stack: pcscd + vsmartcard-vpcd + the virtual card over TCP, the
// pcsclite binding, the kiosk runtime with the router (residence handler from the registry factory), the
// card number typed as keypad keys. Both generations: right number, wrong number, card pulled mid-SM,
// corrupted MAC, signature mismatch; plus the chunked path on a card without extended APDUs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcscReaderDriver } from '../../../drivers/reader/pcsc-binding.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import {
  createResidenceCa,
  createVirtualResidenceCard,
  type ResidenceCard,
  type SynthCert,
  type VirtualResidenceOptions,
} from '../../../drivers/sim/residence/index.ts';
import { residenceHandler } from '../../../daemon/documents/residence/residence-flow.ts';
import { routingFlow } from '../../../daemon/documents/router.ts';
import { KioskRuntime, type KeyName } from '../../../daemon/kiosk/runtime.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { startPcscd, type PcscdInstance } from '../../harness/pcscd.ts';
import { waitUntil } from '../../harness/jpki.ts';
import { residenceViewOf } from '../../../daemon/documents/residence/residence-view.ts';

const NUMBER = 'AA12345678BB';
let pcscd: PcscdInstance;
let runtime: KioskRuntime | null = null;
let driver: PcscReaderDriver | null = null;
let client: VpcdClient | null = null;
let states: KioskState[] = [];
const cas = new Map<1 | 2, SynthCert>();

beforeAll(async () => {
  pcscd = await startPcscd();
  cas.set(1, createResidenceCa(1));
  cas.set(2, createResidenceCa(2));
});
afterAll(async () => {
  await pcscd?.stop();
});
afterEach(async () => {
  await client?.close();
  await new Promise((r) => setTimeout(r, 600)); // let pcscd see the removal (see jpki/kiosk-pcsc.test.ts)
  await runtime?.stop();
  await driver?.stop();
  client = runtime = driver = null;
});

async function startKiosk() {
  driver = new PcscReaderDriver({ minBackoffMs: 50, maxBackoffMs: 400 });
  const trust = new TrustStore([cas.get(1)!.x509, cas.get(2)!.x509]);
  const handler = residenceHandler({
    trust: () => trust,
    revocation: { check: async () => ({ status: 'unknown', reason: 'n/a', source: 'none', checkedAt: '' }) } as never,
    now: () => new Date(),
  });
  runtime = new KioskRuntime({ reader: driver, flow: routingFlow([handler]) });
  states = [];
  runtime.events.on('state', (s) => states.push(s));
  runtime.start();
  await waitUntil(() => runtime!.getState().phase === 'idle', 5000, 'idle');
}

function card(o: VirtualResidenceOptions): ResidenceCard {
  return createVirtualResidenceCard({ ca: cas.get(o.generation), ...o }).card;
}

async function present(c: ResidenceCard, opts: ConstructorParameters<typeof VpcdClient>[1] = {}) {
  client = new VpcdClient(c, { port: pcscd.port, ...opts });
  await client.insert();
}

const phase = () => runtime!.getState().phase;
const type = (keys: string) => {
  for (const k of keys) runtime!.key(k as KeyName);
};

/** 決定 on the review screen (issue 19): the card is used only now; then a result, or the review again (mismatch). */
async function confirm(attempt: number) {
  await waitUntil(() => runtime!.getState().entry?.form?.review === true, 5000, 'review');
  runtime!.key('enter');
  await waitUntil(() => phase() === 'result' || runtime!.getState().entry?.form?.mismatch?.attempt === attempt + 1, 8000, 'result or retry');
}

async function enterNumber(n: string) {
  await waitUntil(() => phase() === 'secret-entry', 5000, 'card-number entry');
  expect(runtime!.getState().entry).toMatchObject({ purpose: 'residence-card-number', format: { kind: 'alnum', min: 12, max: 12 }, triesLeft: null });
  type(n);
  runtime!.key('enter');
  await confirm(1);
  return runtime!.getState().result!;
}

describe.each([1, 2] as const)('residence card generation %i through pcscd + vpcd', (generation) => {
  it('right number: verified with the residence view; the number reaches the screen state only as typed', async () => {
    await startKiosk();
    const c = card({ generation });
    await present(c);
    const r = await enterNumber(NUMBER);
    expect(r).toMatchObject({
      outcome: 'verified',
      authenticity: 'proven',
      holderBinding: 'printed-number-only',
      document: 'residence',
      reasons: [],
      residence: { generation },
    });
    if (generation === 2) expect(residenceViewOf(r)).toMatchObject({ kind: 'residence-card', expiry: { card: 'valid', periodOfStay: 'valid' } });
    // 1st gen signs images only: the kind is not proven by the signature and is never shown as if it were.
    else expect(residenceViewOf(r)!.kind).toBe('unproven');
    // DF3 (check code + certificate) is read at SFI 02 after SELECT DF3 — 00 B0 82 00 00 00 00 as in the ISA
    // Appendix 2 example — never at SFI 01.
    const plainReads = c.log.filter((e) => e.cla === 0x00 && e.ins === 0xb0 && e.p1 !== null && (e.p1 & 0x80) !== 0);
    const df3Select = c.log.entries.findIndex((e) => e.ins === 0xa4 && e.command?.toString('hex').toUpperCase().endsWith('D392F0004F0400000000000000000000'));
    expect(df3Select).toBeGreaterThan(0);
    const afterDf3 = c.log.entries.slice(df3Select + 1);
    expect(afterDf3.map((e) => e.command?.toString('hex').toUpperCase())).toEqual(['00B08200000000']);
    // The example answers 90 00; the generic card OS of the simulator says 62 82 (end of file before Ne =
    // 65536 bytes), which ISO 7816-4 also allows — the reader takes both.
    expect([0x9000, 0x6282]).toContain(afterDf3[0]!.sw);
    expect(afterDf3[0]!.responseLength).toBe(generation === 1 ? 1464 : 704);
    expect(plainReads.length).toBeGreaterThan(1);
    // whole-file extended SM reads went through pcscd + vpcd (one per DF1 file)
    expect(c.counts).toMatchObject({ getChallenge: 1, mutualAuth: 1, verify: 1, smRead: 2 });
    // The card number is printed on the card: the screen shows it as typed (issue 19), and only while entering.
    // (typing it, then its review before the card is used)
    expect([...new Set(states.filter((x) => JSON.stringify(x).includes(NUMBER)).map((x) => x.phase))]).toEqual(['secret-entry']);
    expect(JSON.stringify(r)).not.toMatch(/19900101|dateOfBirth|address/);
  });

  it('wrong number: back to the review with the number kept, the card still on the reader; corrected: verified', async () => {
    await startKiosk();
    const c = card({ generation });
    await present(c);
    expect(await enterNumber('ZZ99999999ZZ')).toBeNull();
    expect(runtime!.getState().entry?.form).toMatchObject({ review: true, mismatch: { attempt: 2, max: 3 }, fields: [{ value: 'ZZ99999999ZZ' }] });
    expect(c.counts).toMatchObject({ mutualAuth: 1, mutualAuthFailed: 1, verify: 0 });
    runtime!.editField(0);
    await waitUntil(() => runtime!.getState().entry?.typed === 'ZZ99999999ZZ', 5000, 'the field, value kept');
    runtime!.key('clear');
    type(NUMBER);
    runtime!.key('enter');
    await confirm(2);
    expect(runtime!.getState().result).toMatchObject({ outcome: 'verified', document: 'residence' });
    expect(c.counts).toMatchObject({ mutualAuth: 2, mutualAuthFailed: 1, verify: 1 });
  });

  it('three wrong numbers: refused, no fourth attempt, never a VERIFY', async () => {
    await startKiosk();
    const c = card({ generation });
    await present(c);
    expect(await enterNumber('ZZ99999999ZZ')).toBeNull();
    await confirm(2);
    await confirm(3);
    expect(runtime!.getState().result).toMatchObject({ outcome: 'refused', reasons: ['RESIDENCE_CARD_NUMBER_WRONG'] });
    expect(c.counts).toMatchObject({ mutualAuth: 3, mutualAuthFailed: 3, verify: 0 });
  });

  it('card pulled mid-SM: CARD_REMOVED, and the kiosk returns to idle', async () => {
    await startKiosk();
    const c = card({ generation });
    let cl: VpcdClient;
    cl = new VpcdClient(c, {
      port: pcscd.port,
      // the first secure-messaging READ BINARY never gets an answer: the card leaves the field
      apduDelay: (apdu) => (apdu[0] === 0x08 && apdu[1] === 0xb0 ? cl.remove() : 0),
    });
    client = cl;
    await cl.insert();
    const r = await enterNumber(NUMBER);
    expect(r.outcome).toBe('error');
    expect(r.reasons).toEqual(['CARD_REMOVED']);
    expect(c.counts.verify).toBe(1);
    expect(c.counts.smRead).toBe(0);
    runtime!.key('enter');
    await waitUntil(() => phase() === 'idle', 5000, 'idle');
  });

  it('corrupted MAC from the card: an SM failure, VERIFY never sent', async () => {
    await startKiosk();
    const c = card({ generation, faults: { corruptMac: true } });
    await present(c);
    const r = await enterNumber(NUMBER);
    expect(r).toMatchObject({ outcome: 'error', reasons: ['CARD_SM_FAILED'] });
    expect(c.counts.verify).toBe(0);
  });

  it('signature mismatch (data changed after signing): refused', async () => {
    await startKiosk();
    await present(card({ generation, faults: { tamperedData: true } }));
    const r = await enterNumber(NUMBER);
    expect(r).toMatchObject({ outcome: 'refused', reasons: ['CARD_SIGNATURE_INVALID'] });
  });

  it('reader path without extended APDUs: chunked SM and plain reads, verified', async () => {
    await startKiosk();
    const c = card({ generation, quirks: { rejectExtended: true } });
    await present(c);
    const r = await enterNumber(NUMBER);
    expect(r.outcome).toBe('verified');
    expect(c.counts.smRead).toBeGreaterThan(2);
  });
});

// The card type byte is outside the issuer signature: a genuine card with only that byte changed (gen 1
// '1'→'2', gen 2 '05'→'06') must never end proven as the other kind (issue 14.3).
describe('type byte changed on a genuine card (adversarial), through pcscd + vpcd', () => {
  it("gen 2 residence card presenting '06': refused, authenticity failed, never shown as 特別永住者証明書", async () => {
    await startKiosk();
    await present(card({ generation: 2, cardType: '05', presentedCardType: '06' }));
    const r = await enterNumber(NUMBER);
    expect(r).toMatchObject({
      outcome: 'refused',
      authenticity: 'failed',
      reasons: ['RESIDENCE_CARD_KIND_MISMATCH'],
      checks: { 'issuer-signature': 'valid', 'card-kind': 'mismatch' },
    });
    expect(residenceViewOf(r)!.kind).not.toBe('special-permanent-resident');
  });
  it("gen 2 SPR certificate presenting '05': refused, never shown as 在留カード", async () => {
    await startKiosk();
    await present(card({ generation: 2, cardType: '06', presentedCardType: '05' }));
    const r = await enterNumber(NUMBER);
    expect(r).toMatchObject({ outcome: 'refused', authenticity: 'failed', reasons: ['RESIDENCE_CARD_KIND_MISMATCH'] });
    expect(residenceViewOf(r)!.kind).not.toBe('residence-card');
  });
  it("gen 1 residence card presenting '2': the data is proven, the kind is reported unproven — never 特別永住者証明書", async () => {
    await startKiosk();
    await present(card({ generation: 1, cardType: '1', presentedCardType: '2' }));
    const r = await enterNumber(NUMBER);
    expect(r).toMatchObject({
      outcome: 'verified',
      authenticity: 'proven',
      residence: { cardType: '2', kind: 'unproven' },
      checks: { 'card-kind': 'unproven' },
    });
  });
});

describe('unsupported and expired', () => {
  it('type 07 (My Number-integrated): refused without asking for the number', async () => {
    await startKiosk();
    await present(card({ generation: 2, cardType: '07' }));
    await waitUntil(() => phase() === 'result', 5000, 'result');
    expect(runtime!.getState().result).toMatchObject({ outcome: 'refused', reasons: ['RESIDENCE_CARD_TYPE_UNSUPPORTED'] });
    expect(states.some((s) => s.phase === 'secret-entry')).toBe(false);
  });
  it('expired period of stay: refused with the reason', async () => {
    await startKiosk();
    await present(card({ generation: 2, expiredStay: true }));
    const r = await enterNumber(NUMBER);
    expect(r).toMatchObject({ outcome: 'refused', reasons: ['RESIDENCE_STAY_EXPIRED'], residence: { expiry: { periodOfStay: 'expired' } } });
  });
});
