// Issue 19 in the browser (demo daemon, headless Chromium, the runtime's timers driven by hand — no waiting
// for timeouts): a card forgotten in the reader escalates (chime → chime and spoken prompt → flashing
// screen, a steady strong colour under prefers-reduced-motion) and shows as a health fault and a metric;
// the PIN entry warns before it times out and can be extended; 決定 with too few digits says why; the
// residence-card number is shown as typed; the passport's three fields with back/edit, a check as soon as
// a field is complete, the review before the chip is touched, and a typo corrected with the passport still
// on the reader.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startKiosk, type Kiosk } from '../../daemon/app.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import { ARTIFACTS, launchBrowser } from '../harness/browser.ts';
import { ManualTimers } from '../harness/manual-timers.ts';
import { DemoCardSet } from '../../drivers/sim/demo/demo-card-set.ts';
import { SMALL, WIDE, screen, shot, text } from './helpers.ts';

let kiosk: Kiosk;
let browser: Browser;
let page: Page;
const timers = new ManualTimers();

/** Audio element play/ended events and the screen's alert/prompt events, in order. */
const cues = (p: Page) => p.evaluate<string[]>('window.__cues.slice()');

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [kiosk, browser] = await Promise.all([
    startKiosk({
      config: parseConfig({ server: { port: 0 }, api: { enabled: false }, documents: ['mynumber-jpki-auth', 'residence', 'passport'] }),
      demo: new DemoCardSet(),
      timers,
      operations: { healthServer: false },
    }),
    launchBrowser(['--autoplay-policy=no-user-gesture-required']), // as on the kiosk
  ]);
  page = await browser.newPage({ viewport: SMALL });
  await page.addInitScript(`
    const log = (window.__cues = []);
    // the alert chimes only (#sounds); the voice prompts have their own test (voice.test.ts)
    for (const type of ['play', 'ended']) document.addEventListener(type, (e) => e.target.dataset?.kind && log.push(type + ':' + e.target.dataset.kind), true);
    document.addEventListener('kiosk-alert', (e) => log.push('alert:' + e.detail.kind + ':' + e.detail.level));
    document.addEventListener('kiosk-prompt', (e) => log.push('prompt:' + e.detail.screen));
  `);
  await page.goto(kiosk.server.url);
  await page.waitForSelector('body[data-screen="idle"]');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

async function place(card: string) {
  await page.selectOption('#demo-card', card);
  await page.click('#demo-insert');
}

describe('a forgotten card escalates', () => {
  it('chime, then chime and spoken prompt, then a flashing screen; a health fault and a metric meanwhile', async () => {
    await place('mynumber');
    await screen(page, 'secret-entry');
    await page.click('#keypad button[data-key="cancel"]');
    await screen(page, 'result');
    timers.advance(kiosk.runtime.getState().phase === 'result' ? 10_000 : 0); // the result's own time on screen
    await screen(page, 'remove-card');
    expect(await text(page, 'headline')).toBe('カードをお取りください');
    expect(await page.evaluate('document.body.dataset.cardLeftStage')).toBe('none');
    await shot(page, 'card-left-0-800x480');

    timers.advance(20_000); // first reminder: chime and a stronger screen
    await expect.poll(() => cues(page), { timeout: 20_000 }).toEqual(['alert:card-left:1', 'play:card-left', 'ended:card-left']);
    expect(await page.evaluate('document.body.dataset.cardLeftStage')).toBe('strong');
    expect(await text(page, 'headline')).toBe('カードが残っています');
    await shot(page, 'card-left-1-800x480');
    expect(kiosk.operations.health.snapshot()).toMatchObject({ faults: expect.arrayContaining(['CARD_LEFT']), cardLeft: { level: 1 } });

    timers.advance(20_000); // second: the chime, then the spoken prompt of this screen
    await expect
      .poll(() => cues(page), { timeout: 20_000 })
      .toEqual(['alert:card-left:1', 'play:card-left', 'ended:card-left', 'alert:card-left:2', 'play:card-left', 'ended:card-left', 'prompt:card-left']);

    timers.advance(20_000); // third: flashing (one flash a second)
    await expect.poll(() => page.evaluate('document.body.dataset.cardLeftStage')).toBe('flash');
    expect(await page.evaluate("getComputedStyle(document.querySelector('main')).animationName")).toBe('card-left-flash');
    await shot(page, 'card-left-3-800x480');
    // …or, for people who asked for less motion, a steady strong colour instead of flashing
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await page.evaluate("getComputedStyle(document.querySelector('main')).animationName")).toBe('none');
    expect(await page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor")).toBe('rgb(255, 209, 102)');
    await shot(page, 'card-left-3-reduced-motion-800x480');
    await page.emulateMedia({ reducedMotion: null });

    const metrics = await kiosk.operations.metrics.registry.metrics();
    expect(metrics).toMatch(/^idkiosk_card_left_level 3$/m);
    expect(metrics).toMatch(/^idkiosk_card_left_alerts_total\{level="1"\} 1$/m);
    expect(metrics).toMatch(/^idkiosk_card_left_alerts_total\{level="3"\} 1$/m);

    await page.click('#demo-remove'); // taken: back to idle, the reminder ends everywhere
    await screen(page, 'idle');
    expect(await page.evaluate('document.body.dataset.cardLeftStage')).toBe('none');
    expect(kiosk.operations.health.snapshot().faults).not.toContain('CARD_LEFT');
    expect(await kiosk.operations.metrics.registry.metrics()).toMatch(/^idkiosk_card_left_level 0$/m);
  }, 90_000);
});

