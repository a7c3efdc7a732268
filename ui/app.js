// The kiosk screen: connects to the daemon, validates every message (protocol.js), renders the state
// (screens.js) and sends key presses. It holds no session logic and never sees a secret: an entry shows
// as dots from the length the daemon reports, and the on-screen keys send per-entry tokens, not characters.
// After a daemon restart it reconnects and gets the full state again (hello + state + devices).
import { DEFAULT_LANGUAGE, LANGUAGES, knownLanguage, reasonText, translator } from './i18n.js';
import { parseServerMessage, PROTOCOL_VERSION } from './protocol.js';
import { createScreens, shownOutcome } from './screens.js';
import { createVoice, installVoice } from './voice.js';
import { $ } from './dom.js';

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
// The language a session starts in and returns to (Japanese unless the page was opened with ?lang=).
const homeLanguage = knownLanguage(params.get('lang') ?? DEFAULT_LANGUAGE);
let lang = homeLanguage;
let tr = translator(lang);
const view = { state: null, hello: null, devices: null, connected: false };
let ws = null;
let backoff = 250;
let failures = 0;

const t = (key, vars) => tr(key, vars);
t.date = (value) => tr.date(value);
// Guidance per code; a document may have its own (`reason.<document>.<CODE>`), e.g. where a locked licence
// PIN is unlocked.
const draw = createScreens(t, (code, document) => reasonText(t, code, document));
const voice = createVoice({ lang: () => lang, audio: $('voice-audio') });
installVoice(voice);

function setLanguage(code) {
  lang = knownLanguage(code);
  tr = translator(lang);
}

// A language chosen and then left alone on the idle screen returns to the home language after a minute,
// so the next customer does not meet it (a finished session resets it at once, see onMessage).
const IDLE_LANGUAGE_MS = 60_000;
let idleLanguageTimer = null;
function armIdleLanguageReset(screenId) {
  if (lang === homeLanguage || screenId !== 'idle') {
    clearTimeout(idleLanguageTimer);
    idleLanguageTimer = null;
    return;
  }
  if (idleLanguageTimer) return; // a state or device push is no sign of a person: only a touch re-arms it
  idleLanguageTimer = setTimeout(() => {
    idleLanguageTimer = null;
    setLanguage(homeLanguage);
    render();
  }, IDLE_LANGUAGE_MS);
}

/** The language choice: one button per language in its own name and script, on the idle screens. */
function renderLanguages(screenId) {
  const bar = $('langs');
  if (bar.childElementCount === 0) {
    for (const l of LANGUAGES) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.lang = l.code;
      b.lang = htmlLang(l.code);
      b.textContent = l.name;
      bar.append(b);
    }
  }
  for (const b of bar.children) b.setAttribute('aria-pressed', String(/** @type {HTMLElement} */ (b).dataset.lang === lang));
  bar.hidden = !['idle', 'maintenance', 'printer-blocked', 'connecting'].includes(screenId);
}

/** The BCP 47 tag of a screen language: やさしい日本語 is Japanese to a browser and a screen reader. */
const htmlLang = (code) => (code === 'ja-easy' ? 'ja' : code);

function render() {
  document.documentElement.lang = htmlLang(lang);
  document.documentElement.dataset.language = lang;
  renderDemo();
  const id = draw(view);
  renderLanguages(id);
  armIdleLanguageReset(id);
  const live = view.connected ? view.state : null;
  voice.update(id, live, view.devices, live?.result ? shownOutcome(live.result) : undefined);
  void renderVoiceControls(); // never rejects: a failed fetch leaves the labels as they are
}

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }));
}

