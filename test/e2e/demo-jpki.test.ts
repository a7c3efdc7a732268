// The demo as a person uses it, in headless Chromium: place the virtual card from the demo panel, type the
// PIN on the on-screen keypad, read the verdict. Screenshots of every screen go to .test-artifacts/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startKiosk, type Kiosk } from '../../daemon/app.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import { ARTIFACTS, launchBrowser } from '../harness/browser.ts';

let kiosk: Kiosk;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  kiosk = await startKiosk({ config: parseConfig({ server: { port: 0 }, timeouts: { resultMs: 60_000 } }), demo: true });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

async function openKiosk(viewport = { width: 1280, height: 800 }): Promise<{ page: Page; frames: string[] }> {
  const page = await browser.newPage({ viewport });
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(String(f.payload)));
    ws.on('framereceived', (f) => frames.push(String(f.payload)));
  });
  await page.goto(kiosk.server.url);
  await expect.poll(() => page.textContent('#headline')).toBe('マイナンバーカードを置いてください');
  return { page, frames };
}

/** Take the card and dismiss the result, as the next customer would find the kiosk. */
async function leave(page: Page) {
  await page.click('#demo-remove');
  await page.keyboard.press('Escape');
  await expect.poll(() => kiosk.runtime.getState().phase).toBe('idle');
  await page.close();
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
}

async function placeCard(page: Page, kind: string) {
  await page.selectOption('#demo-card', kind);
  await page.click('#demo-insert');
}

async function typePin(page: Page, pin: string) {
  await page.waitForSelector('#keypad:not([hidden])');
  for (const d of pin) await page.click(`#keypad button[data-key="${d}"]`);
  await page.click('#keypad button[data-key="enter"]');
}

describe('kiosk screen (demo, headless Chromium)', () => {
  it('right PIN: 本人確認できました; no PIN in any WebSocket frame', async () => {
    const { page, frames } = await openKiosk();
    await shot(page, 'jpki-01-idle');
    await placeCard(page, 'mynumber');
    await page.waitForSelector('#keypad:not([hidden])');
    await expect.poll(() => page.textContent('#tries')).toBe('残り回数：3回');
    await shot(page, 'jpki-02-pin-entry');
    await typePin(page, '1234');
    await expect.poll(() => page.textContent('#headline'), { timeout: 10_000 }).toBe('本人確認できました');
    await shot(page, 'jpki-03-verified');
    expect(frames.length).toBeGreaterThan(5);
    expect(frames.join('\n')).not.toContain('1234');
    await page.click('#lang');
    await expect.poll(() => page.textContent('#headline')).toBe('Identity verified');
    await shot(page, 'jpki-04-verified-en');
    await leave(page);
  });

  it('wrong PIN: the screen says how many tries are left', async () => {
    const { page } = await openKiosk({ width: 800, height: 480 });
    await placeCard(page, 'mynumber');
    await typePin(page, '9999');
    await expect.poll(() => page.textContent('#tries'), { timeout: 10_000 }).toBe('暗証番号が違います。残り2回です。');
    await shot(page, 'jpki-05-wrong-pin-800x480');
    await page.click('#keypad button[data-key="cancel"]');
    await expect.poll(() => page.textContent('#headline')).toBe('中止しました');
    await leave(page);
  });

  it.each([
    ['mynumber-one-try', '暗証番号の残り回数が少ない', false],
    ['mynumber-revoked', '電子証明書が失効しています', true],
    ['mynumber-expired', '有効期限が切れています', true],
  ])('%s is refused with guidance', async (kind, text, needsPin) => {
    const { page } = await openKiosk();
    await placeCard(page, kind);
    if (needsPin) await typePin(page, '1234');
    await expect.poll(() => page.textContent('#headline'), { timeout: 10_000 }).toBe('本人確認できませんでした');
    expect(await page.textContent('#message')).toContain(text);
    await shot(page, `jpki-refused-${kind}`);
    await leave(page);
  });

  it('the WebSocket refuses a wrong token', async () => {
    const { page } = await openKiosk();
    const refused = await page.evaluate(
      (url) =>
        new Promise<boolean>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve(false);
          ws.onerror = () => resolve(true);
        }),
      kiosk.server.url.replace('http', 'ws').replace('/?token=', '/ws?token=x'),
    );
    expect(refused).toBe(true);
    await page.close();
  });
});
