// The whole kiosk through the real stack, seen in headless Chromium: pcscd + vsmartcard-vpcd with a
// virtual My Number card over TCP, the pcsclite binding, the simulated hardware keypad (multi-tap for the
// signing password), the virtual printer, the integration API. Proves: every WebSocket frame of full
// sessions is free of the PIN, the password and the My Number; the API's JWS verifies with the device
// public key and a tampered one does not; the screen resynchronises after a daemon restart mid-session.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SimulatedKeypad } from '../../drivers/keypad/simulated.ts';
import type { KeyName } from '../../drivers/keypad/types.ts';
import { VpcdClient } from '../../drivers/sim/vpcd-client.ts';
import type { MyNumberCard } from '../../drivers/sim/mynumber/index.ts';
import { startKiosk, type Kiosk } from '../../daemon/app.ts';
import { verifyResultToken } from '../../daemon/api/result-token.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import { DeviceKey } from '../../daemon/device/device-key.ts';
import { newUiToken } from '../../daemon/server/ui-token.ts';
import { expectNoSecrets, openRecordedPage, type Frames } from '../harness/demo-kiosk.ts';
import { revocationGood } from '../harness/jpki.ts';
import { useE2eStack } from '../harness/e2e-stack.ts';
import { cas, fullCard } from '../unit/mynumber/helpers.ts';
import { screen, shot, text, WIDE } from './helpers.ts';

const PIN = '1234';
const PASSWORD = 'ABC123XYZ';

const deviceKey = DeviceKey.ephemeral();
const uiToken = newUiToken();
let uiPort = 0;

async function daemon(): Promise<Kiosk> {
  const config = parseConfig({
    kioskId: 'kiosk-e2e-01',
    server: { port: uiPort },
    api: { enabled: true, port: 0 },
    reader: { backend: 'pcsc' },
    documents: ['mynumber-jpki-auth', 'mynumber-sign'],
    trust: { jpkiAuth: [join(e2e.dir, 'auth-ca.pem')], jpkiSign: [join(e2e.dir, 'sign-ca.pem')] },
    keypad: { backend: 'simulated', multitapMs: 400 },
    timeouts: { resultMs: 60_000 },
  });
  const k = await startKiosk({ config, simulated: true, revocation: revocationGood, deviceKey, uiToken });
  uiPort = k.server.port;
  return k;
}

const e2e = useE2eStack('idkiosk-e2e-', {
  setup: async (s) => {
    writeFileSync(join(s.dir, 'auth-ca.pem'), cas().authCa.x509.toString());
    writeFileSync(join(s.dir, 'sign-ca.pem'), cas().signCa.x509.toString());
    s.kiosk = await daemon();
  },
});

async function present(card: MyNumberCard, apduDelayMs = 0) {
  e2e.client = new VpcdClient(card, { port: e2e.pcscd.port, ...(apduDelayMs ? { apduDelay: () => apduDelayMs } : {}) });
  await e2e.client.insert();
}

const keypad = () => e2e.kiosk!.peripherals.keypad as SimulatedKeypad;
const press = (keys: string) => {
  for (const k of keys) keypad().press(k as KeyName);
};

async function openRecorded(): Promise<{ page: Page; frames: Frames }> {
  const r = await openRecordedPage(e2e.browser, e2e.kiosk!.server.url, WIDE);
  await screen(r.page, 'idle');
  return r;
}

