// The secret-entry and review screens: a PIN, password or printed number being typed (dots, or the
// characters as typed for a printed number), the multi-tap candidate, tries left, the letter keys, a field of
// a multi-field form, and the review of the printed numbers before the card is read. Split from screens.js,
// which chooses the screen; this module only draws these two (textContent only, no session logic).
import { $, text } from './dom.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `t`: the language's lookup (i18n.js). Returns the two entry screens' renderers. */
export function createEntryScreens(t) {
  /** A hardware keypad is in use (not the simulated one, not unavailable): only then the multi-tap hint. */
  const hardwarePad = (devices) => !!devices?.keypad && devices.keypad.backend !== 'simulated' && devices.keypad.status !== 'unavailable';

  function renderEntry(e, devices) {
    const [h, m] = t(`entry.${e.purpose}`) ?? t('entry.jpki-auth-pin');
    text('headline', h);
    // 「2→A B C」 only next to a hardware pad; the on-screen keys type 2 (issue 19).
    text('message', e.format.kind === 'alnum' ? `${m}\n${t(hardwarePad(devices) ? 'entry.lettersHint' : 'entry.lettersHintScreen')}` : m);
    $('entry').hidden = false;
    $('pads').hidden = false;
    // A character being chosen by multi-tap: its letter for a number printed on the document; for a PIN or
    // password only its position on the key (the daemon never sends that letter).
    const choosing = e.candidate !== null || e.candidateIndex !== null;
    const cells = [];
    // A number printed on the document is shown as typed (e.typed, issue 19); a PIN or password as dots.
    const shown = (i) => (typeof e.typed === 'string' ? (e.typed[i] ?? '●') : '●');
    for (let i = 0; i < e.format.max; i++) cells.push(i < e.length ? shown(i) : i === e.length && choosing ? (e.candidate ?? '◎') : '○');
    const dots = $('dots');
    dots.replaceChildren(
      ...cells.map((c, i) => {
        const span = document.createElement('span');
        span.textContent = c;
        if (i === e.length && choosing) span.className = 'candidate';
        return span;
      }),
    );
    dots.classList.toggle('long', e.format.max > 8);
    dots.classList.toggle('typed', typeof e.typed === 'string');
    dots.setAttribute('aria-label', `${e.length}/${e.format.max}`);
    const cand = $('candidate');
    cand.hidden = !choosing;
    cand.textContent = e.candidate ? t('entry.candidate', { char: e.candidate }) : choosing ? (t('entry.choosing', { n: e.candidateIndex + 1 }) ?? '') : '';
    text('tries', e.previousAttemptWrong ? wrongEntryText(e) : e.triesLeft != null ? t('entry.triesLeft', { n: e.triesLeft }) : '');
    if (e.previousAttemptWrong) $('screen').className = 'warning';
    // 決定 with too few characters: say how many are needed (it used to do nothing).
    if (e.tooShort) {
      text('tries', t(e.format.min === e.format.max ? 'entry.tooShort' : 'entry.tooShortMin', { min: e.format.min }));
      $('screen').className = 'warning';
    }
    // The entry is about to time out: say so, with a button for more time (any key gives more time too).
    $('expiring').hidden = !e.expiring;
    if (e.expiring) text('expiring-text', t('entry.expiring'));
    renderLetters(e.format.kind === 'alnum');
    if (e.form) renderFormField(e.form);
  }

  /**
   * A field of several printed numbers asked together (daemon/kiosk/entry-fields.ts): which one of how
   * many, 「前の項目へ」, a problem found as soon as the field is complete, or that the card refused the
   * values typed (they are kept; the card stays on the reader).
   */
  function renderFormField(f) {
    if (f.fields.length > 1) text('detail', t('form.step', { n: f.index + 1, total: f.fields.length }));
    $('prev-field').hidden = f.index === 0;
    const problem = f.fields[f.index]?.problem;
    if (problem) {
      text('tries', t(`form.problem.${problem}`));
      $('screen').className = 'warning';
    } else if (f.mismatch) {
      text('tries', t('form.mismatch', { n: f.mismatch.max - f.mismatch.attempt + 1 }));
    }
  }

  /** The review step: the printed numbers as typed, each with 「修正する」, and 「この内容で読み取る」. */
  function renderReview(e) {
    const f = e.form;
    const [h, m] = t('review.title');
    text('headline', h);
    text('message', m);
    if (f.mismatch) {
      text('tries', t('form.mismatch', { n: f.mismatch.max - f.mismatch.attempt + 1 }));
      $('screen').className = 'warning';
    }
    $('entry').hidden = false;
    $('dots').hidden = true;
    const list = $('review-list');
    list.replaceChildren(
      ...f.fields.map((field, i) => {
        const row = document.createElement('div');
        row.className = 'review-row';
        const label = document.createElement('span');
        label.className = 'review-label';
        label.textContent = t(`review.field.${field.purpose}`) ?? '';
        const value = document.createElement('span');
        value.className = 'review-value';
        value.textContent = field.value;
        const edit = document.createElement('button');
        edit.type = 'button';
        edit.dataset.field = String(i);
        edit.textContent = t('review.edit');
        row.append(label, value, edit);
        return row;
      }),
    );
    $('review').hidden = false;
    $('expiring').hidden = !e.expiring;
    if (e.expiring) text('expiring-text', t('entry.expiring'));
  }

  /** A wrong PIN, password or check code in its own words; a passport (no counter) is asked again. */
  function wrongEntryText(e) {
    if (e.triesLeft == null) return t('entry.wrongRetry');
    return t(`entry.wrong.${e.purpose}`, { n: e.triesLeft }) ?? t('entry.wrong', { n: e.triesLeft });
  }

  function renderLetters(on) {
    const box = $('letters');
    box.hidden = !on;
    document.body.classList.toggle('alnum', on);
    if (on && box.childElementCount === 0) {
      for (const ch of LETTERS) {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.char = ch;
        b.textContent = ch;
        box.append(b);
      }
    }
  }

  return { renderEntry, renderReview };
}