// --- audio cues: a DOM event for any integration, and the alert's chime (daemon/server/chimes.ts). The
// audio elements live in the document (#sounds), so their play/ended events can be observed.
const sounds = new Map();
function chime(kind) {
  if (!view.hello?.sounds.includes(kind)) return null;
  let a = sounds.get(kind);
  if (!a) {
    a = document.createElement('audio');
    a.src = `/sounds/${kind}.wav`;
    a.preload = 'auto';
    a.dataset.kind = kind;
    $('sounds').append(a);
    sounds.set(kind, a);
  }
  a.currentTime = 0;
  a.play().catch(() => {}); // autoplay may be refused until the first touch; the cue is optional
  return a;
}

/**
 * A card left in the reader escalates (issue 19; the level is KioskState.cardLeft): 1 a chime and a
 * stronger screen, 2 and on the spoken prompt after the chime, 3 and on a flashing screen (screens.js).
 * The prompt is ui/voice.js's 'card-left' (announced first as a `kiosk-prompt` event, { screen }).
 */
function alertCue(kind, level) {
  document.dispatchEvent(new CustomEvent('kiosk-alert', { detail: { kind, level: level ?? null } }));
  if (kind === 'repeat-prompt') return voice.repeat(); // the pad's repeat key: the prompt, no chime
  const a = chime(kind);
  if (kind === 'card-left' && (level ?? 1) >= 2) {
    const speak = () => {
      document.dispatchEvent(new CustomEvent('kiosk-prompt', { detail: { screen: 'card-left' } }));
      voice.playPrompt('card-left');
    };
    if (a && !a.paused) a.addEventListener('ended', speak, { once: true });
    else speak();
  }
}

// --- voice controls: labels from ui/locales/voice/<lang>.json (fetched once per language)
const voiceLabels = new Map();
async function renderVoiceControls() {
  $('voice-off').setAttribute('aria-pressed', String(!voice.enabled));
  if (!voiceLabels.has(lang)) {
    voiceLabels.set(lang, null);
    const r = await fetch(`/locales/voice/${lang}.json`).catch(() => null);
    voiceLabels.set(
      lang,
      r?.ok
        ? await r.json().then(
            (j) => j.labels,
            () => null,
          )
        : null,
    );
  }
  const l = voiceLabels.get(lang);
  if (!l) return;
  $('voice-repeat-label').textContent = l.repeat;
  $('voice-off-label').textContent = voice.enabled ? l.voiceOff : l.voiceOn;
}
$('voice-repeat').addEventListener('click', () => {
  voice.repeat();
  void renderVoiceControls(); // never rejects: a failed fetch leaves the labels as they are
});
$('voice-off').addEventListener('click', () => {
  voice.setEnabled(!voice.enabled);
  void renderVoiceControls(); // never rejects: a failed fetch leaves the labels as they are
});

// --- demo panel
function options(sel, values, prefix) {
  const current = sel.value;
  const docs = view.hello?.documents ?? [];
  sel.replaceChildren(
    ...values.map((c) => {
      const o = document.createElement('option');
      o.value = c;
      o.textContent = t(`${prefix}${demoLabelKey(c, docs)}`) ?? c;
      return o;
    }),
  );
  if (current && values.includes(current)) sel.value = current;
}

/** The My Number demo card's label names the secret of the enabled My Number mode (hello.documents). */
function demoLabelKey(card, docs) {
  if (card !== 'mynumber') return card;
  const mode = ['sign', 'face', 'info'].find((m) => docs.includes(`mynumber-${m}`));
  return mode ? `mynumber.${mode}` : card;
}

/** Demo cards of the enabled documents only (plus the unsupported card, which any kiosk refuses). */
function demoCardsFor(cards, docs) {
  const family = (c) => (c.startsWith('mynumber') ? 'mynumber' : c.split('-')[0]);
  return cards.filter((c) => c === 'unsupported-card' || docs.some((d) => d.split('-')[0] === family(c)));
}

