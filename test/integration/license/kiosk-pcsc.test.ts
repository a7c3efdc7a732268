// The licence through the real stack: pcscd + vsmartcard-vpcd + the virtual licence over TCP, the pcsclite
// binding, the kiosk runtime and its state machine, PIN digits as the keypad sends them.
import { usePcscKiosk } from '../../harness/pcsc-kiosk.ts';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PcscReaderDriver } from '../../../drivers/reader/pcsc-binding.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import {
  createVirtualLicense,
  GLYPH_TAKA_LADDER_ROWS,
  SYNTHETIC_NEW_ADDRESS,
  type LicenseCard,
  type VirtualLicenseOptions,
} from '../../../drivers/sim/license/index.ts';
import { licenseFlow, type LicenseDisclosure } from '../../../daemon/documents/license/license-flow.ts';
import { defaultJp2ToPng } from '../../../daemon/images/jp2-to-png.ts';
import { KioskRuntime, type KeyName } from '../../../daemon/kiosk/runtime.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import type { LicenseHolderView } from '../../../daemon/documents/license/license-view.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { waitUntil } from '../../harness/jpki.ts';
import { licenseHolderOf } from '../../../daemon/documents/license/license-view.ts';

const stack = usePcscKiosk();
let states: KioskState[] = [];

async function startKiosk(disclosure: LicenseDisclosure, card: LicenseCard, o: { trusted?: boolean; readPin2?: boolean } = {}) {
  stack.driver = new PcscReaderDriver({ minBackoffMs: 50, maxBackoffMs: 400 });
  const trust = new TrustStore(o.trusted === false ? [] : [card.signingKey.x509]);
  const flow = licenseFlow({ trust, disclosure, readPin2: o.readPin2, photoConverter: defaultJp2ToPng() });
  stack.runtime = new KioskRuntime({ reader: stack.driver, flow });
  states = [];
  stack.runtime.events.on('state', (s) => states.push(s));
  stack.runtime.start();
  await waitUntil(() => stack.runtime!.getState().phase === 'idle', 5000, 'idle');
  stack.client = new VpcdClient(card, { port: stack.pcscd.port });
  await stack.client.insert();
}

const phase = () => stack.runtime!.getState().phase;
const result = () => stack.runtime!.getState().result!;
const type = (keys: string) => {
  for (const k of keys) stack.runtime!.key(k as KeyName);
  stack.runtime!.key('enter');
};
const verifiesWithData = (card: LicenseCard) => card.log.entries.filter((e) => e.ins === 0x20 && e.dataLength > 0).length;

function pngRows(dataUrl: string): string[] {
  const png = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  const w = png.readUInt32BE(16);
  const raw = inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)));
  return Array.from({ length: png.readUInt32BE(20) }, (_, y) => Array.from({ length: w }, (_, x) => (raw[y * (w + 1) + 1 + x] === 0 ? '#' : '.')).join(''));
}

const plain = (runs: LicenseHolderView['name']) => runs.map((r) => ('text' in r ? r.text : `[${r.alt}]`)).join('');
const card = (o: VirtualLicenseOptions = {}) => createVirtualLicense(o);

