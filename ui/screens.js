// Draws one screen from the daemon's state, the peripheral status and the language. Pure DOM updates with
// textContent only (card data is never parsed as HTML). No session logic: every decision was made by the
// daemon; the screen only explains it, with what to do next. The entry and review screens are drawn by
// entry-screen.js; this module chooses the screen and draws the others.
import { renderResultDetails } from './result-details.js';
import { $, text } from './dom.js';
import { createEntryScreens } from './entry-screen.js';

/**
 * The steps each document's flow reports (daemon/documents/*: ctx.progress), keyed by the secret it asks
 * for, which is how the screen learns the document. A passport never shows JPKI steps.
 */
const FLOWS = {
  'jpki-auth-pin': ['identify', 'read-certificate', 'pin', 'sign-challenge', 'validate'],
  'jpki-sign-password': ['identify', 'pin', 'read-certificate', 'sign-challenge', 'validate'],
  'mynumber-text-pin': ['identify', 'pin', 'read-info', 'validate'],
  'mynumber-check-code-b': ['identify', 'pin', 'read-images', 'validate'],
  'license-pin1': ['identify', 'pin', 'read-info', 'validate'],
  'license-pin2': ['identify', 'pin', 'read-info', 'validate'],
  'residence-card-number': ['identify', 'pin', 'read-certificate', 'validate'],
  'passport-document-number': ['identify', 'pin', 'read-info', 'read-images', 'validate'],
  'passport-birth-date': ['identify', 'pin', 'read-info', 'read-images', 'validate'],
  'passport-expiry-date': ['identify', 'pin', 'read-info', 'read-images', 'validate'],
};
/** Secrets that are a PIN; a password and the printed numbers have their own words for the `pin` step. */
const PIN_PURPOSES = new Set(['jpki-auth-pin', 'mynumber-text-pin', 'license-pin1', 'license-pin2']);

/**
 * The progress steps shown for a session: its document's (known from the secret it asked for), or before
 * that only the card check — except a certificate read before any secret, which only JPKI user
 * authentication does.
 */
export function progressSteps(purpose, step) {
  if (purpose && FLOWS[purpose]) return FLOWS[purpose];
  if (step === 'read-certificate' || step === 'sign-challenge') return FLOWS['jpki-auth-pin'];
  return ['identify'];
}

/** The word for the `pin` step: 暗証番号, パスワード, or 入力 for what is printed on the document. */
export function entryWord(purpose) {
  if (!purpose || PIN_PURPOSES.has(purpose)) return 'pin';
  if (purpose === 'jpki-sign-password') return 'password';
  return 'entry';
}

