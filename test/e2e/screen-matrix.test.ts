// The browser acceptance matrix (issue 19): every screen state in every language the screen offers
// (ui/locales/languages.json) at 800×480 and 1280×800, in headless Chromium, with the voice prompt of each
// screen played by the page. The states are drawn directly — the real screen server
// (daemon/server/ui-server.ts) pushes each one from a stand-in runtime — so no card flow is needed to reach
// them (the full flows run in kiosk-screens, documents-pcsc, kiosk-entry-ux and voice). For each state,
// language and size:
// - axe-core: WCAG 2.0/2.1 A and AA rules plus the AAA ones (enhanced contrast 7:1), zero violations;
// - every visible control (button, select, link, input) at least 48×48 CSS px;
// - no raw error code (PIN_WRONG, SESSION_CANCELLED…) in the visible text;
// - no character that no installed font can draw (tofu), nothing overflowing the screen or clipped in
//   its box;
// - the screen's voice prompts: the audio element's `play` and `ended` for each, no `error` (the file
//   /voice/<lang>/<key>.ogg exists and decodes), and nothing else spoken; over the whole matrix every
//   prompt key of ui/voice.js is played in every language (played to the end at 800×480; at 1280×800,
//   the same prompts, only which start and in what order);
// - a screenshot in .test-artifacts/matrix/.
//
// Speed: one Chromium; a few pages work through the (language, size) pairs in parallel, each page with its
// own screen server and stand-in runtime so it moves at its own pace; a page is told when its state has
// been drawn by counting the frames it received (no fixed waits). MATRIX_LANGUAGES=ja,en narrows the
// languages, MATRIX_WORKERS the number of pages. (Before: one page per pair on one server — 18 pages
// against the screen server's cap of 16 clients, so two were refused and every wait timed out.)
//
// Coverage is derived, not hand-kept: an entry screen for every SecretPurpose (a Record: a new purpose
// does not type-check until it has a format here), and checks below that every phase of ui/protocol.js,
// every outcome and every voice prompt key occurs.
import type { FormField, FormView } from '../../daemon/kiosk/entry-fields.ts';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { TypedEvents } from '../../drivers/typed-events.ts';
import type { KioskRuntime, RuntimeEvents } from '../../daemon/kiosk/runtime.ts';
import { initialState, type EntryView, type KioskState } from '../../daemon/kiosk/session-machine.ts';
import type { ResultView } from '../../daemon/result/result-view.ts';
import type { DevicesView } from '../../daemon/server/protocol.ts';
import { startUiServer, type UiServer } from '../../daemon/server/ui-server.ts';
import { isPrintedNumber, JPKI_AUTH_PIN_FORMAT, type SecretFormat, type SecretPurpose } from '../../daemon/documents/secrets.ts';
import { JPKI_SIGN_PASSWORD_FORMAT } from '../../daemon/documents/mynumber/jpki-sign.ts';
import { TEXT_PIN_FORMAT } from '../../daemon/documents/mynumber/text-ap.ts';
import { CHECK_CODE_B_FORMAT } from '../../daemon/documents/mynumber/check-code-b.ts';
import { CARD_NUMBER_FORMAT } from '../../daemon/documents/residence/constants.ts';
import { PASSPORT_DATE_FORMAT, PASSPORT_DOC_NUMBER_FORMAT } from '../../daemon/documents/passport/passport-flow.ts';
import { OUTCOMES, PHASES } from '../../ui/protocol.js';
import { VOICE_KEYS } from '../../ui/voice.js';
import { buildVoice } from '../../scripts/build-voice.ts';
import { ARTIFACTS, launchBrowser } from '../harness/browser.ts';
import { missingGlyphs } from '../harness/glyphs.ts';
import { SMALL, WIDE } from './helpers.ts';

const ALL_LANGUAGES: { code: string }[] = JSON.parse(readFileSync(new URL('../../ui/locales/languages.json', import.meta.url), 'utf8'));
const only = process.env.MATRIX_LANGUAGES?.split(',').filter(Boolean);
const LANGUAGES = only ? ALL_LANGUAGES.filter((l) => only.includes(l.code)) : ALL_LANGUAGES;
const SIZES = [
  ['800x480', SMALL],
  ['1280x800', WIDE],
] as const;
const WORKERS = Math.max(1, Number(process.env.MATRIX_WORKERS ?? 3));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DIR = `${ARTIFACTS}matrix/`;
/** The voice buttons' label per language (fetched by the page after its first render). */
const repeatLabel = (lang: string): string => JSON.parse(readFileSync(new URL(`../../ui/locales/voice/${lang}.json`, import.meta.url), 'utf8')).labels.repeat;

