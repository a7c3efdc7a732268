// Every マイナンバーカード mode through the real stack: pcscd + vsmartcard-vpcd + the virtual card over TCP,
// the pcsclite binding, the kiosk runtime with the document router and the handler the deployment config
// selects ('mynumber' + mynumber.mode), keys as the keypad sends them. Includes the APDU-recording proof that
// EF 0001 of the text AP (and EF 0005 of the visual AP) is never selected by default.
import { asLogger } from '../../../core/log.ts';
import { usePcscKiosk } from '../../harness/pcsc-kiosk.ts';
import { describe, expect, it } from 'vitest';
import { PcscReaderDriver } from '../../../drivers/reader/pcsc-binding.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import { virtualCardTrustConfig, type MyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import type { ApduLogEntry } from '../../../drivers/sim/iso7816/index.ts';
import { DOCUMENTS } from '../../../daemon/documents/registry.ts';
import { routingFlow } from '../../../daemon/documents/router.ts';
import { parseMyNumberConfig, type MyNumberMode } from '../../../daemon/documents/mynumber/mynumber-config.ts';
import { KioskRuntime, type KeyName } from '../../../daemon/kiosk/runtime.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { revocationGood, waitUntil } from '../../harness/jpki.ts';
import { authTrust, fullCard, signTrust } from '../../unit/mynumber/helpers.ts';
import { cardFaceOf } from '../../../daemon/documents/mynumber/mynumber-view.ts';

const stack = usePcscKiosk();
let states: KioskState[] = [];
let logLines: string[] = [];

async function startKiosk(mode: MyNumberMode, extra: Record<string, unknown> = {}) {
  // The virtual cards' 券面 data is signed under this process's synthetic test-hierarchy CV CA keys.
  const mynumber = parseMyNumberConfig({ mode, ...virtualCardTrustConfig(), ...extra });
  logLines = [];
  const trust = (p: string) => (p === 'jpkiSign' ? signTrust() : p === 'jpkiAuth' ? authTrust() : new TrustStore([]));
  const handler = DOCUMENTS.get('mynumber')!({
    trust,
    revocation: revocationGood,
    now: () => new Date(),
    mynumber,
    log: asLogger((l) => void logLines.push(l)),
  });
  stack.driver = new PcscReaderDriver({ minBackoffMs: 50, maxBackoffMs: 400 });
  stack.runtime = new KioskRuntime({ reader: stack.driver, flow: routingFlow([handler]), log: (l) => logLines.push(l) });
  states = [];
  stack.runtime.events.on('state', (s) => states.push(s));
  stack.runtime.start();
  await waitUntil(() => stack.runtime!.getState().phase === 'idle', 5000, 'idle');
}

async function present(card: MyNumberCard) {
  stack.client = new VpcdClient(card, { port: stack.pcscd.port });
  await stack.client.insert();
}

const phase = () => stack.runtime!.getState().phase;
function type(keys: string) {
  for (const k of keys) stack.runtime!.key(k as KeyName);
  stack.runtime!.key('enter');
}

/** Every SELECT by FID, with the application that was current when it was sent. */
function selects(card: MyNumberCard): { app: string; fid: string }[] {
  let app = 'MF';
  const out: { app: string; fid: string }[] = [];
  for (const e of card.log.entries as ApduLogEntry[]) {
    if (e.ins !== 0xa4 || !e.command) continue;
    const data = e.command
      .subarray(5, 5 + e.command[4]!)
      .toString('hex')
      .toUpperCase();
    if (e.p1 === 0x04 && e.sw === 0x9000) app = data;
    else if (e.p1 === 0x02 || e.p1 === 0x00) out.push({ app, fid: data });
  }
  return out;
}
const TEXT = 'D3921000310001010408';
const VISUAL = 'D3921000310001010402';

async function runMode(mode: MyNumberMode, card: MyNumberCard, secret: string | null, extra: Record<string, unknown> = {}) {
  await startKiosk(mode, extra);
  await present(card);
  if (secret !== null) {
    await waitUntil(() => phase() === 'secret-entry' || phase() === 'result', 8000, 'entry');
    if (phase() === 'secret-entry') type(secret);
  }
  await waitUntil(() => phase() === 'result', 8000, 'result');
  return stack.runtime!.getState().result!;
}