function renderDemo() {
  const demo = $('demo');
  demo.hidden = !view.hello?.demo;
  if (demo.hidden) {
    $('receipt-preview').hidden = true;
    document.body.classList.remove('with-preview');
    return;
  }
  options($('demo-card'), demoCardsFor(view.hello.demoCards, view.hello.documents), 'demo.card.');
  options($('demo-fault'), view.hello.demoFaults, 'demo.fault.');
  renderDemoSession(view.hello.demoSession);
  // This session's receipt only: never the previous customer's after a cancel or a timeout (issue 19).
  const job = view.devices?.receipt;
  const link = /** @type {HTMLAnchorElement} */ ($('demo-receipt'));
  const preview = $('receipt-preview');
  link.hidden = job?.state !== 'confirmed' || job.session !== view.state?.session || !['result', 'remove-card'].includes(view.state?.phase);
  preview.hidden = link.hidden || view.state?.phase !== 'result';
  document.body.classList.toggle('with-preview', !preview.hidden);
  // Between the header and the demo panel, never over 「カードを取る」.
  if (!preview.hidden) {
    preview.style.top = `${document.querySelector('header').getBoundingClientRect().bottom + 8}px`;
    preview.style.bottom = `${innerHeight - document.querySelector('footer').getBoundingClientRect().top + 8}px`;
  }
  if (!link.hidden) {
    const src = `/demo/receipt.svg?token=${encodeURIComponent(token)}&ref=${encodeURIComponent(job.reference)}`;
    link.href = src;
    const img = /** @type {HTMLImageElement} */ ($('receipt-img'));
    if (img.getAttribute('src') !== src) img.src = src;
    img.alt = t('demo.receipt');
  }
}

/** The mode and policy selects: every My Number mode and every policy, set to the daemon's current ones on each hello. */
let shownSession = null;
/** A switch was asked for and not yet answered (a new hello or an error answers it). */
let switchPending = false;
function renderDemoSession(s) {
  const mode = /** @type {HTMLSelectElement} */ ($('demo-mode'));
  const policy = /** @type {HTMLSelectElement} */ ($('demo-policy'));
  for (const el of [mode, policy, $('demo-session-go'), $('demo-session-note')]) el.hidden = !s;
  if (!s) return;
  const label = (key, fallback) => /** @type {string | undefined} */ (t(key)) ?? fallback;
  const fill = (sel, values, text) => {
    const current = sel.value;
    sel.replaceChildren(
      ...values.map((v) => {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = text(v);
        return o;
      }),
    );
    if (values.includes(current)) sel.value = current;
  };
  fill(mode, s.modes, (m) => label(`demo.mode.${m}`, m));
  fill(policy, ['', ...s.policies], (p) => (p ? label(`demo.policy.${p}`, p) : label('demo.policy.none', '-')));
  if (shownSession !== s) {
    // a new hello: the daemon's settings now (after a switch, or on connect)
    shownSession = s;
    switchPending = false;
    mode.value = s.mode;
    policy.value = s.policy ?? '';
    $('demo-session-note').textContent = '';
  }
}