// --- the states
const pads = (n: number) =>
  Array.from({ length: n }, (_, i) => `${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'abcdefghijklmnopqrstuvwxyz'[Math.floor(i / 26)]}qzqz`);
/** The machine's own starting state, idle with a reader: a field added to KioskState needs no edit here. */
const base: KioskState = { ...initialState(), phase: 'idle', session: 1, readerAvailable: true, reader: 'R' };
const READY: DevicesView = { printer: { state: 'ready', usable: true, required: true }, keypad: { backend: 'simulated', status: 'ready' }, receipt: null };
const result = (r: Partial<ResultView>): ResultView => ({
  outcome: 'verified',
  authenticity: 'proven',
  holderBinding: 'pin',
  document: 'mynumber-jpki-auth',
  reasons: [],
  ...r,
});
const onCard = (s: Partial<KioskState>): KioskState => ({ ...base, cardPresent: true, ...s });

/** Every purpose a document flow asks for, with the format its flow uses. */
const FORMATS: Record<SecretPurpose, SecretFormat> = {
  'jpki-auth-pin': JPKI_AUTH_PIN_FORMAT,
  'jpki-sign-password': JPKI_SIGN_PASSWORD_FORMAT,
  'mynumber-text-pin': TEXT_PIN_FORMAT,
  'mynumber-check-code-b': CHECK_CODE_B_FORMAT,
  'license-pin1': { kind: 'digits', min: 4, max: 4 },
  'license-pin2': { kind: 'digits', min: 4, max: 4 },
  'residence-card-number': CARD_NUMBER_FORMAT,
  'passport-document-number': PASSPORT_DOC_NUMBER_FORMAT,
  'passport-birth-date': PASSPORT_DATE_FORMAT,
  'passport-expiry-date': PASSPORT_DATE_FORMAT,
};
/** An entry half typed: printed numbers shown as typed (issue 19), secrets as dots with their tries. */
function entry(purpose: SecretPurpose, e: Partial<EntryView> = {}): EntryView {
  const format = FORMATS[purpose];
  const length = Math.ceil(format.min / 2);
  const printed = isPrintedNumber(purpose);
  return {
    purpose,
    // (the screen gets the format as JSON: a RegExp pattern does not travel)
    format: { kind: format.kind, min: format.min, max: format.max },
    length,
    triesLeft: printed ? null : 3,
    maxTries: printed ? null : 3,
    previousAttemptWrong: false,
    padIds: pads(format.kind === 'alnum' ? 36 : 10),
    candidate: null,
    candidateIndex: null,
    typed: printed ? (format.kind === 'alnum' ? 'AB1234567890' : '900101').slice(0, length) : null,
    expiring: false,
    tooShort: false,
    form: null,
    ...e,
  };
}
/** The passport's three fields as the daemon's entry form carries them (daemon/kiosk/entry-fields.ts). */
const passportForm = (values: string[], index: number, review: boolean, problem: FormField['problem']): FormView => ({
  fields: [
    { purpose: 'passport-document-number', format: { kind: 'alnum', min: 1, max: 9 }, value: values[0] ?? '', problem: null },
    { purpose: 'passport-birth-date', format: { kind: 'digits', min: 6, max: 6 }, value: values[1] ?? '', problem: null },
    { purpose: 'passport-expiry-date', format: { kind: 'digits', min: 6, max: 6 }, value: values[2] ?? '', problem: index === 2 ? problem : null },
  ],
  index,
  review,
  mismatch: null,
  today: '20261207',
});
const entryState = (purpose: SecretPurpose, e: Partial<EntryView> = {}) => onCard({ phase: 'secret-entry', step: 'pin', entry: entry(purpose, e) });

