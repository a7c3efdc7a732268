// Voice guidance for people who cannot read the screen (as Japanese bank ATMs offer): each screen's prompt,
// pre-rendered at build time (scripts/build-voice.ts → /voice/<lang>/<key>.ogg), is played when the screen
// changes; the pad's repeat key (the daemon sends a `repeat-prompt` cue) and the on-screen 「もう一度聞く」
// button play it again; 「音声を止める」 silences it for the rest of the session (the next customer hears it
// again). Prompts are static per screen: nothing typed, and no other dynamic value, is ever spoken.
// Plain ES module; no DOM access at import time (the build script and unit tests import the lists).

/** Languages with voice prompts (ui/locales/voice/<lang>.json). */
export const VOICE_LANGS = ['ja', 'ja-easy', 'en', 'zh-Hans', 'ko', 'vi', 'pt-BR', 'fil', 'ne'];

const ENTRY_PURPOSES = [
  'jpki-auth-pin',
  'jpki-sign-password',
  'mynumber-text-pin',
  'mynumber-check-code-b',
  'license-pin1',
  'license-pin2',
  'residence-card-number',
  'passport-document-number',
  'passport-birth-date',
  'passport-expiry-date',
];
const OUTCOMES = ['verified', 'chip-read', 'refused', 'error', 'cancelled'];

/** Every prompt key (one file per key and language). */
export const VOICE_KEYS = [
  'offline',
  'starting',
  'reader-unavailable',
  'maintenance',
  'printer-blocked',
  'idle',
  'reading',
  'verifying',
  ...ENTRY_PURPOSES.map((p) => `entry-${p}`),
  'entry-wrong',
  'entry-wrong-last',
  'entry-timeout-warning',
  'entry-review',
  'entry-mismatch',
  ...OUTCOMES.map((o) => `result-${o}`),
  'result-timeout',
  'remove-card',
  'card-left',
  'receipt-failed',
];

/**
 * The prompts a screen speaks, in order, and the screen's identity (a new identity plays them; the same one,
 * e.g. the entry screen redrawn after each key press, does not). `outcome` is the outcome the screen draws.
 */
export function screenPrompts(screenId, state, devices, outcome) {
  if (!state) return { keys: ['offline'], id: 'offline' };
  switch (screenId) {
    case 'entry-review': {
      // the review of printed numbers (never a digit of them spoken); after a refused key, why it is back
      const f = state.entry.form;
      const keys = f?.mismatch ? ['entry-mismatch', 'entry-review'] : ['entry-review'];
      return { keys, id: `${state.session}:${state.entry.padIds[0]}:review:${f?.mismatch?.attempt ?? 1}` };
    }
    case 'secret-entry': {
      const e = state.entry;
      if (e.form) {
        // a form's field: its own prompt once per field (moving back and forth speaks it again)
        const ask = ENTRY_PURPOSES.includes(e.purpose) ? [`entry-${e.purpose}`] : [];
        return { keys: ask, id: `${state.session}:${e.padIds[0]}:${e.form.index}:${e.form.mismatch?.attempt ?? 1}` };
      }
      const ask = ENTRY_PURPOSES.includes(e.purpose) ? [`entry-${e.purpose}`] : [];
      // the warning before the entry times out is a screen of its own (and the request again after it)
      const keys = e.expiring ? ['entry-timeout-warning'] : e.previousAttemptWrong ? [e.triesLeft === 1 ? 'entry-wrong-last' : 'entry-wrong', ...ask] : ask;
      // padIds are fresh for each entry: a second wrong attempt with the same tries left is a new screen
      return { keys, id: `${state.session}:${e.padIds[0]}:${keys.join('+')}` };
    }
    case 'result': {
      const r = state.result;
      const keys = [r.reasons.includes('PIN_ENTRY_TIMEOUT') ? 'result-timeout' : `result-${OUTCOMES.includes(outcome) ? outcome : 'error'}`];
      const job = devices?.receipt;
      if (job && job.session === state.session && job.state === 'failed') keys.push('receipt-failed');
      return { keys, id: `${state.session}:${keys.join('+')}` };
    }
    default: {
      const key = VOICE_KEYS.includes(screenId) ? screenId : null;
      return { keys: key ? [key] : [], id: `${state.session}:${screenId}` };
    }
  }
}

/**
 * The player. `lang()` is the screen's current language; `audio` an HTMLAudioElement (one element, so a new
 * prompt always cuts the previous one). Events for tests and integrations: `kiosk-voice` on document with
 * { key, lang, event: 'play' | 'ended' | 'error' }.
 */
export function createVoice({ lang, audio, doc = document }) {
  let queue = [];
  let enabled = true;
  let shown = { keys: [], id: null };
  let idleId = null;
  let seenState = false;

  const emit = (key, event) => doc.dispatchEvent(new CustomEvent('kiosk-voice', { detail: { key, lang: lang(), event } }));
  function next() {
    const key = queue.shift();
    if (!key) return;
    audio.dataset.key = key;
    audio.src = `/voice/${lang()}/${key}.ogg`;
    audio.play().catch((err) => {
      // a prompt cut by the next one (its load interrupted) is no error; autoplay refused (no kiosk flag,
      // no touch yet) is: the screen stays silent
      if (err?.name !== 'AbortError') emit(key, 'error');
    });
  }
  audio.addEventListener('play', () => emit(audio.dataset.key, 'play'));
  audio.addEventListener('ended', () => {
    emit(audio.dataset.key, 'ended');
    next();
  });
  audio.addEventListener('error', () => {
    emit(audio.dataset.key, 'error');
    next();
  });

  /** Plays these prompt keys now (cutting whatever plays), unless voice is off for this session. */
  function play(keys, force = false) {
    if (!enabled && !force) return;
    audio.pause();
    queue = keys.filter((k) => VOICE_KEYS.includes(k));
    next();
  }

  return {
    /**
     * Call after every render: plays the prompts of a screen that changed (or a language that did). `state`
     * null: the daemon is not reachable (the 'offline' prompt).
     */
    update(screenId, state, devices, outcome) {
      // 'offline' only once the daemon was reached: a page that is loading says nothing
      if (state) seenState = true;
      else if (!seenState) return;
      const p = screenPrompts(screenId, state, devices, outcome);
      const id = `${lang()}|${p.id}`;
      // voice off lasts one session: back on at the next idle screen
      if (screenId === 'idle' && idleId !== p.id) {
        idleId = p.id;
        enabled = true;
      }
      if (id === shown.id) return;
      shown = { keys: p.keys, id };
      play(p.keys);
    },
    /** The current screen's prompt again (pad repeat key, on-screen button); turns voice back on. */
    repeat() {
      enabled = true;
      play(shown.keys, true);
    },
    /**
     * One prompt by key (e.g. the forgotten-card escalation: playPrompt('card-left')). Silent while voice is
     * off for the session, unless `force` (an alert that must be heard).
     */
    playPrompt(key, { force = false } = {}) {
      play([key], force);
    },
    setEnabled(on) {
      enabled = on;
      if (!on) {
        queue = [];
        audio.pause();
      }
    },
    get enabled() {
      return enabled;
    },
  };
}

let instance = null;
/** The screen's player (app.js installs it). */
export function installVoice(v) {
  instance = v;
}
/**
 * Plays one prompt of VOICE_KEYS on the kiosk screen, e.g. playPrompt('card-left'); `{ force: true }` plays
 * it even when voice is off for the session. No-op before install.
 */
export function playPrompt(screenKey, options) {
  instance?.playPrompt(screenKey, options);
}