export function createScreens(t, reasonText) {
  /** The secret the current session asked for (its document), remembered for the progress steps after it. */
  let asked = { session: null, purpose: null };
  const { renderEntry, renderReview } = createEntryScreens(t);

  function docName(id) {
    return (t(`doc.${id}`) ?? [id])[0];
  }

  function renderIdle(state, hello) {
    const docs = state.request ? state.request.documents : (hello?.documents ?? []);
    const [h, m] = state.request ? t('idle.request', { doc: uniqueNames(docs).join(' / ') }) : docs.length ? t('idle.any') : t('phase.idle');
    text('headline', h);
    text('message', m);
    const list = $('documents');
    list.replaceChildren(
      ...dedupe(docs).map((id) => {
        const [name, hint] = t(`doc.${id}`) ?? [id, ''];
        const li = document.createElement('li');
        const b = document.createElement('strong');
        b.textContent = name;
        const s = document.createElement('span');
        s.textContent = hint;
        li.append(b, s);
        return li;
      }),
    );
    list.hidden = docs.length === 0;
    $('icon').textContent = '⇩';
  }

  /** Same-named documents (several My Number modes) are listed once with the first mode's hint. */
  function dedupe(docs) {
    const seen = new Set();
    return docs.filter((id) => {
      const n = docName(id);
      if (seen.has(n)) return false;
      seen.add(n);
      return true;
    });
  }
  function uniqueNames(docs) {
    return [...new Set(docs.map(docName))];
  }

  function renderProgress(step, purpose) {
    const ol = $('progress');
    const steps = progressSteps(purpose, step);
    const at = Math.max(0, steps.indexOf(step));
    const word = entryWord(purpose);
    const label = (s) => (s === 'pin' && word !== 'pin' ? t(`step.label.${word}`) : t(`step.label.${s}`));
    ol.replaceChildren(
      ...steps.map((s, i) => {
        const li = document.createElement('li');
        li.textContent = label(s) ?? '';
        li.className = i < at ? 'done' : i === at ? 'current' : '';
        return li;
      }),
    );
    ol.hidden = false;
    text('detail', step ? ((step === 'pin' && word !== 'pin' ? t(`step.${word}`) : null) ?? t(`step.${step}`)) : '');
  }

  function renderResult(r, devices, state) {
    const screen = $('screen');
    const outcome = shownOutcome(r);
    screen.className = outcome;
    $('icon').textContent = ICONS[outcome] ?? '✖';
    const timeout = r.reasons.includes('PIN_ENTRY_TIMEOUT');
    // A first-generation residence card has no expiry text on its chip: its result says what was proven.
    const variant = r.document === 'residence' && r.residence?.generation === 1 ? 'residence-gen1' : r.document;
    const [h, m] = timeout ? t('result.timeout') : (t(`result.${outcome}.${variant}`) ?? t(`result.${outcome}`));
    text('headline', h);
    const reasons = r.reasons.map((code) => reasonText(code, r.document)).filter(Boolean);
    if (r.reasons.includes('PIN_WRONG') && r.triesLeft != null) {
      // One try left: the kiosk will refuse this card from now on (it never risks the last try); say where to go.
      reasons.push(r.triesLeft <= 1 ? (t(`lastTry.${r.document}`) ?? t('lastTry')) : t('entry.triesLeft', { n: r.triesLeft }));
    }
    text('message', [...new Set(reasons), m].filter(Boolean).join('\n'));
    // The codes are for staff and tests only (data attribute): a person reads the guidance, never a code.
    screen.dataset.reasons = r.reasons.join(' ');
    const job = devices?.receipt;
    const receipt = $('receipt');
    receipt.hidden = !(job && job.session === state.session);
    if (!receipt.hidden) {
      receipt.className = job.state;
      receipt.textContent = job.state === 'printing' ? t('receipt.printing') : t(`receipt.${job.state}`, { ref: job.reference });
    }
    text('next', t('next.auto'));
  }

  /**
   * The session's receipt could not be printed (paper out, cover open…: held by the printer, or failed):
   * this replaces the result and the take-your-card screens while they last, with the reference number to
   * note, why, and what to do (issue 19).
   */
  function renderReceiptFailed(state, job) {
    const screen = $('screen');
    screen.className = 'error';
    $('icon').textContent = '⚠';
    const [h, m] = t('receiptFailed.title');
    text('headline', h);
    const receipt = $('receipt');
    receipt.hidden = false;
    receipt.className = 'failed reference';
    receipt.textContent = t('receiptFailed.reference', { ref: job.reference });
    const lines = [m];
    if (state.result)
      lines.unshift(
        t('receiptFailed.outcome', {
          result: (t(`result.${shownOutcome(state.result)}.${state.result.document}`) ?? t(`result.${shownOutcome(state.result)}`))[0],
        }),
      );
    if (job.code) lines.push(reasonText(job.code, null));
    text('message', lines.filter(Boolean).join('\n'));
    if (state.cardPresent) text('next', t('receiptFailed.takeCard'));
  }

  function renderStatus(devices) {
    const parts = [];
    const p = devices?.printer;
    if (p && !p.usable) parts.push(t('status.printer', { state: t(`printer.state.${p.state}`) ?? '' }));
    if (devices?.keypad && devices.keypad.status === 'unavailable') parts.push(t('status.keypad'));
    text('status', parts.join('　'));
  }

  /** Draws everything; returns the screen id (for audio cues and tests). */
  return function render({ state, hello, devices, connected }) {
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n);
    const screen = $('screen');
    screen.className = '';
    delete screen.dataset.reasons;
    for (const id of ['entry', 'pads', 'documents', 'progress', 'receipt', 'candidate', 'expiring', 'review', 'prev-field']) $(id).hidden = true;
    $('dots').hidden = false;
    const cardLeft = state?.phase === 'remove-card' ? (state.cardLeft ?? 0) : 0;
    document.body.dataset.cardLeft = String(cardLeft);
    document.body.dataset.cardLeftStage = cardLeft >= 3 ? 'flash' : cardLeft >= 1 ? 'strong' : 'none';
    for (const id of ['detail', 'icon', 'next', 'tries']) text(id, '');
    document.body.classList.remove('alnum');
    const job = devices?.receipt;
    const receiptFailed =
      !!state &&
      !!job &&
      job.session === state.session &&
      (job.state === 'held' || job.state === 'failed') &&
      (state.phase === 'result' || state.phase === 'remove-card');
    renderResultDetails($('holder'), state?.phase === 'result' && !receiptFailed ? state.result : null, t);
    renderStatus(devices);
    $('offline').hidden = connected || !state;
    if (!connected) text('offline-text', t('offline').join('\n'));
    if (state && state.session !== asked.session) asked = { session: state.session, purpose: null };
    if (state?.entry?.purpose) asked.purpose = state.entry.purpose;
    const id = receiptFailed ? 'receipt-failed' : screenId(state);
    document.body.dataset.phase = state ? state.phase : 'connecting';
    document.body.dataset.screen = id;
    if (!state) {
      const [h, m] = t('offline');
      text('headline', h);
      text('message', m);
      return id;
    }
    switch (id) {
      case 'maintenance':
      case 'printer-blocked': {
        const [h, m] = t(id === 'maintenance' ? 'blocked.maintenance' : 'blocked.printer');
        text('headline', h);
        text('message', m);
        screen.className = id === 'maintenance' ? 'maintenance' : 'error';
        $('icon').textContent = id === 'maintenance' ? '⚙' : '⚠'; // ⚙: the installed fonts have no emoji (🛠 was tofu)
        if (state.cardPresent) text('next', t('idle.cardWaiting'));
        return id;
      }
      case 'idle':
        renderIdle(state, hello);
        return id;
      case 'receipt-failed':
        renderReceiptFailed(state, job);
        return id;
      case 'secret-entry':
        renderEntry(state.entry, devices);
        return id;
      case 'entry-review':
        renderReview(state.entry);
        return id;
      case 'result':
        renderResult(state.result, devices, state);
        return id;
      default: {
        const [h, m] = t(`phase.${state.phase}`) ?? t('phase.starting');
        text('headline', h);
        text('message', m);
        if (state.phase === 'reading' || state.phase === 'verifying') renderProgress(state.step, asked.purpose);
        if (state.phase === 'reader-unavailable') {
          screen.className = 'error';
          $('icon').textContent = '⚠';
        }
        if (state.phase === 'remove-card') {
          $('icon').textContent = '⇧';
          // A forgotten card: a stronger screen from the first reminder, flashing from the third (style.css
          // body[data-card-left]; a steady strong colour instead under prefers-reduced-motion).
          if (state.cardLeft > 0) {
            const [h2, m2] = t('cardLeft.reminder');
            text('headline', h2);
            text('message', m2);
            screen.className = 'card-left';
          }
        }
        return id;
      }
    }
  };
}

