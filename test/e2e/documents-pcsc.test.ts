// Every document the demo offers, through the real stack and seen in headless Chromium at 800×480: the
// demo's virtual cards (drivers/sim/demo through daemon/demo, the same synthetic anchors and CRL store) presented to a private
// pcscd over vsmartcard-vpcd, the daemon on reader backend 'pcsc', secrets typed on the on-screen keypad
// and A–Z keyboard or on the simulated hardware keypad. Each flow goes from idle to the result; the test
// checks the Japanese headline and the guidance, saves a screenshot of every screen, and proves that no
// PIN, card number, passport key or password crossed the WebSocket. One pcscd and one browser for the file.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SimulatedKeypad } from '../../drivers/keypad/simulated.ts';
import type { KeyName } from '../../drivers/keypad/types.ts';
import { VpcdClient } from '../../drivers/sim/vpcd-client.ts';
import { virtualCardTrustConfig } from '../../drivers/sim/mynumber/index.ts';
import { startKiosk, type Kiosk } from '../../daemon/app.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import { DEMO_SECRETS } from '../../drivers/sim/demo/demo-card-factory.ts';
import { DemoDocuments } from '../../daemon/demo/demo-cards.ts';
import type { DemoCard } from '../../daemon/server/protocol.ts';
import { expectNoSecrets, openRecordedPage, writeDemoAnchors, type Frames } from '../harness/demo-kiosk.ts';
import { useE2eStack } from '../harness/e2e-stack.ts';
import { missingGlyphs } from '../harness/glyphs.ts';
import { screen, shot as screenshot, SMALL, text } from './helpers.ts';
import { DemoCardSet } from '../../drivers/sim/demo/demo-card-set.ts';

const S = DEMO_SECRETS;
// The numbers printed on the document (residence-card number, passport number and dates) are not secrets:
// the screen shows them as typed (issue 19), so they are not in this list.
const ALL_SECRETS = [S.licensePin1, S.licensePin2, S.myNumberSignPassword, S.myNumberCheckCodeB];

let docs: DemoDocuments;
let trust: Record<string, string[]>;
let running = '';

/** A daemon on the real pcscd for this document list (restarted only when the list changes). */
async function daemon(documents: string[], mynumberMode?: 'auth' | 'info' | 'sign' | 'face'): Promise<Kiosk> {
  const key = `${documents.join(',')}/${mynumberMode ?? ''}`;
  if (e2e.kiosk && running === key) return e2e.kiosk;
  await e2e.kiosk?.stop();
  const config = parseConfig({
    kioskId: 'kiosk-e2e-docs',
    server: { port: 0 },
    reader: { backend: 'pcsc' },
    documents,
    trust,
    keypad: { backend: 'simulated', multitapMs: 400 },
    timeouts: { resultMs: 60_000 },
    // The demo cards' 券面 data is signed under this process's synthetic test-hierarchy CV CA keys.
    ...(mynumberMode ? { mynumber: { mode: mynumberMode, ...virtualCardTrustConfig() } } : {}),
  });
  e2e.kiosk = await startKiosk({ config, simulated: true, revocation: docs.revocation });
  running = key;
  return e2e.kiosk;
}

const e2e = useE2eStack('idkiosk-e2e-docs-', {
  setup: (s) => {
    docs = new DemoDocuments(new DemoCardSet());
    trust = writeDemoAnchors(docs, s.dir);
  },
  teardown: () => docs?.dispose(),
});

/** A screenshot of the screen, and no character on it that no installed font can draw (tofu). */
async function shot(page: Page, name: string) {
  await screenshot(page, name);
  expect(missingGlyphs(await page.innerText('body')), name).toEqual([]);
}

async function present(kind: DemoCard) {
  e2e.client = new VpcdClient(docs.card(kind), { port: e2e.pcscd.port });
  await e2e.client.insert();
}

/** Opens the screen on idle (screenshot), places the card. */
async function begin(name: string, kind: DemoCard): Promise<{ page: Page; frames: Frames }> {
  const { page, frames } = await openRecordedPage(e2e.browser, e2e.kiosk!.server.url, SMALL);
  await screen(page, 'idle');
  await shot(page, `${name}-01-idle`);
  await present(kind);
  return { page, frames };
}

/** The on-screen keypad and A–Z keyboard: per-entry tokens on the wire, never characters. */
async function tapOnScreen(page: Page, value: string) {
  for (const ch of value) await page.click(`#pads button[data-char="${ch}"]`);
  await page.click('#pads button[data-key="enter"]');
}

/** The review of the printed numbers typed (issue 19): screenshot, then 「この内容で読み取る」. */
async function review(page: Page, shotName: string, values: string[]) {
  await screen(page, 'entry-review');
  expect(await page.$$eval('#review-list .review-value', (els) => els.map((e) => e.textContent))).toEqual(values);
  await shot(page, shotName);
  await page.click('#review-confirm');
}