describe('kiosk through pcscd + vpcd, in headless Chromium', () => {
  it('JPKI: progress, PIN on the hardware keypad, verified, receipt; no PIN in any WebSocket frame', async () => {
    const { page, frames } = await openRecorded();
    await shot(page, 'pcsc-01-idle');
    await present(fullCard().card, 120); // slow APDUs so the reading screen can be seen
    await screen(page, 'reading');
    await expect.poll(() => page.locator('#progress li').count()).toBe(5);
    await shot(page, 'pcsc-02-reading');
    await screen(page, 'secret-entry');
    press('12');
    await expect.poll(() => text(page, 'dots')).toBe('●●○○');
    await shot(page, 'pcsc-03-pin-half');
    press('34#');
    await screen(page, 'result', 15_000);
    expect(await text(page, 'headline')).toBe('本人確認できました');
    await expect.poll(() => text(page, 'receipt'), { timeout: 10_000 }).toContain('レシートをお受け取りください');
    await shot(page, 'pcsc-04-verified');
    expect(frames.received.length).toBeGreaterThan(10);
    expectNoSecrets(frames, [PIN]);
    await page.close();
  });

  it('integration API: the signing password by multi-tap and on-screen letters; the JWS verifies, a tampered one does not', async () => {
    const api = e2e.kiosk!.api!.url;
    const { page, frames } = await openRecorded();
    const info = (await (await fetch(`${api}/v1/kiosk`)).json()) as any;
    expect(info.documents).toEqual(['mynumber-jpki-auth', 'mynumber-sign']);
    const nonce = 'order-4711';
    const res = await fetch(`${api}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ document: 'mynumber-sign', nonce }),
    });
    expect(res.status).toBe(201);
    const started = (await res.json()) as any;
    // Progress as Server-Sent Events, read as the business application would.
    const events: { event: string; data: any }[] = [];
    const sse = fetch(`${api}/v1/verifications/${started.id}/events`).then(async (r) => {
      let buf = '';
      for await (const chunk of r.body!) {
        buf += Buffer.from(chunk).toString('utf8');
        for (let i; (i = buf.indexOf('\n\n')) >= 0; buf = buf.slice(i + 2)) {
          const block = buf.slice(0, i);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
        }
      }
    });
    await expect.poll(() => text(page, 'headline')).toBe('マイナンバーカードを置いてください');
    await shot(page, 'pcsc-05-api-request-idle');
    await present(fullCard({ signPassword: PASSWORD }).card);
    await screen(page, 'secret-entry');
    await page.waitForSelector('#letters:not([hidden])');
    // 'A' by multi-tap on the hardware keypad: a password's letter is never sent to the screen, only its
    // position on the key while it is chosen; it commits after the timeout.
    press('2');
    await expect.poll(() => text(page, 'candidate')).toBe('押しているキーの1番目の文字を選択中');
    await shot(page, 'pcsc-06-password-multitap-candidate');
    await expect.poll(() => e2e.kiosk!.runtime.getState().entry?.length, { timeout: 3000 }).toBe(1);
    // The rest on the screen: letters and digits as per-entry tokens.
    for (const ch of PASSWORD.slice(1)) await page.click(`#pads button[data-char="${ch}"]`);
    await expect.poll(() => e2e.kiosk!.runtime.getState().entry?.length).toBe(PASSWORD.length);
    await shot(page, 'pcsc-07-password-entered');
    press('#');
    await screen(page, 'result', 15_000);
    expect(await text(page, 'headline')).toBe('署名用電子証明書で本人確認できました');
    await sse;
    const result = events.find((e) => e.event === 'result');
    expect(events.map((e) => e.data.status).filter(Boolean)).toEqual(expect.arrayContaining(['waiting-card', 'reading', 'secret-entry', 'completed']));
    const token = result!.data.token as string;
    const check = verifyResultToken(token, info.deviceKey);
    expect(check.valid).toBe(true);
    if (!check.valid) return;
    expect(check.claims).toMatchObject({
      verdict: 'verified',
      document: 'mynumber-sign',
      documentType: 'my-number-card',
      method: 'jpki-sign',
      revocation: 'good',
      kioskId: 'kiosk-e2e-01',
      nonce,
      jti: started.id,
    });
    expect(check.claims.certificate?.serialNumber).toMatch(/^[0-9A-F]+$/i);
    expect(check.claims.certificate?.fingerprintSha256).toMatch(/^[0-9A-F]{64}$/i);
    // Tampered: verdict flipped in the payload, or one signature byte changed.
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, nonce: 'other-order' })).toString('base64url')}.${s}`;
    expect(verifyResultToken(forged, info.deviceKey)).toEqual({ valid: false, reason: 'signature' });
    const sig = Buffer.from(s, 'base64url');
    sig[10] = sig[10]! ^ 1;
    expect(verifyResultToken(`${h}.${p}.${sig.toString('base64url')}`, info.deviceKey)).toEqual({ valid: false, reason: 'signature' });
    expect(verifyResultToken(token, DeviceKey.ephemeral().publicKey)).toEqual({ valid: false, reason: 'kid' });
    // The same GET gives the outcome to a client that missed the stream.
    const after = await (await fetch(`${api}/v1/verifications/${started.id}`)).json();
    expect(after).toMatchObject({ status: 'completed', result: { verdict: 'verified', token } });
    expectNoSecrets(frames, [PIN, PASSWORD]);
    await page.close();
  });

  it('daemon restarted mid-session: the screen reconnects and resynchronises without a reload', async () => {
    const { page } = await openRecorded();
    await page.evaluate('window.marker = 42');
    await present(fullCard().card);
    await screen(page, 'secret-entry');
    press('12');
    await e2e.kiosk!.stop();
    e2e.kiosk = null;
    await expect.poll(() => page.isVisible('#offline')).toBe(true);
    await shot(page, 'pcsc-08-daemon-restarting');
    e2e.kiosk = await daemon();
    // The card is still on the reader: a new session starts and the screen follows it (fresh entry).
    await expect.poll(() => page.isVisible('#offline'), { timeout: 15_000 }).toBe(false);
    await screen(page, 'secret-entry', 15_000);
    expect(await text(page, 'dots')).toBe('○○○○');
    expect(await page.evaluate<number>('window.marker')).toBe(42);
    await shot(page, 'pcsc-09-resynchronised');
    press(`${PIN}#`);
    await screen(page, 'result', 15_000);
    expect(await text(page, 'headline')).toBe('本人確認できました');
    await page.close();
  });
});