/** Which screen a state shows (a blocked kiosk shows why, unless a result is still on screen). */
/** One icon per outcome: chip-read has its own (never the verified tick). */
const ICONS = { verified: '✔', 'chip-read': '!', refused: '✖', error: '✖', cancelled: '–' };

/**
 * The outcome the screen draws. 「本人確認できました」 only for `verified` with authenticity `proven` (the
 * daemon's verdict gate guarantees it; the screen does not take it on trust): a `verified` frame without it
 * is drawn as refused, a `chip-read` frame without chip-read authenticity likewise.
 */
export function shownOutcome(r) {
  if (r.outcome === 'verified' && r.authenticity !== 'proven') return 'refused';
  if (r.outcome === 'chip-read' && r.authenticity !== 'chip-read') return 'refused';
  return r.outcome;
}

export function screenId(state) {
  if (!state) return 'connecting';
  const idleLike = state.phase === 'idle' || state.phase === 'starting';
  // Maintenance replaces whatever is on screen except a running session (which it has already ended).
  const running = ['reading', 'secret-entry', 'verifying'].includes(state.phase);
  if (!running && state.blockedBy.includes('maintenance')) return 'maintenance';
  if (idleLike && state.blockedBy.includes('printer')) return 'printer-blocked';
  if (state.phase === 'secret-entry' && state.entry) return state.entry.form?.review ? 'entry-review' : 'secret-entry';
  if (state.phase === 'result' && state.result) return 'result';
  return state.phase;
}