describe('My Number modes through pcscd + vpcd', () => {
  it('info: right PIN — name and address with 𠮷/髙 reach the screen intact, substitution explicit, logged without content', async () => {
    const { card, holder } = fullCard();
    const r = await runMode('info', card, '2580');
    expect(r).toMatchObject({
      outcome: 'verified',
      authenticity: 'proven',
      holderBinding: 'pin',
      document: 'mynumber-info',
      holder: { name: holder.name, address: holder.address, dateOfBirth: '1990-01-01', sex: 'female' },
    });
    expect(r.holder?.nameJisX0208).toBe('〓橋 〓子');
    expect(r.checks).toMatchObject({
      'basic-info-hash': 'match',
      'cv-certificate': 'valid',
      'cv-hierarchy': 'test',
      'issuer-signature': 'valid',
      'card-key': 'valid',
      'card-challenge': 'valid',
    });
    expect(logLines.some((l) => /TEST-hierarchy/.test(l))).toBe(true);
    expect(logLines.some((l) => /mynumber-info: name has 2 character\(s\) outside JIS X 0208/.test(l))).toBe(true);
    const logged = logLines.join('\n');
    for (const s of [holder.name, holder.address, '𠮷', '髙', holder.myNumber, '2580']) expect(logged).not.toContain(s);
    expect(JSON.stringify(states)).not.toMatch(new RegExp(`${holder.myNumber}|2580`));
  });

  it('info: wrong PIN, the screen shows tries left, retry with the right one restores the counter', async () => {
    const { card } = fullCard();
    await startKiosk('info');
    await present(card);
    await waitUntil(() => phase() === 'secret-entry');
    type('1111');
    await waitUntil(() => phase() === 'secret-entry' && stack.runtime!.getState().entry?.previousAttemptWrong === true, 5000, 'retry');
    expect(stack.runtime!.getState().entry).toMatchObject({ purpose: 'mynumber-text-pin', triesLeft: 2 });
    type('2580');
    await waitUntil(() => phase() === 'result');
    expect(stack.runtime!.getState().result?.outcome).toBe('verified');
    expect(card.text!.pin.triesLeft).toBe(3);
  });

  it.each([
    ['info', { textPinTriesLeft: 0 }, (c: MyNumberCard) => c.text!.pin],
    ['sign', { signTriesLeft: 0 }, (c: MyNumberCard) => c.signPin],
    ['face', { checkCodeBTriesLeft: 0 }, (c: MyNumberCard) => c.visual!.checkCodeB],
  ] as const)('%s: locked secret — refused PIN_LOCKED, no VERIFY with data, counter never decremented further', async (mode, opts, pinOf) => {
    const { card } = fullCard(opts);
    const r = await runMode(mode, card, null);
    expect(r).toMatchObject({ outcome: 'refused', reasons: ['PIN_LOCKED'] });
    expect(card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0)).toHaveLength(0);
    expect(pinOf(card).triesLeft).toBe(0);
    expect(pinOf(card).attempts).toBe(0);
  });

  it('sign: password by multi-tap letters; signature, chain and revocation verified; holder from the certificate', async () => {
    const { card, holder } = fullCard();
    const r = await runMode('sign', card, 'ABC123XYZ');
    expect(r).toMatchObject({ outcome: 'verified', document: 'mynumber-sign', revocation: 'good', checks: { 'data-signature': 'valid', chain: 'valid' } });
    expect(r.holder).toMatchObject({
      name: holder.name,
      nameJisX0208: holder.nameSubstitute,
      address: holder.address,
      addressJisX0208: holder.addressSubstitute,
    });
    expect(card.signatureCount).toBe(1);
    expect(logLines.some((l) => /mynumber-sign: address has 1 character\(s\) outside JIS X 0208; JIS X 0208 rendering by card-substitute/.test(l))).toBe(true);
  });

  it('sign: wrong password — the signing counter (5) drops, the auth PIN counter does not', async () => {
    const { card } = fullCard();
    await startKiosk('sign');
    await present(card);
    await waitUntil(() => phase() === 'secret-entry');
    expect(stack.runtime!.getState().entry).toMatchObject({ purpose: 'jpki-sign-password', triesLeft: 5, maxTries: 5 });
    type('WRONG99');
    await waitUntil(() => stack.runtime!.getState().entry?.previousAttemptWrong === true, 5000, 'retry');
    expect(card.signPin.triesLeft).toBe(4);
    expect(card.authPin.triesLeft).toBe(3);
    stack.runtime!.key('cancel');
    await waitUntil(() => phase() === 'result' || phase() === 'remove-card');
  });

  it('face: 照合番号B on the keypad — face photo decoded to PNG, name/address images; a right code restores its counter', async () => {
    const { card } = fullCard({ checkCodeBTriesLeft: 9 });
    const r = await runMode('face', card, '02010120354321'); // 平成2年1月1日 ‖ 2035 ‖ 4321
    expect(r).toMatchObject({
      outcome: 'verified',
      authenticity: 'proven',
      holderBinding: 'printed-number-only',
      document: 'mynumber-face',
      holder: { dateOfBirth: '1990-01-01' },
    });
    expect(cardFaceOf(r)?.nameImagePng).toMatch(/^iVBORw0KGgo/);
    expect(['decoded', 'not-decoded']).toContain(cardFaceOf(r)?.faceStatus);
    if (cardFaceOf(r)?.faceStatus === 'decoded') expect(cardFaceOf(r)!.facePng).toMatch(/^iVBORw0KGgo/);
    expect(card.visual!.checkCodeB.triesLeft).toBe(10);
  });

  it('face: a Gregorian birth date on the keypad is refused before any VERIFY, with era guidance for the screen', async () => {
    const { card } = fullCard();
    const r = await runMode('face', card, '90010120354321'); // 1990 typed the Gregorian way
    expect(r).toMatchObject({ reasons: ['PIN_FORMAT'], document: 'mynumber-face' });
    expect(r.outcome).not.toBe('verified');
    expect(card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0)).toHaveLength(0);
    expect(card.visual!.checkCodeB.triesLeft).toBe(10);
  });

  it('APDU record of every mode, default config: text AP EF 0001 and visual AP EF 0005 are never selected', async () => {
    const secrets: Record<MyNumberMode, string> = { auth: '1234', info: '2580', sign: 'ABC123XYZ', face: '02010120354321' };
    for (const mode of ['auth', 'info', 'sign', 'face'] as const) {
      const { card } = fullCard();
      const r = await runMode(mode, card, secrets[mode]);
      expect(r.outcome, mode).toBe('verified');
      const s = selects(card);
      expect(s.length, mode).toBeGreaterThan(0);
      expect(
        s.filter((x) => x.app === TEXT && x.fid === '0001'),
        mode,
      ).toEqual([]);
      expect(
        s.filter((x) => x.app === VISUAL && x.fid === '0005'),
        mode,
      ).toEqual([]);
      await stack.client?.close();
      stack.client = null;
      await new Promise((res) => setTimeout(res, 600));
      await stack.runtime?.stop();
      await stack.driver?.stop();
      stack.runtime = null;
      stack.driver = null;
    }
  });

  it('control: with myNumberAllowed + legalBasis the face mode does use 照合番号A (so the record above would see it)', async () => {
    const { card, holder } = fullCard();
    const r = await runMode('face', card, '2580', { myNumberAllowed: true, legalBasis: '試験用: 番号法第19条に基づく（合成データ）' });
    expect(r.outcome).toBe('verified');
    expect(selects(card).filter((x) => x.app === TEXT && x.fid === '0001')).toHaveLength(1);
    expect(selects(card).filter((x) => x.app === VISUAL && x.fid === '0005')).toEqual([]);
    expect(JSON.stringify(states) + logLines.join('\n')).not.toContain(holder.myNumber);
  });
});