// --- connection
function onMessage(ev) {
  const m = parseServerMessage(ev.data);
  if (!m) return; // invalid frames are dropped, never drawn
  if (m.type === 'version-mismatch') {
    // The daemon was updated: load the client that speaks its protocol (at most once per minute).
    const last = Number(sessionStorage.getItem('idkiosk-reload') ?? 0);
    if (Date.now() - last > 60_000) {
      sessionStorage.setItem('idkiosk-reload', String(Date.now()));
      location.reload();
    }
    return;
  }
  if (m.type === 'hello') view.hello = m;
  else if (m.type === 'state') {
    // A session that ended (any phase back to idle) gives the next customer the home language.
    const was = view.state?.phase;
    if (was && was !== 'idle' && was !== 'starting' && /** @type {{ phase?: string }} */ (m.state).phase === 'idle' && lang !== homeLanguage)
      setLanguage(homeLanguage);
    view.state = m.state;
  } else if (m.type === 'devices') view.devices = m.devices;
  else if (m.type === 'alert') alertCue(m.kind, m.level);
  else if (m.type === 'error' && view.hello?.demo && switchPending) {
    switchPending = false;
    // a refused demo-panel switch: said next to the panel's button (the codes reach staff only as data-reason)
    const note = $('demo-session-note');
    note.textContent = t(m.code === 'SESSION_BUSY' ? 'demo.session.busy' : 'demo.session.refused') ?? '';
    note.dataset.reason = String(m.code);
  }
  render();
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  ws = new WebSocket(`${proto}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  ws.onopen = () => {
    backoff = 250;
    failures = 0;
    view.connected = true;
    $('conn').textContent = t('conn.ok');
  };
  ws.onmessage = onMessage;
  ws.onclose = () => {
    view.connected = false;
    failures++;
    $('conn').textContent = t('conn.lost');
    render();
    // A demo daemon restarted with a new token: fetch the page again to be redirected to it.
    if (view.hello?.demo && failures >= 8) {
      location.replace(`/${homeLanguage !== DEFAULT_LANGUAGE ? `?lang=${encodeURIComponent(homeLanguage)}` : ''}`);
      return;
    }
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 3000);
  };
}

// --- input: characters as the entry's tokens (0–9 then A–Z), functions by name
const PAD_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
function pressChar(ch) {
  const id = view.state?.entry?.padIds?.[PAD_CHARS.indexOf(ch)];
  if (id) send({ type: 'pad', id });
}

$('extend').addEventListener('click', () => send({ type: 'key', key: 'extend' }));
// 「前の項目へ」, and on the review screen 「修正する」 (the field's index), 「この内容で読み取る」 and 中止
$('entry').addEventListener('click', (ev) => {
  const b = /** @type {Element} */ (ev.target).closest('button');
  if (!b || b.id === 'extend') return;
  if (b.dataset.field !== undefined) send({ type: 'edit', field: Number(b.dataset.field) });
  else if (b.dataset.key) send({ type: 'key', key: b.dataset.key });
});
$('pads').addEventListener('click', (ev) => {
  const b = /** @type {Element} */ (ev.target).closest('button');
  if (!b) return;
  if (b.dataset.char) pressChar(b.dataset.char);
  else if (b.dataset.key) send({ type: 'key', key: b.dataset.key });
});
for (const type of ['pointerdown', 'keydown']) {
  document.addEventListener(type, () => {
    clearTimeout(idleLanguageTimer);
    idleLanguageTimer = null;
    armIdleLanguageReset(document.body.dataset.screen);
  });
}
$('langs').addEventListener('click', (ev) => {
  const b = /** @type {Element} */ (ev.target).closest('button');
  if (!b?.dataset.lang) return;
  setLanguage(b.dataset.lang);
  render();
});
$('demo-insert').addEventListener('click', () => send({ type: 'demo-insert', card: /** @type {HTMLSelectElement} */ ($('demo-card')).value }));
$('demo-remove').addEventListener('click', () => send({ type: 'demo-remove' }));
$('demo-session-go').addEventListener('click', () => {
  const policy = /** @type {HTMLSelectElement} */ ($('demo-policy')).value;
  switchPending = true;
  $('demo-session-note').textContent = '';
  send({ type: 'demo-session', mode: /** @type {HTMLSelectElement} */ ($('demo-mode')).value, policy: policy || null });
});
$('demo-fault-go').addEventListener('click', () => send({ type: 'demo-fault', fault: /** @type {HTMLSelectElement} */ ($('demo-fault')).value }));
document.addEventListener('keydown', (ev) => {
  const map = { Backspace: 'back', Enter: 'enter', Escape: 'cancel', Delete: 'clear' };
  const ch = ev.key.length === 1 ? ev.key.toUpperCase() : '';
  if (ch && PAD_CHARS.includes(ch) && view.state?.phase === 'secret-entry') {
    ev.preventDefault();
    pressChar(ch);
  } else if (map[ev.key]) {
    ev.preventDefault();
    send({ type: 'key', key: map[ev.key] });
  }
});

render();
connect();