/** The simulated hardware keypad (digits; '#' is enter). */
function pressHardware(keys: string) {
  const pad = e2e.kiosk!.peripherals.keypad as SimulatedKeypad;
  for (const k of keys) pad.press(k as KeyName);
}

/** Waits for the entry screen of `purpose`, checks its headline, takes a screenshot. */
async function entry(page: Page, purpose: string, headline: string, shotName: string) {
  await expect
    .poll(() => page.evaluate<string>("document.body.dataset.screen + '/' + document.querySelector('#dots').childElementCount"), { timeout: 10_000 })
    .toMatch(/^secret-entry\/\d+$/);
  await expect.poll(() => e2e.kiosk!.runtime.getState().entry?.purpose, { timeout: 10_000 }).toBe(purpose);
  await expect.poll(() => text(page, 'headline')).toBe(headline);
  await shot(page, shotName);
}

async function result(page: Page, headline: string, shotName: string): Promise<string> {
  await screen(page, 'result', 15_000);
  expect(await text(page, 'headline')).toBe(headline);
  await shot(page, shotName);
  return (await text(page, 'message')) ?? '';
}

describe('運転免許証 through pcscd + vpcd (800×480)', () => {
  beforeAll(() => daemon(['license']).then(() => undefined), 30_000);

  it('PIN set: a wrong PIN1 shows the tries left, then the right one verifies', async () => {
    const { page, frames } = await begin('license-pin', 'license');
    await entry(page, 'license-pin1', '暗証番号1を入力してください', 'license-pin-02-pin1');
    await tapOnScreen(page, '9999');
    await expect.poll(() => text(page, 'tries'), { timeout: 10_000 }).toBe('暗証番号が違います。残り2回です。');
    await shot(page, 'license-pin-03-wrong-pin');
    await tapOnScreen(page, S.licensePin1);
    // With a licence key configured the kiosk reads PIN2 too: EF07 covers 本籍 and the photo.
    await entry(page, 'license-pin2', '暗証番号2を入力してください', 'license-pin-03b-pin2');
    await tapOnScreen(page, S.licensePin2);
    await result(page, '本人確認できました', 'license-pin-04-verified');
    expectNoSecrets(frames, [...ALL_SECRETS, '9999']);
    await page.close();
  }, 30_000);

  it('default PIN (no PIN set on the card): no PIN screen, verified', async () => {
    const { page } = await begin('license-default', 'license-default-pin');
    await result(page, '本人確認できました', 'license-default-02-verified');
    await page.close();
  }, 20_000);

  it('expired licence: refused, told to bring a valid document', async () => {
    const { page } = await begin('license-expired', 'license-expired');
    const msg = await result(page, '本人確認できませんでした', 'license-expired-02-refused');
    expect(msg).toContain('有効期間が過ぎています');
    await page.close();
  }, 20_000);

  it('locked PIN: refused, sent to a licensing centre or police station (not the municipal office)', async () => {
    const { page } = await begin('license-locked', 'license-locked');
    const msg = await result(page, '本人確認できませんでした', 'license-locked-02-refused');
    expect(msg).toContain('運転免許センターまたは警察署');
    expect(msg).not.toContain('市区町村');
    await page.close();
  }, 20_000);
});