interface Screen {
  name: string;
  /** The screen id it draws (body[data-screen]). */
  id: string;
  state: KioskState;
  devices?: DevicesView;
  /** An alert pushed after the state (the forgotten-card escalation). */
  alert?: RuntimeEvents['alert'];
  /** The prompts spoken, in order: the screen's own when it starts a session of its own. */
  voice: string[];
  /** Same session as the screen before (a redraw of it: nothing new is spoken). */
  continues?: boolean;
}

/** Entry screens for every purpose, each followed by its variants (same session: typing speaks nothing). */
const ENTRY_VARIANTS: Partial<Record<SecretPurpose, (Omit<Screen, 'id'> & { id?: string })[]>> = {
  'jpki-auth-pin': [
    {
      name: 'pin-wrong',
      state: entryState('jpki-auth-pin', { previousAttemptWrong: true, triesLeft: 2, length: 0, padIds: pads(10).reverse() }),
      voice: ['entry-wrong', 'entry-jpki-auth-pin'],
      continues: true,
    },
    {
      name: 'pin-wrong-last',
      state: entryState('jpki-auth-pin', { previousAttemptWrong: true, triesLeft: 1, length: 0 }),
      voice: ['entry-wrong-last', 'entry-jpki-auth-pin'],
      continues: true,
    },
    { name: 'pin-too-short', state: entryState('jpki-auth-pin', { tooShort: true, triesLeft: 1 }), voice: ['entry-jpki-auth-pin'], continues: true },
    { name: 'pin-expiring', state: entryState('jpki-auth-pin', { expiring: true }), voice: ['entry-timeout-warning'] },
  ],
  'residence-card-number': [
    {
      name: 'card-number-candidate',
      state: entryState('residence-card-number', { length: 4, typed: 'AA12', candidate: 'C', candidateIndex: 2 }),
      voice: [],
      continues: true,
    },
    {
      name: 'card-number-hardware-pad',
      state: entryState('residence-card-number', { length: 0, typed: '' }),
      devices: { ...READY, keypad: { backend: 'evdev', status: 'ready' } },
      voice: ['entry-residence-card-number'],
    },
  ],
  'passport-expiry-date': [
    // the passport's form (issue 19): a field flagged at once, with 前の項目へ; the review after a typo
    {
      name: 'passport-field-problem',
      state: entryState('passport-expiry-date', {
        length: 6,
        typed: '351331',
        padIds: pads(36),
        form: passportForm(['TK1234567', '900115', '351331'], 2, false, 'date'),
      }),
      voice: ['entry-passport-expiry-date'],
      continues: true,
    },
    {
      name: 'passport-review-mismatch',
      id: 'entry-review',
      state: entryState('passport-document-number', {
        length: 0,
        typed: '',
        previousAttemptWrong: true,
        padIds: pads(36),
        form: { ...passportForm(['TK1234568', '900115', '351231'], 0, true, null), mismatch: { attempt: 2, max: 3 } },
      }),
      voice: ['entry-mismatch', 'entry-review'],
      continues: true,
    },
    { name: 'passport-verifying', state: onCard({ phase: 'verifying', step: 'validate' }), voice: ['verifying'], continues: true },
  ],
};
const ENTRY_SCREENS: Screen[] = (Object.keys(FORMATS) as SecretPurpose[]).flatMap((purpose) => [
  { name: `entry-${purpose}`, id: 'secret-entry', state: entryState(purpose), voice: [`entry-${purpose}`] },
  ...(ENTRY_VARIANTS[purpose] ?? []).map((v) => ({ ...v, id: v.id ?? (v.state.phase === 'secret-entry' ? 'secret-entry' : v.state.phase) })),
]);

