// The demo panel switches the My Number mode and the walk-up policy at run time (issue 19): one demo daemon,
// headless Chromium, and for each mode — JPKI 利用者証明, 4情報 (券面事項入力補助AP), 署名用, 券面AP, an age
// check under a policy — the panel is used to pick it, the virtual My Number card is placed, its secret
// typed on the on-screen pad, and the mode's own result screen appears. A switch during a session is
// refused on the panel; a policy narrows the documents the idle screen lists. Screenshots go to
// .test-artifacts/ (screen-demo-*.png).
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startKiosk, type Kiosk } from '../../daemon/app.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import { DemoCardSet } from '../../drivers/sim/demo/demo-card-set.ts';
import { DEMO_SECRETS } from '../../drivers/sim/demo/demo-card-factory.ts';
import { ARTIFACTS, launchBrowser } from '../harness/browser.ts';
import { openRecordedPage, type Frames } from '../harness/demo-kiosk.ts';
import { WIDE, screen, shot, text } from './helpers.ts';

let kiosk: Kiosk;
let browser: Browser;
let page: Page;
let frames: Frames;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [kiosk, browser] = await Promise.all([
    startKiosk({ config: parseConfig({ server: { port: 0 }, api: { enabled: false }, timeouts: { resultMs: 60_000 } }), demo: new DemoCardSet() }),
    launchBrowser(),
  ]);
  ({ page, frames } = await openRecordedPage(browser, kiosk.server.url, WIDE));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

/** Picks a mode and a policy ('' = none) on the panel and waits until the daemon's hello says so. */
async function pick(mode: string, policy: string) {
  await page.selectOption('#demo-mode', mode);
  await page.selectOption('#demo-policy', policy);
  await page.click('#demo-session-go');
  await expect.poll(() => lastSession()).toMatchObject({ mode, policy: policy || null });
}

/** The daemon's settings as the screen last heard them (the newest hello on the page's socket). */
function lastSession(): { mode: string; policy: string | null } | null {
  const hellos = frames.received
    .map((f) => JSON.parse(f) as { type: string; demoSession?: { mode: string; policy: string | null } })
    .filter((m) => m.type === 'hello');
  return hellos.at(-1)?.demoSession ?? null;
}

async function type(chars: string) {
  for (const ch of chars) await page.click(`#pads button[data-char="${ch}"]`);
  await page.click('#keypad button[data-key="enter"]');
}

/** Place the virtual My Number card, type the secret the entry screen asks for, wait for the result. */
async function run(secret: string, entryHeadline: string) {
  await page.selectOption('#demo-card', 'mynumber');
  await page.click('#demo-insert');
  await screen(page, 'secret-entry');
  expect(await text(page, 'headline')).toBe(entryHeadline);
  await type(secret);
  await screen(page, 'result', 20_000);
}

async function leave() {
  await page.click('#demo-remove');
  await page.keyboard.press('Escape');
  await screen(page, 'idle');
}

