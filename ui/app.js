// The kiosk screen: renders the daemon's session state and sends key presses. It holds no session logic
// and never sees a secret: the PIN shows as dots from the entry length the daemon reports.
import { TEXT } from './i18n.js';
import { renderHolder } from './result-holder.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
let lang = params.get('lang') === 'en' ? 'en' : 'ja';
let state = null;
let hello = null;
let ws = null;
let backoff = 250;

const t = (key) => TEXT[lang][key];

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ v: 1, ...msg }));
}

function reasonText(code) {
  const r = TEXT[lang].reason;
  return code in r ? r[code] : r._default;
}

function render() {
  document.documentElement.lang = lang;
  $('lang').textContent = t('langSwitch');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  renderDemo();
  const screen = $('screen');
  screen.className = '';
  $('entry').hidden = true;
  $('keypad').hidden = true;
  $('detail').textContent = '';
  $('icon').textContent = '';
  renderHolder(holderBox(), state?.phase === 'result' ? state?.result : null, t);
  document.body.dataset.phase = state ? state.phase : 'connecting';
  if (!state) {
    [$('headline').textContent, $('message').textContent] = t('phase.starting');
    return;
  }
  const phase = state.phase;
  if (phase === 'secret-entry' && state.entry) {
    const e = state.entry;
    const [h, m] = t(`entry.${e.purpose}`) ?? t('entry.jpki-auth-pin');
    $('headline').textContent = h;
    $('message').textContent = m;
    $('entry').hidden = false;
    $('keypad').hidden = false;
    const dots = '●'.repeat(e.length) + '○'.repeat(Math.max(0, e.format.max - e.length));
    $('dots').textContent = dots;
    $('dots').setAttribute('aria-label', `${e.length}/${e.format.max}`);
    $('tries').textContent = e.previousAttemptWrong ? t('entry.wrong')(e.triesLeft) : e.triesLeft != null ? t('entry.triesLeft')(e.triesLeft) : '';
    if (e.previousAttemptWrong) screen.className = 'warning';
    return;
  }
  if (phase === 'result' && state.result) {
    const r = state.result;
    screen.className = r.outcome;
    $('icon').textContent = r.outcome === 'verified' ? '✔' : r.outcome === 'cancelled' ? '' : '✖';
    const [h, m] = t(`result.${r.outcome}.${r.document}`) ?? t(`result.${r.outcome}`);
    $('headline').textContent = h;
    const reasons = r.reasons.map(reasonText).filter(Boolean);
    if (r.reasons.includes('PIN_WRONG') && r.triesLeft != null) reasons.push(t('entry.triesLeft')(r.triesLeft));
    $('message').textContent = [...reasons, m].filter(Boolean).join('\n');
    $('detail').textContent = r.reasons.length ? r.reasons.join(' · ') : '';
    return;
  }
  const [h, m] = t(`phase.${phase}`) ?? t('phase.starting');
  $('headline').textContent = h;
  $('message').textContent = m;
  if ((phase === 'reading' || phase === 'verifying') && state.step) $('detail').textContent = t(`step.${state.step}`);
  if (phase === 'reader-unavailable') screen.className = 'error';
}

/** The result-details box (created on first use, after #detail). */
function holderBox() {
  let box = $('holder');
  if (!box) {
    box = document.createElement('div');
    box.id = 'holder';
    box.hidden = true;
    $('detail').after(box);
  }
  return box;
}

function renderDemo() {
  const demo = $('demo');
  demo.hidden = !(hello && hello.demo);
  if (demo.hidden) return;
  const sel = $('demo-card');
  const current = sel.value;
  sel.replaceChildren(
    ...hello.demoCards.map((c) => {
      const o = document.createElement('option');
      o.value = c;
      o.textContent = t(`demo.card.${c}`) ?? c;
      return o;
    }),
  );
  if (current) sel.value = current;
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  ws = new WebSocket(`${proto}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  ws.onopen = () => {
    backoff = 250;
    $('conn').textContent = t('conn.ok');
  };
  ws.onmessage = (ev) => {
    let m;
    try {
      m = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (!m || m.v !== 1) return;
    if (m.type === 'hello') hello = m;
    else if (m.type === 'state') state = m.state;
    else if (m.type === 'alert') document.dispatchEvent(new CustomEvent('kiosk-alert', { detail: m.kind })); // audio hook
    render();
  };
  ws.onclose = () => {
    $('conn').textContent = t('conn.lost');
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 5000);
  };
}

// Digits go to the daemon as the entry's per-digit tokens, never as the digits themselves.
function pressDigit(d) {
  const id = state?.entry?.padIds?.[Number(d)];
  if (id) send({ type: 'pad', id });
}

$('keypad').addEventListener('click', (ev) => {
  const key = ev.target.closest('button')?.dataset.key;
  if (!key) return;
  if (/^[0-9]$/.test(key)) pressDigit(key);
  else send({ type: 'key', key });
});
$('lang').addEventListener('click', () => {
  lang = lang === 'ja' ? 'en' : 'ja';
  render();
});
$('demo-insert').addEventListener('click', () => send({ type: 'demo-insert', card: $('demo-card').value }));
$('demo-remove').addEventListener('click', () => send({ type: 'demo-remove' }));
document.addEventListener('keydown', (ev) => {
  const map = { Backspace: 'back', Enter: 'enter', Escape: 'cancel', Delete: 'clear' };
  if (/^[0-9]$/.test(ev.key)) {
    ev.preventDefault();
    pressDigit(ev.key);
  } else if (map[ev.key]) {
    ev.preventDefault();
    send({ type: 'key', key: map[ev.key] });
  }
});

render();
connect();
