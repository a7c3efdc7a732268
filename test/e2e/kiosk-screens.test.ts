// Every screen of the kiosk as a person sees it, in headless Chromium against the demo daemon (simulated
// reader with virtual My Number cards, simulated keypad, virtual printer): idle in both layouts and
// languages, PIN entry, each refusal with its guidance, reader and printer faults, maintenance mode, the
// entry timeout, the receipt. Screenshots of every screen go to .test-artifacts/.
import { mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startKiosk, type Kiosk } from '../../daemon/app.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import { ARTIFACTS, launchBrowser } from '../harness/browser.ts';
import { WIDE, SMALL, screen, shot, text } from './helpers.ts';
import { missingGlyphs } from '../harness/glyphs.ts';

type Translate = (key: string, vars?: Record<string, unknown>) => string | string[] | undefined;
const { LANGUAGES, translator } = (await import('../../ui/i18n.js' as string)) as {
  LANGUAGES: { code: string }[];
  translator: (lang: string) => Translate;
};
import { DemoCardSet } from '../../drivers/sim/demo/demo-card-set.ts';

let kiosk: Kiosk;
let browser: Browser;
/** One page for the whole file: the screen follows the daemon, so tests need no reload. */
let shared: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [kiosk, browser] = await Promise.all([
    startKiosk({ config: parseConfig({ server: { port: 0 }, api: { enabled: false }, timeouts: { resultMs: 60_000 } }), demo: new DemoCardSet() }),
    launchBrowser(),
  ]);
  shared = await browser.newPage({ viewport: WIDE });
  await shared.goto(kiosk.server.url);
}, 60_000);
afterEach(async () => {
  // Whatever a test left behind, the next one starts at idle: card taken, result dismissed, faults cleared.
  kiosk.demo!.remove();
  kiosk.demo!.setReaderAvailable(true);
  kiosk.peripherals.virtualPrinter!.setPaper('ok');
  kiosk.setMaintenance(false);
  if (kiosk.runtime.getState().phase !== 'idle') kiosk.runtime.cancel();
  await expect.poll(() => kiosk.runtime.getState().phase).toBe('idle');
  await expect.poll(() => kiosk.runtime.getState().blockedBy).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

async function open(k: Kiosk, viewport = WIDE, lang = 'ja'): Promise<Page> {
  let page = shared;
  if (k !== kiosk) {
    page = await browser.newPage({ viewport });
    await page.goto(k.server.url);
  }
  await page.setViewportSize(viewport);
  await screen(page, /idle|maintenance|printer-blocked/);
  if ((await page.evaluate<string>('document.documentElement.dataset.language ?? document.documentElement.lang')) !== lang) {
    await page.click(`#langs button[data-lang="${lang}"]`);
  }
  return page;
}

async function place(page: Page, card: string) {
  await page.selectOption('#demo-card', card);
  await page.click('#demo-insert');
}

async function typePin(page: Page, pin: string) {
  await screen(page, 'secret-entry');
  for (const d of pin) await page.click(`#keypad button[data-char="${d}"]`);
  await page.click('#keypad button[data-key="enter"]');
}

async function fault(page: Page, f: string) {
  await page.selectOption('#demo-fault', f);
  await page.click('#demo-fault-go');
}

/** Take the card and dismiss the result, as the next customer would, through the screen. */
async function leave(page: Page) {
  await page.click('#demo-remove');
  await page.keyboard.press('Escape');
  await screen(page, 'idle');
}

describe('kiosk screens (demo daemon, headless Chromium)', () => {
  it('idle: the accepted documents and how to place them, in both layouts and languages', async () => {
    for (const [vp, lang, name] of [
      [WIDE, 'ja', 'idle-1280x800'],
      [SMALL, 'ja', 'idle-800x480'],
      [WIDE, 'en', 'idle-1280x800-en'],
      [SMALL, 'en', 'idle-800x480-en'],
    ] as const) {
      const page = await open(kiosk, vp, lang);
      expect(await text(page, 'headline')).toBe(lang === 'ja' ? '本人確認書類を置いてください' : 'Place your identity document');
      expect(await page.locator('#documents li').count()).toBeGreaterThanOrEqual(1);
      expect(await text(page, 'documents')).toContain(lang === 'ja' ? 'マイナンバーカード' : 'My Number card');
      // Nothing overflows the screen: the page never needs scrolling at either size.
      expect(await page.evaluate<boolean>('document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth')).toBe(
        true,
      );
      await shot(page, name);
    }
  });

  it('right PIN → verified, receipt printed and shown; wrong PIN shows tries left (800×480 too)', async () => {
    const page = await open(kiosk);
    await place(page, 'mynumber');
    await screen(page, 'secret-entry');
    expect(await text(page, 'tries')).toBe('残り回数：3回');
    await page.click('#keypad button[data-char="9"]');
    await expect.poll(() => text(page, 'dots')).toBe('●○○○');
    await shot(page, 'pin-entry');
    await page.click('#keypad button[data-key="back"]');
    await typePin(page, '1234');
    await screen(page, 'result');
    expect(await text(page, 'headline')).toBe('本人確認できました');
    await expect.poll(() => text(page, 'receipt'), { timeout: 10_000 }).toMatch(/^レシートをお受け取りください（受付番号 \d{8}-[0-9A-Z]{6}）$/);
    await page.waitForSelector('#receipt-preview:not([hidden]) img');
    await expect.poll(() => page.evaluate<number>("document.getElementById('receipt-img').naturalWidth")).toBeGreaterThan(0);
    await shot(page, 'verified-with-receipt');
    // The receipt itself, as the demo serves it.
    const svg = await (await fetch(kiosk.server.url.replace('/?token=', '/demo/receipt.svg?token='))).text();
    expect(svg).toContain('VERIFIED');
    await page.keyboard.press('Escape'); // result dismissed with the card still on the reader
    await screen(page, 'remove-card');
    await shot(page, 'remove-card');
    await leave(page);

    const small = await open(kiosk, SMALL);
    await place(small, 'mynumber');
    await typePin(small, '9999');
    await expect.poll(() => text(small, 'tries'), { timeout: 10_000 }).toBe('暗証番号が違います。残り2回です。');
    await shot(small, 'wrong-pin-800x480');
    await small.click('#keypad button[data-key="cancel"]');
    await screen(small, 'result');
    expect(await text(small, 'headline')).toBe('中止しました');
    await shot(small, 'cancelled-800x480');
    await leave(small);
  });

  it('a second wrong PIN: the kiosk says it will not try this card again, and where to go', async () => {
    const page = await open(kiosk, SMALL);
    await place(page, 'mynumber');
    await typePin(page, '9999');
    await expect.poll(() => text(page, 'tries'), { timeout: 10_000 }).toBe('暗証番号が違います。残り2回です。');
    await typePin(page, '9999');
    await screen(page, 'result');
    const message = await text(page, 'message');
    expect(message).toContain('この端末ではこのカードの確認を行いません');
    expect(message).toContain('市区町村の窓口');
    expect(message).not.toContain('残り回数：1回\n'); // the last-try words replace the bare count
    await shot(page, 'wrong-pin-last-try-800x480');
    await leave(page);
  });

  it('a language chosen on the idle screen lasts one session: the next idle screen is Japanese', async () => {
    const page = await open(kiosk, WIDE, 'en');
    expect(await text(page, 'headline')).toBe('Place your identity document');
    await place(page, 'mynumber');
    await typePin(page, '1234');
    await screen(page, 'result');
    expect(await text(page, 'headline')).toBe('Identity verified');
    await shot(page, 'verified-en');
    await leave(page);
    expect(await text(page, 'headline')).toBe('本人確認書類を置いてください');
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('ja');
  });

  it('every language: the idle screen and a refusal in its own words and glyphs, nothing overflowing, no code', async () => {
    for (const { code } of LANGUAGES) {
      const t = translator(code);
      const page = await open(kiosk, SMALL, code);
      expect(await text(page, 'headline')).toBe((t('idle.any') as string[])[0]);
      const fits = 'document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth';
      expect(await page.evaluate<boolean>(fits), code).toBe(true);
      expect(missingGlyphs(await page.innerText('body')), code).toEqual([]);
      await shot(page, `idle-800x480-${code}`);
      await place(page, 'mynumber-locked');
      await screen(page, 'result');
      expect(await text(page, 'message'), code).toContain(t('reason.PIN_LOCKED'));
      const visible = await page.innerText('body');
      expect(missingGlyphs(visible), code).toEqual([]);
      expect(visible, code).not.toMatch(/[A-Z][A-Z0-9]*_[A-Z0-9_]+/);
      await shot(page, `refused-800x480-${code}`);
      await leave(page);
    }
  }, 120_000);

  it.each([
    ['mynumber-locked', '市区町村の窓口でロックの解除', false],
    ['mynumber-one-try', '暗証番号の残り回数が少ない', false],
    ['mynumber-expired', '有効期限が切れています', true],
    ['mynumber-revoked', '電子証明書が失効しています', true],
    ['mynumber-unknown-ca', /発行元を確認できない|電子証明書の署名を確認できませんでした/, true],
    ['mynumber-bad-signature', 'カードの署名を確認できませんでした', true],
    ['unsupported-card', 'このカードには対応していません', false],
  ])('%s: refused with the reason and what to do next', async (card, guidance, needsPin) => {
    const page = await open(kiosk);
    await place(page, card);
    if (needsPin) await typePin(page, '1234');
    await screen(page, 'result');
    expect(await text(page, 'headline')).toMatch(/^(本人確認できませんでした|読み取りできませんでした)$/);
    expect(await text(page, 'message')).toMatch(guidance);
    // Words only: the daemon's code is for staff (data attribute), never in what a person reads.
    expect(await page.innerText('body')).not.toMatch(/[A-Z][A-Z0-9]*_[A-Z0-9_]+/);
    await shot(page, `refused-${card}`);
    await leave(page);
  });

  it('reader fault, printer fault and maintenance mode each explain themselves; no session starts meanwhile', async () => {
    const page = await open(kiosk, SMALL);
    await fault(page, 'reader-lost');
    await screen(page, 'reader-unavailable');
    expect(await text(page, 'headline')).toBe('カードリーダーが使えません');
    await shot(page, 'reader-unavailable-800x480');
    await fault(page, 'reader-back');
    await screen(page, 'idle');

    await fault(page, 'printer-paper-end');
    await screen(page, 'printer-blocked');
    expect(await text(page, 'status')).toBe('プリンター：用紙切れ');
    await place(page, 'mynumber');
    await expect.poll(() => kiosk.runtime.getState().cardPresent).toBe(true);
    expect(kiosk.runtime.getState().phase).toBe('idle');
    // the card arrives without a phase change: wait for the screen to draw the state that says so
    await expect.poll(() => text(page, 'next')).toBe('カードはそのまま置いておいてください。');
    await shot(page, 'printer-blocked-800x480');
    await fault(page, 'printer-ok'); // the waiting card is read as soon as the printer is back
    await screen(page, 'secret-entry');
    await page.click('#keypad button[data-key="cancel"]');
    await page.click('#demo-remove');

    await fault(page, 'maintenance-on');
    await screen(page, 'maintenance');
    expect(await text(page, 'headline')).toBe('ただいま保守作業中です');
    await shot(page, 'maintenance-800x480');
    await fault(page, 'maintenance-off');
    await screen(page, 'idle');
  });

  it('an entry left alone times out, and the result returns to idle by itself', async () => {
    const quick = await startKiosk({
      config: parseConfig({ server: { port: 0 }, api: { enabled: false }, timeouts: { entryMs: 1000, resultMs: 1500 } }),
      demo: new DemoCardSet(),
    });
    try {
      const page = await open(quick);
      await place(page, 'mynumber');
      await screen(page, 'secret-entry');
      await screen(page, 'result', 5000);
      expect(await text(page, 'headline')).toBe('時間切れのため中止しました');
      expect(await text(page, 'message')).toContain('一定時間操作がなかったため中止しました');
      await shot(page, 'entry-timeout');
      await page.click('#demo-remove');
      await screen(page, 'idle', 5000);
      await page.close();
    } finally {
      await quick.stop();
    }
  });
});