describe('demo panel: every My Number mode and policy without a restart (headless Chromium)', () => {
  it('offers every mode and every policy', async () => {
    await screen(page, 'idle');
    const values = (sel: string) => page.$$eval(`${sel} option`, (os) => os.map((o) => (o as { value: string }).value));
    expect(await values('#demo-mode')).toEqual(['auth', 'info', 'sign', 'face']);
    expect(await values('#demo-policy')).toEqual(['', 'jpki-auth', 'mynumber-4info', 'jpki-sign', 'license', 'residence', 'passport', 'age-20', 'age-18']);
    // every option has a label of its own (none falls back to the bare name)
    const labels = await page.$$eval('#demo-mode option, #demo-policy option', (os) => os.map((o) => [(o as { value: string }).value, o.textContent]));
    for (const [v, l] of labels) expect(l).not.toBe(v);
  });

  const cases: [mode: string, policy: string, secret: string, entry: string, check: () => Promise<void>][] = [
    ['auth', '', DEMO_SECRETS.myNumberPin, '暗証番号を入力してください', async () => expect(await text(page, 'headline')).toBe('本人確認できました')],
    [
      'info',
      '',
      DEMO_SECRETS.myNumberPin,
      '暗証番号を入力してください',
      async () => {
        expect(await text(page, 'headline')).toBe('券面事項を読み取りました');
        expect(await page.locator('#holder dl').count()).toBeGreaterThan(0);
      },
    ],
    [
      'sign',
      '',
      DEMO_SECRETS.myNumberSignPassword,
      '署名用パスワードを入力してください',
      async () => expect(await text(page, 'headline')).toBe('署名用電子証明書で本人確認できました'),
    ],
    [
      'face',
      '',
      DEMO_SECRETS.myNumberCheckCodeB,
      '照合番号Bを入力してください',
      async () => {
        expect(await text(page, 'headline')).toBe('券面の画像を読み取りました');
        expect(await page.locator('#holder img').count()).toBeGreaterThan(0);
      },
    ],
    // The synthetic holder was born on 1 January 1990 (drivers/sim/mynumber SYNTHETIC_HOLDER): 20 or older.
    ['info', 'age-20', DEMO_SECRETS.myNumberPin, '暗証番号を入力してください', async () => expect(await text(page, 'holder')).toContain('20歳以上です')],
  ];
  for (const [mode, policy, secret, entry, check] of cases) {
    it(`mode ${mode}${policy ? ` under ${policy}` : ''}: picked on the panel, a session shows its result`, async () => {
      await pick(mode, policy);
      await run(secret, entry);
      await check();
      await shot(page, `demo-${mode}${policy ? `-${policy}` : ''}`);
      await leave();
    });
  }

  it('a policy narrows the idle screen; a switch during a session is refused and says so', async () => {
    await pick('auth', 'passport');
    await expect.poll(() => page.locator('#documents li').count()).toBe(1);
    expect(await text(page, 'documents')).toContain('旅券');
    await pick('auth', '');
    await expect.poll(() => page.locator('#documents li').count()).toBe(4);
    await page.selectOption('#demo-card', 'mynumber');
    await page.click('#demo-insert');
    await screen(page, 'secret-entry');
    await page.selectOption('#demo-mode', 'face');
    await page.click('#demo-session-go');
    await expect.poll(() => text(page, 'demo-session-note')).toBe('確認中は切り替えできません');
    expect(lastSession()).toMatchObject({ mode: 'auth', policy: null });
    await page.keyboard.press('Escape');
    await leave();
  });

  // Issue 19: dates as 2029年12月6日, never "20291206"; 在留資格 never as its (unpublished) code. Every
  // document flow from the panel, its result screen and its receipt. The receipt's reference number starts
  // with the date on purpose (YYYYMMDD-XXXXXX, a number to quote): only that form is allowed there.
  const rawDate = /(?<![0-9A-Za-z])(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![0-9A-Za-z-])/;
  const jaDate = /(19|20)\d{2}年(1[0-2]|[1-9])月([12]\d|3[01]|[1-9])日/;
  const flows: [card: string, secrets: string[], extra: (shown: string) => void][] = [
    ['license', [DEMO_SECRETS.licensePin1, DEMO_SECRETS.licensePin2], () => {}],
    ['residence-gen1', [DEMO_SECRETS.residenceCardNumber], (d) => expect(d).toMatch(/在留資格\s+カード表面に記載されています/)],
    [
      'residence-gen2',
      [DEMO_SECRETS.residenceCardNumber],
      (d) => {
        expect(d).toMatch(jaDate);
        expect(d).toMatch(/在留資格\s+カード表面に記載されています/);
        expect(d).not.toMatch(/\d{10}/);
      },
    ],
    ['passport', [DEMO_SECRETS.passport.documentNumber, DEMO_SECRETS.passport.dateOfBirth, DEMO_SECRETS.passport.dateOfExpiry], () => {}],
    ['mynumber', [DEMO_SECRETS.myNumberPin], (d) => expect(d).toMatch(jaDate)],
  ];
  it('every document: dates in words on the result screen and the receipt, 在留資格 where it is shown', async () => {
    await pick('info', '');
    for (const [card, secrets, extra] of flows) {
      await page.selectOption('#demo-card', card);
      await page.click('#demo-insert');
      for (const secret of secrets) {
        await screen(page, 'secret-entry');
        await expect.poll(() => kiosk.runtime.getState().entry?.purpose).toBeTruthy();
        const purpose = kiosk.runtime.getState().entry?.purpose;
        await type(secret);
        // the next entry (licence PIN2, passport dates), the review of printed numbers (issue 19) or the result
        await expect
          .poll(() => (kiosk.runtime.getState().entry?.form?.review ? 'review' : kiosk.runtime.getState().entry?.purpose), { timeout: 15_000 })
          .not.toBe(purpose);
      }
      if (kiosk.runtime.getState().entry?.form?.review) await page.click('#review-confirm');
      await screen(page, 'result', 20_000);
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
      const shown = await page.innerText('main');
      expect(shown, card).not.toMatch(rawDate);
      extra(shown);
      await expect.poll(() => text(page, 'receipt'), { timeout: 10_000 }).toMatch(/受付番号/);
      const svg = kiosk.peripherals.lastReceiptSvg() ?? '';
      const printed = svg.replace(/<[^>]*>/g, ' ');
      expect(printed, card).toContain('受付番号');
      expect(printed.replace(/\b\d{8}-[0-9A-Z]{6}\b/g, 'REF'), card).not.toMatch(rawDate);
      await shot(page, `demo-dates-${card}`);
      await leave();
    }
  }, 120_000);
});