describe('PIN entry dead ends', () => {
  it('warns before the timeout with a way to extend; 決定 with too few digits says why', async () => {
    await page.setViewportSize(WIDE);
    await place('mynumber');
    await screen(page, 'secret-entry');
    expect(await page.isHidden('#expiring')).toBe(true);
    timers.advance(20_000);
    await page.waitForSelector('#expiring:not([hidden])');
    expect(await text(page, 'expiring-text')).toBe('まもなく時間切れになります。続けるときは「延長する」を押してください。');
    await shot(page, 'entry-expiring');
    await page.click('#extend');
    await page.waitForSelector('#expiring', { state: 'hidden' });
    timers.advance(29_000); // the extension restarted the 30 s: still entering
    expect(kiosk.runtime.getState().phase).toBe('secret-entry');

    for (const d of '12') await page.click(`#keypad button[data-char="${d}"]`);
    await page.click('#keypad button[data-key="enter"]');
    await expect.poll(() => text(page, 'tries')).toBe('4桁すべて入力してから「決定」を押してください。');
    expect(kiosk.runtime.getState().phase).toBe('secret-entry');
    await shot(page, 'entry-too-short');
    timers.advance(30_000); // left alone: it times out as before
    await screen(page, 'result');
    expect(await text(page, 'headline')).toBe('時間切れのため中止しました');
    await page.click('#demo-remove');
    timers.advance(10_000);
    await screen(page, 'idle');
  });

  it('a residence-card number is shown as typed, not masked', async () => {
    await page.setViewportSize(SMALL);
    await place('residence-gen2');
    await screen(page, 'secret-entry');
    for (const c of 'AA12') await page.click(`#pads button[data-char="${c}"]`);
    await expect.poll(() => text(page, 'dots')).toBe('AA12○○○○○○○○');
    // the simulated keypad is no hardware pad: no multi-tap hint next to on-screen keys that type 2
    expect(await text(page, 'message')).toContain('英字は画面の英字ボタンで入力します。');
    expect(await text(page, 'message')).not.toContain('2→A B C');
    await shot(page, 'residence-number-typed-800x480');
    await page.click('#keypad button[data-key="cancel"]');
    await page.click('#demo-remove');
    timers.advance(10_000);
    await screen(page, 'idle');
  });

  it('paper out during the session: a receipt-failure screen with the reference to note, also while the card waits', async () => {
    await page.setViewportSize(SMALL);
    await place('mynumber');
    await screen(page, 'secret-entry');
    kiosk.peripherals.virtualPrinter!.setPaper('end');
    for (const d of '1234') await page.click(`#keypad button[data-char="${d}"]`);
    await page.click('#keypad button[data-key="enter"]');
    await screen(page, 'receipt-failed');
    const ref = kiosk.peripherals.receipts!.lastJob()!;
    expect(ref).toMatchObject({ state: 'held', code: 'PRINTER_PAPER_END' });
    expect(await text(page, 'headline')).toBe('レシートを印刷できませんでした');
    expect(await text(page, 'receipt')).toBe(`受付番号　${ref.reference}`);
    expect(await text(page, 'message')).toContain('確認の結果：本人確認できました');
    expect(await text(page, 'message')).toContain('レシートの用紙が切れています');
    await shot(page, 'receipt-failed-800x480');
    timers.advance(10_000); // the result's time is up, the card is still there: the reference stays
    await expect.poll(() => kiosk.runtime.getState().phase).toBe('remove-card');
    await screen(page, 'receipt-failed');
    expect(await text(page, 'next')).toBe('カードをお取りください。');
    await page.click('#demo-remove');
    await screen(page, 'printer-blocked');
    kiosk.peripherals.virtualPrinter!.setPaper('ok');
    await screen(page, 'idle');
  });
});

