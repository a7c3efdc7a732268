// Voice guidance in headless Chromium against the demo daemon (issue 19): each screen's prompt is played
// (audio element `play` and `ended`) when the screen changes, the pad's repeat key and the on-screen button
// play it again, typing a PIN plays nothing, voice off lasts one session, and the only audio the screen
// ever fetches is a pre-rendered prompt file (/voice/<lang>/<key>.ogg of ui/voice.js VOICE_KEYS) or an alert
// chime (/sounds/<kind>.wav).
// Playback runs at 16× (the media element's maximum in Chromium) to keep the file to seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startKiosk, type Kiosk } from '../../daemon/app.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import type { SimulatedKeypad } from '../../drivers/keypad/simulated.ts';
import { launchBrowser } from '../harness/browser.ts';
import { buildVoice } from '../../scripts/build-voice.ts';
import { VOICE_KEYS } from '../../ui/voice.js';
import { screen } from './helpers.ts';
import { DemoCardSet } from '../../drivers/sim/demo/demo-card-set.ts';

let kiosk: Kiosk;
let browser: Browser;
let page: Page;
const audioUrls: string[] = [];

interface VoiceEvent {
  key: string;
  lang: string;
  event: 'play' | 'ended' | 'error';
}

beforeAll(async () => {
  await buildVoice(); // from the cache: install-deps.sh / npm run build rendered them
  [kiosk, browser] = await Promise.all([
    startKiosk({ config: parseConfig({ server: { port: 0 }, api: { enabled: false }, timeouts: { resultMs: 60_000 } }), demo: new DemoCardSet() }),
    launchBrowser(['--autoplay-policy=no-user-gesture-required']),
  ]);
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // (a string: this file is type-checked without the DOM library)
  await page.addInitScript(`
    window.voiceEvents = [];
    document.addEventListener('kiosk-voice', (e) => window.voiceEvents.push(e.detail));
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function () {
      this.playbackRate = 16;
      return play.call(this);
    };`);
  page.on('request', (r) => {
    if (/\.(ogg|wav|mp3|opus)(\?|$)/.test(r.url()) || r.resourceType() === 'media') audioUrls.push(new URL(r.url()).pathname);
  });
  await page.goto(kiosk.server.url);
}, 900_000);
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

const events = () => page.evaluate<VoiceEvent[]>('window.voiceEvents');
/** Waits until the prompt `key` has played to its end `times` times in total. */
const endedTimes = (key: string, times: number) =>
  expect.poll(async () => (await events()).filter((e) => e.key === key && e.event === 'ended').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(times);
const plays = async () => (await events()).filter((e) => e.event === 'play').map((e) => `${e.lang}/${e.key}`);

describe('voice guidance (demo daemon, headless Chromium)', () => {
  it('speaks each screen once, repeats on the pad key and the button, never on typing; voice off lasts one session', async () => {
    await screen(page, 'idle');
    await endedTimes('idle', 1);
    expect(await plays()).toEqual(['ja/idle']);

    // the pad's repeat key ('*', bottom left) and the on-screen button
    const keypad = kiosk.peripherals.keypad as SimulatedKeypad;
    keypad.press('*');
    await endedTimes('idle', 2);
    await page.click('#voice-repeat');
    await endedTimes('idle', 3);

    // a PIN: the entry prompt once; the typed digits and a back key on them play nothing
    await page.selectOption('#demo-card', 'mynumber');
    await page.click('#demo-insert');
    await screen(page, 'secret-entry');
    await endedTimes('entry-jpki-auth-pin', 1);
    for (const d of '12') await page.click(`#keypad button[data-char="${d}"]`);
    await expect.poll(() => kiosk.runtime.getState().entry?.length).toBe(2);
    keypad.press('*'); // back: deletes the '2', does not repeat
    await expect.poll(() => kiosk.runtime.getState().entry?.length).toBe(1);
    for (const d of '345') await page.click(`#keypad button[data-char="${d}"]`);
    await expect.poll(() => kiosk.runtime.getState().entry?.length).toBe(4); // 1 3 4 5: a wrong PIN
    await page.click('#keypad button[data-key="enter"]');
    // the wrong PIN: its warning, then the request again
    await endedTimes('entry-wrong', 1);
    await endedTimes('entry-jpki-auth-pin', 2);
    for (const d of '1234') await page.click(`#keypad button[data-char="${d}"]`);
    await page.click('#keypad button[data-key="enter"]');
    await screen(page, 'result');
    await endedTimes('result-verified', 1);
    expect(await plays()).toEqual([
      'ja/idle',
      'ja/idle',
      'ja/idle',
      'ja/entry-jpki-auth-pin',
      'ja/entry-wrong',
      'ja/entry-jpki-auth-pin',
      'ja/result-verified',
    ]);

    // voice off for the rest of this session: the next screens are silent…
    await page.click('#voice-off');
    expect(await page.getAttribute('#voice-off', 'aria-pressed')).toBe('true');
    await page.click('#demo-remove');
    await page.keyboard.press('Escape');
    await screen(page, 'idle');
    // …and the next customer hears the idle prompt again (after the silenced screens, idle is the next play)
    await endedTimes('idle', 4);
    expect((await plays()).slice(7)).toEqual(['ja/idle']);
    expect(await page.getAttribute('#voice-off', 'aria-pressed')).toBe('false');

    // another language: the same screen's prompt in it
    await page.click('#langs button[data-lang="en"]');
    await expect.poll(async () => (await events()).some((e) => e.lang === 'en' && e.key === 'idle' && e.event === 'ended'), { timeout: 15_000 }).toBe(true);

    // only pre-rendered prompt files were ever fetched as audio (besides the alert chimes the daemon
    // synthesises, /sounds/<kind>.wav of daemon/server/chimes.ts), none failed
    expect(audioUrls.length).toBeGreaterThan(0);
    for (const u of audioUrls.filter((x) => !/^\/sounds\/[a-z-]+\.wav$/.test(x))) {
      const m = /^\/voice\/([A-Za-z-]+)\/([a-z0-9-]+)\.ogg$/.exec(u);
      expect(m, u).not.toBeNull();
      expect(VOICE_KEYS).toContain(m![2]);
    }
    expect((await events()).filter((e) => e.event === 'error')).toEqual([]);
  });
});