describe('IC 運転免許証 through pcscd + vpcd', () => {
  it('default-PIN card: no PIN screen; the current (EF04) address, the 外字 drawn from EF03 and the photo are shown', async () => {
    const c = card({ pins: 'default' });
    await startKiosk('name-address-photo', c);
    await waitUntil(() => phase() === 'result', 8000, 'result');
    expect(states.some((s) => s.phase === 'secret-entry')).toBe(false);
    const r = result();
    // Proven by EF07 under the configured key; the holder binding says nobody typed a PIN.
    expect(r).toMatchObject({
      outcome: 'verified',
      authenticity: 'proven',
      holderBinding: 'none',
      document: 'license',
      reasons: [],
      checks: { expiry: 'valid', 'ef07-signature': 'valid' },
    });
    const h = licenseHolderOf(r)!;
    expect(plain(h.address)).toBe('神奈川県横浜市中区試験町四丁目５番６号');
    expect(h.addressChanged).toBe(true);
    expect(plain(h.name)).toBe('[外字1]山　見本子');
    const glyph = h.name[0]!;
    expect('glyph' in glyph && pngRows(glyph.glyph)).toEqual(GLYPH_TAKA_LADDER_ROWS);
    expect(h.photo).toMatch(/^data:image\/png;base64,/);
    expect(verifiesWithData(c)).toBe(2);
  });

  it('PIN-set card: PIN1 then PIN2 on the keypad (photo mode); nothing secret in any screen state', async () => {
    const c = card({ pins: { pin1: '2468', pin2: '1357' } });
    await startKiosk('name-address-photo', c);
    await waitUntil(() => phase() === 'secret-entry', 5000, 'PIN1 entry');
    expect(stack.runtime!.getState().entry).toMatchObject({ purpose: 'license-pin1', triesLeft: 3, maxTries: 3 });
    type('2468');
    await waitUntil(() => phase() === 'secret-entry' && stack.runtime!.getState().entry?.purpose === 'license-pin2', 5000, 'PIN2 entry');
    type('1357');
    await waitUntil(() => phase() === 'result', 8000, 'result');
    expect(result()).toMatchObject({ outcome: 'verified', authenticity: 'proven', holderBinding: 'pin', reasons: [] });
    expect(licenseHolderOf(result())?.photo).toMatch(/^data:image\/png/);
    expect(JSON.stringify(states)).not.toMatch(/2468|1357|\*\*\*\*/);
    // 本籍 never reaches the screen, whatever the mode.
    expect(JSON.stringify(states)).not.toContain('見本町一丁目"');
  });

  it('wrong PIN1: the counter drops, the holder is told and may retry; the right PIN restores it', async () => {
    const c = card();
    await startKiosk('name-address', c);
    await waitUntil(() => phase() === 'secret-entry', 5000, 'PIN1 entry');
    type('9999');
    await waitUntil(() => stack.runtime!.getState().entry?.previousAttemptWrong === true, 5000, 'retry prompt');
    expect(stack.runtime!.getState().entry?.triesLeft).toBe(2);
    expect(c.pin1.triesLeft).toBe(2);
    type('1234');
    await waitUntil(() => phase() === 'result', 8000, 'result');
    // PIN1 only: EF07 covers 本籍 and the photo, which were not read — chip-read, never verified.
    expect(result()).toMatchObject({ outcome: 'chip-read', authenticity: 'chip-read', holderBinding: 'pin', checks: { 'ef07-signature': 'not-checkable' } });
    expect(c.pin1.triesLeft).toBe(3);
    // Mode name-address: no photo, and PIN2 was never asked.
    expect(licenseHolderOf(result())?.photo).toBeUndefined();
    expect(c.pin2.attempts).toBe(0);
  });

  it.each([
    ['locked PIN1', { pin1TriesLeft: 0 }, 'PIN_LOCKED'],
    ['PIN1 with one try left', { pin1TriesLeft: 1 }, 'PIN_TRIES_LOW'],
  ] as const)('%s: refused, no VERIFY with data ever sent, counter untouched', async (_n, o, code) => {
    const c = card(o);
    await startKiosk('name-address', c);
    await waitUntil(() => phase() === 'result', 5000, 'result');
    expect(result()).toMatchObject({ outcome: 'refused', reasons: [code] });
    expect(verifiesWithData(c)).toBe(0);
    expect(c.pin1.triesLeft).toBe(o.pin1TriesLeft);
  });

  it('expired licence: refused from the common data, before any PIN; nothing personal on screen', async () => {
    const c = card({ expired: true });
    await startKiosk('name-address', c);
    await waitUntil(() => phase() === 'result', 5000, 'result');
    expect(result()).toMatchObject({ outcome: 'refused', reasons: ['LICENSE_EXPIRED'], checks: { expiry: 'expired' } });
    expect(licenseHolderOf(result())).toBeNull();
    expect(c.log.entries.filter((e) => e.ins === 0x20)).toHaveLength(0);
  });

  it("disclosure 'none' (the default): verified with PIN2 read, but no name or address reaches the screen", async () => {
    const c = card({ pins: 'default' });
    await startKiosk('none', c, { readPin2: true });
    await waitUntil(() => phase() === 'result', 8000, 'result');
    expect(result().outcome).toBe('verified');
    expect(licenseHolderOf(result())).toBeNull();
    expect(JSON.stringify(states)).not.toMatch(/神奈川|見本/);
  });

  it.each([
    ['no key configured', {}, false, 'chip-read', 'chip-read', 'no-key'],
    ['signed by another key', { foreignKey: true }, true, 'refused', 'failed', 'unmatched'],
    ['corrupted EF07 signature', { corruptSignature: true }, true, 'refused', 'failed', 'unmatched'],
    ['EF07 not even a TLV sequence', { garbageEf07: true }, true, 'refused', 'failed', 'malformed'],
  ] as const)(
    'forged "no PIN set" licence, %s: never verified, nothing personal on screen when refused',
    async (_n, o, trusted, outcome, authenticity, status) => {
      const c = card({ pins: 'default', ...o });
      await startKiosk('name-address', c, { trusted, readPin2: true });
      await waitUntil(() => phase() === 'result', 8000, 'result');
      expect(result()).toMatchObject({ outcome, authenticity, holderBinding: 'none', checks: { 'ef07-signature': status } });
      if (outcome === 'refused') {
        expect(result().reasons).toContain('LICENSE_SIGNATURE_UNVERIFIED');
        expect(licenseHolderOf(result())).toBeNull();
      }
    },
  );

  it('EF04 in the public layout with a new name and a new address: both shown as current', async () => {
    const c = card({ pins: 'default', nameChange: true });
    await startKiosk('name-address', c, { readPin2: true });
    await waitUntil(() => phase() === 'result', 8000, 'result');
    const r = result();
    expect(r).toMatchObject({
      outcome: 'verified',
      authenticity: 'proven',
      checks: { 'change-records': '2 applied', 'change-records-signed': 'not-covered-by-ef07' },
    });
    const h = licenseHolderOf(r)!;
    expect(plain(h.name)).toBe('[外字1]山　変更子');
    expect(plain(h.address)).toBe(SYNTHETIC_NEW_ADDRESS);
    expect(h).toMatchObject({ nameChanged: true, addressChanged: true });
  });

  it('a malformed change record is reported without losing the rest', async () => {
    const c = card({ pins: 'default', malformedChange: true });
    await startKiosk('name-address', c, { readPin2: true });
    await waitUntil(() => phase() === 'result', 8000, 'result');
    const r = result();
    // The malformed record is of a kind (備考) that changes neither name nor address: the read stands.
    expect(r).toMatchObject({ outcome: 'verified', checks: { 'change-records': '1 applied, 1 malformed', 'ef07-signature': 'valid' } });
    expect(plain(licenseHolderOf(r)!.address)).toBe(SYNTHETIC_NEW_ADDRESS);
  });
});