describe('printed numbers: fields, review, typo recovery (passport, 800×480)', () => {
  const tap = async (value: string) => {
    for (const c of value) await page.click(`#pads button[data-char="${c}"]`);
  };
  const enter = () => page.click('#keypad button[data-key="enter"]');
  const values = () => page.$$eval('#review-list .review-value', (els) => els.map((e) => e.textContent));

  it('back to a field with its value kept, a wrong date flagged at once, the review, a typo corrected in place', async () => {
    await page.setViewportSize(SMALL);
    await place('passport');
    await screen(page, 'secret-entry');
    expect(await text(page, 'headline')).toBe('旅券番号を入力してください');
    expect(await page.isHidden('#prev-field')).toBe(true); // nothing before the first field
    await tap('TK1234568'); // one digit wrong: only the chip can tell
    await enter();
    await expect.poll(() => text(page, 'headline')).toBe('生年月日を入力してください');
    expect(await text(page, 'detail')).toBe('2／3項目め');
    await tap('900115');
    await enter();
    await expect.poll(() => text(page, 'headline')).toBe('有効期間満了日を入力してください');
    await tap('351331'); // month 13: flagged as soon as the sixth digit is in, not after all three fields
    await expect.poll(() => text(page, 'tries')).toContain('正しい日付になっていません');
    await shot(page, 'fields-1-date-flagged-800x480');
    await enter(); // 決定 does not move on from a wrong field
    expect(kiosk.runtime.getState().entry?.purpose).toBe('passport-expiry-date');

    await page.click('#prev-field'); // back: the birth date, as typed, editable
    await expect.poll(() => text(page, 'headline')).toBe('生年月日を入力してください');
    expect(await text(page, 'dots')).toBe('900115');
    await shot(page, 'fields-2-back-800x480');
    await enter();
    await expect.poll(() => text(page, 'dots')).toBe('351331'); // the expiry kept as well
    await page.click('#pads button[data-key="clear"]');
    await tap('351231');
    await enter();

    await screen(page, 'entry-review'); // the card is not touched before 「この内容で読み取る」
    expect(await values()).toEqual(['TK1234568', '900115', '351231']);
    expect(await page.isHidden('#pads')).toBe(true);
    await shot(page, 'fields-3-review-800x480');
    await page.click('#review-confirm');

    // the chip refuses the key: back to the review, values kept, the passport still on the reader
    await expect.poll(() => kiosk.runtime.getState().entry?.form?.mismatch?.attempt, { timeout: 20_000 }).toBe(2);
    await screen(page, 'entry-review');
    expect(await text(page, 'tries')).toBe(
      '入力した番号がカードと一致しません。書類を確かめて、違う項目を「修正する」で直してください。カードは置いたままにしてください（あと2回）。',
    );
    expect(await values()).toEqual(['TK1234568', '900115', '351231']);
    await shot(page, 'fields-4-mismatch-800x480');
    await page.click('#review-list button[data-field="0"]'); // 修正する: the document number
    await expect.poll(() => text(page, 'dots')).toBe('TK1234568');
    await page.click('#keypad button[data-key="back"]');
    await tap('7');
    await enter(); // from 修正する, 決定 returns to the review
    await screen(page, 'entry-review');
    expect(await values()).toEqual(['TK1234567', '900115', '351231']);
    await page.click('#review-confirm');
    await screen(page, 'result', 30_000);
    expect(await text(page, 'headline')).toBe('本人確認できました');
    await shot(page, 'fields-5-verified-800x480');
    await page.click('#demo-remove');
    timers.advance(10_000);
    await screen(page, 'idle');
  }, 90_000);
});
