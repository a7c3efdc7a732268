// The whole JPKI authentication slice through the real stack: pcscd + vsmartcard-vpcd + the virtual card
// over TCP, the pcsclite binding, the kiosk runtime and its state machine, keys as the keypad sends them.
import { usePcscKiosk } from '../../harness/pcsc-kiosk.ts';
import { describe, expect, it } from 'vitest';
import { PcscReaderDriver } from '../../../drivers/reader/pcsc-binding.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import type { MyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import { jpkiAuthFlow } from '../../../daemon/documents/mynumber/jpki-auth-flow.ts';
import { KioskRuntime, type KeyName } from '../../../daemon/kiosk/runtime.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import type { RevocationChecker } from '../../../daemon/trust/revocation.ts';
import { jpkiCard, revocationGood, testTrust, waitUntil } from '../../harness/jpki.ts';

const stack = usePcscKiosk();
let states: KioskState[] = [];

async function startKiosk(revocation: RevocationChecker = revocationGood) {
  stack.driver = new PcscReaderDriver({ minBackoffMs: 50, maxBackoffMs: 400 });
  stack.runtime = new KioskRuntime({ reader: stack.driver, flow: jpkiAuthFlow({ trust: testTrust(), revocation }) });
  states = [];
  stack.runtime.events.on('state', (s) => states.push(s));
  stack.runtime.start();
  await waitUntil(() => stack.runtime!.getState().phase === 'idle', 5000, 'idle');
  return stack.runtime;
}

async function present(card: MyNumberCard, opts: ConstructorParameters<typeof VpcdClient>[1] = {}) {
  stack.client = new VpcdClient(card, { port: stack.pcscd.port, ...opts });
  await stack.client.insert();
}

const phase = () => stack.runtime!.getState().phase;
function type(keys: string) {
  for (const k of keys) stack.runtime!.key(k as KeyName);
}

describe('JPKI authentication through pcscd + vpcd', () => {
  it('right PIN: verified, and the card signed exactly one challenge', async () => {
    await startKiosk();
    const card = jpkiCard();
    await present(card);
    await waitUntil(() => phase() === 'secret-entry', 5000, 'PIN entry');
    expect(stack.runtime!.getState().entry).toMatchObject({ purpose: 'jpki-auth-pin', triesLeft: 3, length: 0 });
    type('1234');
    expect(stack.runtime!.getState().entry?.length).toBe(4);
    stack.runtime!.key('enter');
    await waitUntil(() => phase() === 'result', 5000, 'result');
    expect(stack.runtime!.getState().result).toMatchObject({ outcome: 'verified', reasons: [], revocation: 'good' });
    expect(card.signatureCount).toBe(1);
    expect(card.authPin.triesLeft).toBe(3);
    // No state ever pushed to the screen contains the PIN digits.
    expect(JSON.stringify(states)).not.toMatch(/1234/);
  });

  it('wrong PIN: the tries decrement, the screen says how many are left, and the holder may retry', async () => {
    await startKiosk();
    const card = jpkiCard();
    await present(card);
    await waitUntil(() => phase() === 'secret-entry');
    type('9999');
    stack.runtime!.key('enter');
    await waitUntil(() => phase() === 'secret-entry' && stack.runtime!.getState().entry?.previousAttemptWrong === true, 5000, 'retry prompt');
    expect(stack.runtime!.getState().entry?.triesLeft).toBe(2);
    expect(card.authPin.triesLeft).toBe(2);
    type('1234');
    stack.runtime!.key('enter');
    await waitUntil(() => phase() === 'result');
    expect(stack.runtime!.getState().result?.outcome).toBe('verified');
    expect(card.authPin.triesLeft).toBe(3);
  });

  it('a card with one try left is refused and no VERIFY with data is sent', async () => {
    await startKiosk();
    const card = jpkiCard({ triesLeft: 1 });
    await present(card);
    await waitUntil(() => phase() === 'result', 5000, 'result');
    expect(stack.runtime!.getState().result).toMatchObject({ outcome: 'refused', reasons: ['PIN_TRIES_LOW'] });
    const verifies = card.log.entries.filter((e) => e.ins === 0x20);
    expect(verifies.length).toBeGreaterThan(0);
    expect(verifies.every((e) => e.dataLength === 0)).toBe(true);
    expect(card.authPin.triesLeft).toBe(1);
  });

  it('card pulled mid-read: the session ends with CARD_REMOVED and the kiosk returns to idle', async () => {
    await startKiosk();
    const card = jpkiCard();
    await present(card, { dropAfterApdus: 4 });
    await waitUntil(() => phase() === 'result', 5000, 'result');
    expect(stack.runtime!.getState().result?.reasons).toEqual(['CARD_REMOVED']);
    stack.runtime!.key('enter');
    await waitUntil(() => phase() === 'idle', 5000, 'idle');
  });

  it('pcscd killed and restarted: reader unavailable meanwhile, then a new session works without restarting the kiosk', async () => {
    await startKiosk();
    await stack.pcscd.kill();
    await waitUntil(() => phase() === 'reader-unavailable', 5000, 'reader-unavailable');
    await stack.pcscd.restart();
    await waitUntil(() => phase() === 'idle', 10_000, 'idle after restart');
    const card = jpkiCard();
    await present(card);
    await waitUntil(() => phase() === 'secret-entry', 5000, 'PIN entry');
    type('1234');
    stack.runtime!.key('enter');
    await waitUntil(() => phase() === 'result');
    expect(stack.runtime!.getState().result?.outcome).toBe('verified');
  });

  it.each([
    ['expired certificate', { expired: true }, 'TRUST_CERT_EXPIRED'],
    ['unknown CA', { unknownCa: true }, 'TRUST_CHAIN_INVALID'],
    ['bad signature from the card', { faults: { badSignature: true } }, 'CARD_SIGNATURE_INVALID'],
  ] as const)('%s is refused', async (_name, opts, code) => {
    await startKiosk();
    await present(jpkiCard(opts));
    await waitUntil(() => phase() === 'secret-entry');
    type('1234');
    stack.runtime!.key('enter');
    await waitUntil(() => phase() === 'result');
    const r = stack.runtime!.getState().result!;
    expect(r.outcome).toBe('refused');
    expect(r.reasons).toContain(code);
  });
});