const RESULT_SCREENS: Screen[] = (
  [
    {
      name: 'verified',
      state: onCard({ phase: 'result', result: result({}) }),
      devices: { ...READY, receipt: { session: 0, reference: '20261207-AB12CD', state: 'confirmed', code: null } },
      voice: ['result-verified'],
    },
    {
      name: 'chip-read',
      state: onCard({ phase: 'result', result: result({ outcome: 'chip-read', authenticity: 'chip-read', document: 'license' }) }),
      voice: ['result-chip-read'],
    },
    {
      name: 'refused-tries-low',
      state: onCard({ phase: 'result', result: result({ outcome: 'refused', authenticity: null, reasons: ['PIN_TRIES_LOW'], triesLeft: 1 }) }),
      voice: ['result-refused'],
    },
    {
      name: 'refused-revoked',
      state: onCard({ phase: 'result', result: result({ outcome: 'refused', authenticity: 'failed', reasons: ['TRUST_REVOKED'] }) }),
      voice: ['result-refused'],
    },
    {
      name: 'age-yes',
      state: onCard({
        phase: 'result',
        result: result({ policy: { name: 'age-20', age: { threshold: 20, over: true }, legal: { version: 't', citationsChecked: true, entries: [] } } }),
      }),
      voice: ['result-verified'],
    },
    {
      name: 'age-no',
      state: onCard({
        phase: 'result',
        result: result({
          outcome: 'refused',
          reasons: ['AGE_BELOW_THRESHOLD'],
          policy: { name: 'age-20', age: { threshold: 20, over: false }, legal: { version: 't', citationsChecked: true, entries: [] } },
        }),
      }),
      voice: ['result-refused'],
    },
    {
      name: 'error-card-removed',
      state: { ...base, phase: 'result', result: result({ outcome: 'error', authenticity: null, holderBinding: null, reasons: ['CARD_REMOVED'] }) },
      voice: ['result-error'],
    },
    {
      name: 'cancelled',
      state: onCard({ phase: 'result', result: result({ outcome: 'cancelled', authenticity: null, holderBinding: null, reasons: ['SESSION_CANCELLED'] }) }),
      voice: ['result-cancelled'],
    },
    {
      name: 'timeout',
      state: onCard({ phase: 'result', result: result({ outcome: 'cancelled', authenticity: null, holderBinding: null, reasons: ['PIN_ENTRY_TIMEOUT'] }) }),
      voice: ['result-timeout'],
    },
  ] satisfies Omit<Screen, 'id'>[]
).map((s) => ({ id: 'result', ...s }));

const SCREENS: Screen[] = [
  { name: 'idle', id: 'idle', state: base, voice: ['idle'] },
  { name: 'starting', id: 'starting', state: { ...base, phase: 'starting' }, voice: ['starting'] },
  { name: 'reading', id: 'reading', state: onCard({ phase: 'reading', step: 'read-certificate' }), voice: ['reading'] },
  ...ENTRY_SCREENS,
  { name: 'verifying', id: 'verifying', state: onCard({ phase: 'verifying', step: 'validate' }), voice: ['verifying'] },
  ...RESULT_SCREENS,
  { name: 'remove-card', id: 'remove-card', state: onCard({ phase: 'remove-card', result: result({}) }), voice: ['remove-card'] },
  // the forgotten card: a stronger screen, then (level 2) the chime and the spoken reminder, then flashing
  { name: 'card-left-1', id: 'remove-card', state: onCard({ phase: 'remove-card', result: result({}), cardLeft: 1 }), voice: [], continues: true },
  {
    name: 'card-left-2',
    id: 'remove-card',
    state: onCard({ phase: 'remove-card', result: result({}), cardLeft: 2 }),
    alert: { kind: 'card-left', level: 2 },
    voice: ['card-left'],
    continues: true,
  },
  { name: 'card-left-3', id: 'remove-card', state: onCard({ phase: 'remove-card', result: result({}), cardLeft: 3 }), voice: [], continues: true },
  {
    name: 'printer-blocked',
    id: 'printer-blocked',
    state: { ...base, blockedBy: ['printer'] },
    devices: { ...READY, printer: { state: 'paper-end', usable: false, required: true } },
    voice: ['printer-blocked'],
  },
  { name: 'maintenance', id: 'maintenance', state: { ...base, blockedBy: ['maintenance'] }, voice: ['maintenance'] },
  {
    name: 'reader-unavailable',
    id: 'reader-unavailable',
    state: { ...base, phase: 'reader-unavailable', readerAvailable: false },
    voice: ['reader-unavailable'],
  },
  // last: a receipt screen depends on the devices of its session (pushed before the state, so a screen
  // before them must not depend on the devices)
  {
    name: 'receipt-held',
    id: 'receipt-failed',
    state: onCard({ phase: 'result', result: result({}) }),
    devices: {
      ...READY,
      printer: { state: 'paper-end', usable: false, required: true },
      receipt: { session: 0, reference: '20261207-AB12CD', state: 'held', code: 'PRINTER_PAPER_END' },
    },
    voice: ['receipt-failed'],
  },
  {
    name: 'receipt-failed',
    id: 'receipt-failed',
    state: onCard({ phase: 'remove-card', result: result({}) }),
    devices: {
      ...READY,
      printer: { state: 'cover-open', usable: false, required: true },
      receipt: { session: 0, reference: '20261207-AB12CD', state: 'failed', code: 'PRINTER_COVER_OPEN' },
    },
    voice: [],
    continues: true,
  },
];
/** Prompt keys the matrix cannot reach, and why. */
const VOICE_ELSEWHERE: Record<string, string> = { offline: 'spoken when the daemon is unreachable: a page with no server (voice.test covers the player)' };