describe('在留カード through pcscd + vpcd (800×480)', () => {
  beforeAll(() => daemon(['residence']).then(() => undefined), 30_000);

  it.each([1, 2] as const)(
    'generation %i: the card number on the on-screen A–Z keyboard, verified',
    async (gen) => {
      const { page, frames } = await begin(`residence-gen${gen}`, `residence-gen${gen}`);
      await entry(page, 'residence-card-number', '在留カード番号を入力してください', `residence-gen${gen}-02-number`);
      expect(await page.isVisible('#letters')).toBe(true);
      await tapOnScreen(page, S.residenceCardNumber);
      await review(page, `residence-gen${gen}-02b-review`, [S.residenceCardNumber]);
      // gen 1: the chip's data is proven, but its expiry only on the card face, so no 本人確認できました
      await result(page, gen === 1 ? 'ICチップの内容を確認しました' : '本人確認できました', `residence-gen${gen}-03-verified`);
      const details = await page.innerText('#holder');
      expect(details).toContain(gen === 1 ? '第1世代' : '第2世代');
      expect(details).toContain('在留カード');
      if (gen === 2) expect(details).toContain('就労制限なし');
      expectNoSecrets(frames, ALL_SECRETS, [S.residenceCardNumber]);
      await page.close();
    },
    30_000,
  );

  it('wrong number: back to the review with the number kept, corrected in place, the card never placed again', async () => {
    const { page, frames } = await begin('residence-wrong', 'residence-gen2');
    await entry(page, 'residence-card-number', '在留カード番号を入力してください', 'residence-wrong-02-number');
    await tapOnScreen(page, 'ZZ99999999ZZ');
    await review(page, 'residence-wrong-03-review', ['ZZ99999999ZZ']);
    await expect.poll(() => e2e.kiosk!.runtime.getState().entry?.form?.mismatch?.attempt, { timeout: 10_000 }).toBe(2);
    await screen(page, 'entry-review');
    // The daemon's state changes before the page hears of it (the first review is the same screen): poll.
    await expect.poll(() => text(page, 'tries')).toContain('入力した番号がカードと一致しません');
    await shot(page, 'residence-wrong-04-mismatch');
    await page.click('#review-list button[data-field="0"]');
    await expect.poll(() => text(page, 'dots')).toBe('ZZ99999999ZZ');
    await page.click('#pads button[data-key="clear"]');
    await tapOnScreen(page, S.residenceCardNumber);
    await review(page, 'residence-wrong-05-review', [S.residenceCardNumber]);
    await result(page, '本人確認できました', 'residence-wrong-06-verified');
    expectNoSecrets(frames, ALL_SECRETS, [S.residenceCardNumber]);
    await page.close();
  }, 40_000);
});

describe('旅券 through pcscd + vpcd (800×480)', () => {
  beforeAll(() => daemon(['passport']).then(() => undefined), 30_000);

  it.each([
    ['pace', 'passport'],
    ['bac', 'passport-bac'],
  ] as const)(
    '%s: passport number on the screen, dates on the hardware keypad, verified',
    async (name, kind) => {
      const { page, frames } = await begin(`passport-${name}`, kind);
      await entry(page, 'passport-document-number', '旅券番号を入力してください', `passport-${name}-02-number`);
      await tapOnScreen(page, S.passport.documentNumber);
      await entry(page, 'passport-birth-date', '生年月日を入力してください', `passport-${name}-03-birth`);
      pressHardware(`${S.passport.dateOfBirth}#`);
      await entry(page, 'passport-expiry-date', '有効期間満了日を入力してください', `passport-${name}-04-expiry`);
      pressHardware(`${S.passport.dateOfExpiry}#`);
      await review(page, `passport-${name}-04b-review`, [S.passport.documentNumber, S.passport.dateOfBirth, S.passport.dateOfExpiry]);
      await result(page, '本人確認できました', `passport-${name}-05-verified`);
      expect(e2e.kiosk!.runtime.getState().result?.checks?.access).toBe(name === 'pace' ? 'PACE' : 'BAC');
      const details = await page.innerText('#holder');
      expect(details).toContain(name === 'pace' ? 'PACE' : 'BAC');
      expect(details).toMatch(/データの真正性（パッシブ認証）\s+確認済み/);
      expectNoSecrets(frames, ALL_SECRETS, [S.passport.documentNumber]);
      await page.close();
    },
    30_000,
  );
});

describe('マイナンバーカード modes through pcscd + vpcd (800×480)', () => {
  it('info: 券面事項入力補助 PIN, the holder’s name and address drawn (𠮷, 髙)', async () => {
    await daemon(['mynumber'], 'info');
    const { page, frames } = await begin('mynumber-info', 'mynumber');
    await entry(page, 'mynumber-text-pin', '暗証番号を入力してください', 'mynumber-info-02-pin');
    pressHardware(`${S.myNumberPin}#`);
    await result(page, '券面事項を読み取りました', 'mynumber-info-03-read');
    expect(await page.textContent('#holder')).toContain('髙橋 𠮷子');
    expectNoSecrets(frames, [...ALL_SECRETS, S.myNumberPin]);
    await page.close();
  }, 30_000);

  it('sign: the signing password on the on-screen keyboard, verified', async () => {
    await daemon(['mynumber'], 'sign');
    const { page, frames } = await begin('mynumber-sign', 'mynumber');
    await entry(page, 'jpki-sign-password', '署名用パスワードを入力してください', 'mynumber-sign-02-password');
    await tapOnScreen(page, S.myNumberSignPassword);
    await result(page, '署名用電子証明書で本人確認できました', 'mynumber-sign-03-verified');
    expectNoSecrets(frames, [...ALL_SECRETS, S.myNumberPin]);
    await page.close();
  }, 30_000);

  it('face: 照合番号B (14 digits) on the hardware keypad, the card images drawn', async () => {
    await daemon(['mynumber'], 'face');
    const { page, frames } = await begin('mynumber-face', 'mynumber');
    await entry(page, 'mynumber-check-code-b', '照合番号Bを入力してください', 'mynumber-face-02-code');
    pressHardware(`${S.myNumberCheckCodeB}#`);
    await result(page, '券面の画像を読み取りました', 'mynumber-face-03-read');
    expectNoSecrets(frames, [...ALL_SECRETS, S.myNumberPin]);
    await page.close();
  }, 30_000);

  it('auth, revoked certificate (the demo CRL): refused, sent to the municipal office', async () => {
    await daemon(['mynumber-jpki-auth']);
    const { page } = await begin('mynumber-revoked', 'mynumber-revoked');
    await entry(page, 'jpki-auth-pin', '暗証番号を入力してください', 'mynumber-revoked-02-pin');
    pressHardware(`${S.myNumberPin}#`);
    const msg = await result(page, '本人確認できませんでした', 'mynumber-revoked-03-refused');
    expect(msg).toContain('失効');
    expect(msg).toContain('市区町村');
    await page.close();
  }, 30_000);
});

