// Forged マイナンバーカード 券面 data through the real stack (pcscd + vsmartcard-vpcd + the virtual card over
// TCP + the kiosk runtime): a 4-info whose DF33 is wrong, whose CV certificate comes from an unknown CA or
// from a forger claiming the trusted CA's identifier, whose EF 0002 was edited after signing (with and
// without a recomputed DF32), a 券面AP whose DF28 is wrong or whose data was edited, and a clone (every file
// copied, but the chip signs the challenge with another key). None may end verified; the genuine-layout
// card ends proven. The kiosk trusts this process's synthetic test CA keys
// (test hierarchy, mynumber.testCards) exactly as a deployment would trust J-LIS's.
import { usePcscKiosk } from '../../harness/pcsc-kiosk.ts';
import { describe, expect, it } from 'vitest';
import { PcscReaderDriver } from '../../../drivers/reader/pcsc-binding.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import { virtualCardTrustConfig, type CvForgery, type MyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import { DOCUMENTS } from '../../../daemon/documents/registry.ts';
import { routingFlow } from '../../../daemon/documents/router.ts';
import { parseMyNumberConfig, type MyNumberMode } from '../../../daemon/documents/mynumber/mynumber-config.ts';
import { KioskRuntime, type KeyName } from '../../../daemon/kiosk/runtime.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { gateVerdict } from '../../../daemon/policy/verdict-gate.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { revocationGood, waitUntil } from '../../harness/jpki.ts';
import { fullCard } from '../../unit/mynumber/helpers.ts';

const stack = usePcscKiosk();

async function run(mode: MyNumberMode, card: MyNumberCard, secret: string, trusted = true): Promise<ResultView> {
  const mynumber = parseMyNumberConfig({ mode, ...(trusted ? virtualCardTrustConfig() : {}) });
  const handler = DOCUMENTS.get('mynumber')!({ trust: () => new TrustStore([]), revocation: revocationGood, now: () => new Date(), mynumber });
  stack.driver = new PcscReaderDriver({ minBackoffMs: 50, maxBackoffMs: 400 });
  stack.runtime = new KioskRuntime({ reader: stack.driver, flow: routingFlow([handler]) });
  stack.runtime.start();
  await waitUntil(() => stack.runtime!.getState().phase === 'idle', 5000, 'idle');
  stack.client = new VpcdClient(card, { port: stack.pcscd.port });
  await stack.client.insert();
  await waitUntil(() => stack.runtime!.getState().phase === 'secret-entry' || stack.runtime!.getState().phase === 'result', 8000, 'entry');
  if (stack.runtime.getState().phase === 'secret-entry') {
    for (const k of secret) stack.runtime.key(k as KeyName);
    stack.runtime.key('enter');
  }
  await waitUntil(() => stack.runtime!.getState().phase === 'result', 8000, 'result');
  return stack.runtime.getState().result!;
}

const INFO_PIN = '2580';
const FACE_B = '02010120354321';

describe('forged 券面 data through pcscd + vpcd', () => {
  it('genuine layout: 4-info and 券面AP end verified with authenticity proven', async () => {
    const info = await run('info', fullCard().card, INFO_PIN);
    expect(info).toMatchObject({ outcome: 'verified', authenticity: 'proven', holderBinding: 'pin' });
    await stack.reset();
    const face = await run('face', fullCard().card, FACE_B);
    expect(face).toMatchObject({ outcome: 'verified', authenticity: 'proven', holderBinding: 'printed-number-only' });
  });

  it.each<[CvForgery, Record<string, string>]>([
    ['bad-signature', { 'cv-certificate': 'valid', 'issuer-signature': 'invalid' }],
    ['unknown-ca', { 'cv-certificate': 'unknown-ca' }],
    ['forged-cv', { 'cv-certificate': 'invalid' }],
    ['edited-data', { 'basic-info-hash': 'mismatch' }],
    ['edited-rehashed', { 'basic-info-hash': 'match', 'issuer-signature': 'invalid' }],
    ['clone', { 'issuer-signature': 'valid', 'card-key': 'valid', 'card-challenge': 'invalid' }],
  ])('4-info %s: refused, authenticity failed, no holder data shown', async (forgery, checks) => {
    const r = await run('info', fullCard({ forgery }).card, INFO_PIN);
    expect(r).toMatchObject({ outcome: 'refused', authenticity: 'failed', holder: null, checks });
    // The verdict gate agrees (a policy accepting chip-read does not rescue a failed card).
    expect(gateVerdict(r, { acceptChipRead: true }).outcome).toBe('refused');
  });

  it.each<[CvForgery, Record<string, string>]>([
    ['bad-signature', { 'cv-certificate': 'valid', 'issuer-signature': 'invalid' }],
    ['unknown-ca', { 'cv-certificate': 'unknown-ca' }],
    ['forged-cv', { 'cv-certificate': 'invalid' }],
    ['edited-data', { 'cv-certificate': 'valid', 'issuer-signature': 'invalid' }],
    ['clone', { 'issuer-signature': 'valid', 'card-challenge': 'invalid' }],
  ])('券面AP %s: refused, authenticity failed, no images shown', async (forgery, checks) => {
    const r = await run('face', fullCard({ forgery }).card, FACE_B);
    expect(r).toMatchObject({ outcome: 'refused', authenticity: 'failed', cardFace: null, checks });
  });

  it('a chip that will not sign the challenge: data proven, chip not — chip-read, refused unless a policy accepts it', async () => {
    const r = await run('info', fullCard({ faults: { challengeStatus: 0x6a86 } }).card, INFO_PIN);
    expect(r).toMatchObject({ outcome: 'chip-read', authenticity: 'chip-read', checks: { 'issuer-signature': 'valid', 'card-challenge': 'not-supported' } });
    expect(gateVerdict(r, { acceptChipRead: false })).toMatchObject({ outcome: 'refused', reasons: expect.arrayContaining(['DOCUMENT_NOT_PROVEN']) });
    expect(gateVerdict(r, { acceptChipRead: true }).outcome).toBe('chip-read');
  });

  it('a kiosk that trusts only production J-LIS keys refuses the test-hierarchy card', async () => {
    const r = await run('info', fullCard().card, INFO_PIN, false);
    expect(r).toMatchObject({ outcome: 'refused', authenticity: 'failed', checks: { 'cv-certificate': 'unknown-ca' } });
  });
});