// Each screen its own session (so its prompt is new), unless it continues the one before; a receipt job
// belongs to the screen's session.
let session = 0;
const PUSHED = SCREENS.map((s) => {
  if (!s.continues) session++;
  const d = s.devices ?? READY;
  return { ...s, state: { ...s.state, session }, devices: d.receipt ? { ...d, receipt: { ...d.receipt, session } } : d };
});

// --- one worker: a page, its own screen server and stand-in runtime
interface Worker {
  page: Page;
  cdp: CDPSession;
  server: UiServer;
  push(state: KioskState, devices: DevicesView, alert?: RuntimeEvents['alert']): void;
}

async function startWorker(browser: Browser): Promise<Worker> {
  let state = PUSHED[0]!.state;
  let devices = READY;
  const events = new TypedEvents<RuntimeEvents>();
  const deviceEvents = new TypedEvents<{ change: null }>();
  const runtime = { getState: () => state, events, key() {}, pad() {}, cancel() {} } as unknown as KioskRuntime;
  const server = await startUiServer({
    runtime,
    host: '127.0.0.1',
    port: 0,
    kioskId: 'matrix',
    version: 'test',
    documents: ['mynumber-jpki-auth', 'license', 'residence', 'passport'],
    devices: { get: () => devices, subscribe: (cb) => deviceEvents.on('change', cb) },
  });
  // the injected axe needs the page's CSP bypassed
  const context = await browser.newContext({ bypassCSP: true, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.addInitScript(INIT);
  return {
    page,
    cdp: await context.newCDPSession(page),
    server,
    push(s, d, alert) {
      state = s;
      devices = d;
      // devices first: the screen draws a state with the devices that came before it
      deviceEvents.emit('change', null);
      events.emit('state', s);
      if (alert) events.emit('alert', alert);
    },
  };
}

/**
 * Runs in every page before its scripts: counts the frames the screen has handled (a zero-delay timer
 * after each, so app.js's handler has run), records the voice player's events, and plays media at 16×
 * (the element's maximum) so prompts end in a fraction of a second. A string: this file is type-checked
 * without the DOM library.
 */
const INIT = `
  window.__frames = { state: 0, devices: 0 };
  window.__voice = [];
  // waits resolved by events, not by polling (polling on animation frames makes Chromium draw frames)
  const waiters = new Set();
  const wake = () => { for (const w of waiters) if (w.done()) { waiters.delete(w); w.resolve(true); } };
  window.__until = (done, ms) => new Promise((resolve) => {
    if (done()) return resolve(true);
    const w = { done, resolve };
    waiters.add(w);
    setTimeout(() => { waiters.delete(w); resolve(done()); }, ms);
  });
  document.addEventListener('kiosk-voice', (e) => { window.__voice.push(e.detail); wake(); });
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        let type;
        try { type = JSON.parse(e.data).type; } catch { return; }
        if (type in window.__frames) setTimeout(() => { window.__frames[type]++; wake(); }, 0);
      });
    }
  };
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    // At the second size the same prompts were already decoded and played to their end at the first;
    // here only which prompts start and in what order is checked, so playback ends at once (the wait for
    // real audio was half of the matrix's time).
    if (window.__voiceOrderOnly) {
      setTimeout(() => { this.dispatchEvent(new Event('play')); setTimeout(() => this.dispatchEvent(new Event('ended')), 0); }, 0);
      return Promise.resolve();
    }
    this.playbackRate = 16;
    return play.call(this);
  };
  ${AXE}`;

interface PageReport {
  axeMs: number;
  screen: string;
  axe: string[];
  small: string[];
  clipped: string[];
  text: string;
  overflow: boolean;
}

/**
 * Everything checked on one page, in one round trip (axe, control sizes, clipping, visible text, overflow).
 * axe's AA 'color-contrast' is off: 'color-contrast-enhanced' (AAA, 7:1 and 4.5:1 for large text) is
 * stricter for every text, so it fails wherever the AA rule would, and each costs a walk of every text node.
 */
const INSPECT = `(async () => {
  await document.fonts.ready;
  const t0 = performance.now();
  const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag2aaa'] }, resultTypes: ['violations'], rules: { 'color-contrast': { enabled: false } } });
  const axeMs = performance.now() - t0;
  const visible = (el) => {
    const b = el.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const label = (el) => el.id || el.textContent.trim().slice(0, 30);
  const small = [...document.querySelectorAll('button, select, a[href], input')]
    .filter(visible)
    .map((el) => [el, el.getBoundingClientRect()])
    .filter(([, b]) => b.width < 48 || b.height < 48)
    .map(([el, b]) => label(el) + ' ' + Math.round(b.width) + '×' + Math.round(b.height));
  // text cut off by its own box (a button or a line that does not fit in this language)
  const clipped = [...document.querySelectorAll('body *')]
    .filter((el) => el.childElementCount === 0 && el.textContent.trim() && visible(el))
    .filter((el) => { const s = getComputedStyle(el); return s.overflowX !== 'visible' || s.overflowY !== 'visible' || s.textOverflow !== 'clip'; })
    .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
    .map((el) => label(el));
  const root = document.documentElement;
  return {
    axeMs,
    screen: document.body.dataset.screen ?? '',
    axe: r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')),
    small,
    clipped,
    text: document.body.innerText,
    overflow: root.scrollHeight > innerHeight || root.scrollWidth > innerWidth,
  };
})()`;

interface VoiceEvent {
  key: string;
  lang: string;
  event: 'play' | 'ended' | 'error';
}

/** Problems per (language, size); prompt keys played to their end per language. */
const problems = new Map<string, string[]>();
const spoken = new Map<string, Set<string>>();
/** Wall milliseconds, summed over the workers (axe: inside the page), for the log line. */
const timing = { ms: 0, inspections: 0, axe: 0, inspect: 0, shot: 0, voice: 0 };
const writes: Promise<void>[] = [];

async function runPair(w: Worker, lang: string, size: string, viewport: { width: number; height: number }): Promise<void> {
  const found: string[] = [];
  problems.set(`${lang} ${size}`, found);
  const heard = spoken.get(lang) ?? new Set<string>();
  spoken.set(lang, heard);
  const { page } = w;
  w.push(PUSHED[0]!.state, PUSHED[0]!.devices);
  await page.setViewportSize(viewport);
  await page.goto(`${w.server.url}&lang=${lang}`);
  // connected, first state drawn, and the voice buttons' labels in this language fetched
  const label = repeatLabel(lang);
  await page.waitForFunction(
    `window.__frames.state >= 1 && document.getElementById('voice-repeat-label').textContent === ${JSON.stringify(label)}`,
    undefined,
    { timeout: 20_000, polling: 50 },
  );
  if (size !== SIZES[0]![0]) await page.evaluate('window.__voiceOrderOnly = true');
  let frames = 1;
  for (const s of PUSHED) {
    const where = `${s.name} ${lang} ${size}`;
    if (s !== PUSHED[0]) {
      w.push(s.state, s.devices, s.alert);
      frames++;
    }
    if (!(await page.evaluate<boolean>(`window.__until(() => window.__frames.state >= ${frames}, 20000)`))) {
      found.push(`${where}: state not drawn within 20 s`);
      continue;
    }
    let t = Date.now();
    const r = await page.evaluate<PageReport>(INSPECT);
    timing.inspect += Date.now() - t;
    timing.axe += r.axeMs;
    timing.inspections++;
    t = Date.now();
    // straight from the compositor (Playwright's screenshot waits for two more frames and encodes more slowly)
    const shot = await w.cdp.send('Page.captureScreenshot', { format: 'jpeg', quality: 60, optimizeForSpeed: true });
    writes.push(writeFile(`${DIR}${s.name}-${lang}-${size}.jpg`, Buffer.from(shot.data, 'base64')));
    timing.shot += Date.now() - t;
    t = Date.now();
    if (r.screen !== s.id) found.push(`${where}: shows screen ${r.screen}, not ${s.id}`);
    for (const v of r.axe) found.push(`${where} axe ${v}`);
    for (const v of r.small) found.push(`${where} touch target ${v}`);
    for (const v of r.clipped) found.push(`${where} clipped ${v}`);
    for (const code of r.text.match(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g) ?? []) found.push(`${where} raw code ${code}`);
    for (const g of missingGlyphs(r.text)) found.push(`${where} tofu ${g}`);
    if (r.overflow) found.push(`${where} overflows the screen`);
    // the prompts: each played to its end, in order, nothing else (events since the previous screen)
    const ended = (ev: VoiceEvent[]) => ev.filter((e) => e.event === 'ended').map((e) => e.key);
    const want = JSON.stringify(s.voice);
    await page.evaluate(
      `window.__until(() => { const ended = window.__voice.filter((e) => e.event === 'ended').map((e) => e.key); return ${want}.every((k) => ended.includes(k)) || window.__voice.some((e) => e.event === 'error'); }, 20000)`,
    );
    const ev = await page.evaluate<VoiceEvent[]>('window.__voice');
    timing.voice += Date.now() - t;
    await page.evaluate('window.__voice = []');
    const plays = ev.filter((e) => e.event === 'play').map((e) => e.key);
    if (JSON.stringify(plays) !== JSON.stringify(s.voice) || JSON.stringify(ended(ev)) !== JSON.stringify(s.voice))
      found.push(`${where} voice: expected ${JSON.stringify(s.voice)}, played ${JSON.stringify(plays)}, ended ${JSON.stringify(ended(ev))}`);
    for (const e of ev) {
      if (e.event === 'error') found.push(`${where} voice error ${e.lang}/${e.key}`);
      if (e.lang !== lang) found.push(`${where} voice in ${e.lang}`);
      if (e.event === 'ended') heard.add(e.key);
    }
  }
}

let browser: Browser;
const workers: Worker[] = [];

beforeAll(async () => {
  mkdirSync(DIR, { recursive: true });
  await buildVoice(); // from the cache: install-deps.sh / npm run build rendered them
  browser = await launchBrowser(['--autoplay-policy=no-user-gesture-required']);
  for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(browser));
  const started = Date.now();
  const queue = LANGUAGES.flatMap(({ code }) => SIZES.map(([size, viewport]) => ({ code, size, viewport })));
  await Promise.all(
    workers.map(async (w) => {
      for (let job = queue.shift(); job; job = queue.shift()) await runPair(w, job.code, job.size, job.viewport);
    }),
  );
  await Promise.all(writes);
  timing.ms = Date.now() - started;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `screen matrix: ${SCREENS.length} screens × ${LANGUAGES.length} languages × ${SIZES.length} sizes = ${timing.inspections} pages checked in ${s(timing.ms)} with ${WORKERS} workers (summed: axe ${s(timing.axe)}, all checks ${s(timing.inspect)}, screenshots ${s(timing.shot)}, voice ${s(timing.voice)})`,
  );
}, 900_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all(workers.map((w) => w.server.close()));
});

describe('every screen × every language × 800×480 and 1280×800', () => {
  it.each(LANGUAGES.flatMap(({ code }) => SIZES.map(([size]) => `${code} ${size}`)))('%s', (pair) => {
    expect(problems.get(pair)).toEqual([]);
  });

  it('covers every phase, outcome and prompt key in every language', () => {
    expect(PHASES.filter((p) => !SCREENS.some((s) => s.state.phase === p))).toEqual([]);
    expect(OUTCOMES.filter((o) => !SCREENS.some((s) => s.state.result?.outcome === o))).toEqual([]);
    for (const { code } of LANGUAGES) {
      const missing = VOICE_KEYS.filter((k) => !spoken.get(code)?.has(k) && !Object.hasOwn(VOICE_ELSEWHERE, k));
      expect(missing, code).toEqual([]);
    }
  });
});