describe('demo panel (demo daemon, simulated reader)', () => {
  it('offers every document with the values to type; a licence and a passport run from the panel', async () => {
    // (start-up time is measured by npm run bench, not asserted here: a loaded machine is not a defect)
    const demo = await startKiosk({ config: parseConfig({ server: { port: 0 }, timeouts: { resultMs: 60_000 } }), demo: new DemoCardSet() });
    try {
      const { page, frames } = await openRecordedPage(e2e.browser, demo.server.url, { width: 1280, height: 800 });
      await screen(page, 'idle');
      const labels = await page.$$eval('#demo-card option', (os) => os.map((o) => `${o.value}=${o.textContent}`));
      expect(labels).toEqual(
        expect.arrayContaining([
          'mynumber=マイナンバーカード（暗証番号 1234）',
          'license=運転免許証（暗証番号1 1234・暗証番号2 5678）',
          'license-default-pin=運転免許証（暗証番号を設定していないカード）',
          'license-expired=運転免許証（有効期間切れ）',
          'residence-gen1=在留カード 第1世代（番号 AA12345678BB。別の番号では拒否）',
          'residence-gen2=在留カード 第2世代（番号 AA12345678BB。別の番号では拒否）',
          'passport=旅券 PACE（旅券番号 TK1234567・生年月日 900115・満了日 351231）',
          'passport-bac=旅券 BACのみ（旅券番号 TK1234567・生年月日 900115・満了日 351231）',
        ]),
      );
      await shot(page, 'demo-panel-01-idle');
      await page.selectOption('#demo-card', 'passport-bac');
      await page.setViewportSize(SMALL);
      await shot(page, 'demo-panel-01-idle-small');
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.selectOption('#demo-card', 'license');
      await page.click('#demo-insert');
      await screen(page, 'secret-entry');
      await tapOnScreen(page, S.licensePin1);
      await expect.poll(() => demo.runtime.getState().entry?.purpose, { timeout: 10_000 }).toBe('license-pin2');
      await tapOnScreen(page, S.licensePin2);
      await screen(page, 'result', 10_000);
      expect(await text(page, 'headline')).toBe('本人確認できました');
      await shot(page, 'demo-panel-02-license-verified');
      await page.click('#demo-remove');
      await page.keyboard.press('Escape'); // the next customer dismisses the result
      await screen(page, 'idle');
      await page.selectOption('#demo-card', 'passport');
      await page.click('#demo-insert');
      for (const [purpose, value] of [
        ['passport-document-number', S.passport.documentNumber],
        ['passport-birth-date', S.passport.dateOfBirth],
        ['passport-expiry-date', S.passport.dateOfExpiry],
      ] as const) {
        await expect.poll(() => demo.runtime.getState().entry?.purpose, { timeout: 10_000 }).toBe(purpose);
        await tapOnScreen(page, value);
      }
      await review(page, 'demo-panel-02b-passport-review', [S.passport.documentNumber, S.passport.dateOfBirth, S.passport.dateOfExpiry]);
      await screen(page, 'result', 10_000);
      expect(await text(page, 'message')).toContain('旅券をお取りください');
      await shot(page, 'demo-panel-03-passport-verified');
      // The panel's own frames name the card kind only; the rest obey the same rule as a real kiosk.
      expect(frames.sent.filter((f) => f.includes('"demo-')).every((f) => /^\{"v":2,"type":"demo-(insert","card":"[a-z0-9-]+"|remove")\}$/.test(f))).toBe(true);
      expectNoSecrets({ sent: frames.sent.filter((f) => !f.includes('"demo-')), received: frames.received }, ALL_SECRETS, [S.passport.documentNumber]);
      await page.close();
    } finally {
      await demo.stop();
    }
  }, 40_000);
});
