// What the entry screen shows while the holder types: the count of characters, the multi-tap candidate,
// the typed text for numbers printed on the document only (issue 19), and the too-short note on 決定.
// A secret's characters never enter this state, whoever reports them (issue 17). Pure functions over
// EntryView; the session machine applies them in the secret-entry phase.
import { isPrintedNumber } from '../documents/secrets.ts';
import { typedInto } from './entry-fields.ts';
import type { EntryView, KioskEvent } from './session-types.ts';

type EntryRequest = Extract<KioskEvent, { type: 'secret-requested' }>['entry'];
type EntryChange = Omit<Extract<KioskEvent, { type: 'entry-changed' }>, 'type'>;

/** A fresh entry for what the document flow asked for: nothing typed, no warning, no note. */
export function openEntry(request: EntryRequest): EntryView {
  return {
    ...request,
    length: 0,
    candidate: null,
    candidateIndex: null,
    typed: isPrintedNumber(request.purpose) ? '' : null,
    expiring: false,
    tooShort: false,
    form: null,
  };
}

/**
 * The entry after a key. The same object when nothing the screen shows changed (a key that did nothing):
 * no new state, so no frame — a frame per press would let a watcher count presses. A warning or a
 * too-short note goes away with any key.
 */
export function typeInEntry(entry: EntryView, change: EntryChange): EntryView {
  const printed = isPrintedNumber(entry.purpose);
  const candidate = printed ? (change.candidate ?? null) : null;
  const candidateIndex = change.candidateIndex ?? null;
  const typed = printed ? (change.typed ?? entry.typed ?? '').slice(0, change.length) : null;
  const same = entry.length === change.length && entry.candidate === candidate && entry.candidateIndex === candidateIndex && entry.typed === typed;
  if (same && !entry.expiring && !entry.tooShort) return entry;
  // a form's field keeps its value as typed (and is checked as soon as it is complete)
  const form = entry.form && typed !== null ? typedInto(entry.form, typed) : entry.form;
  return { ...entry, length: change.length, candidate, candidateIndex, typed, expiring: false, tooShort: false, form };
}

/**
 * 決定 pressed. Too few (or too many) characters: `handedOver` false and the entry says so (the screen
 * names how many are needed), the same object when it already did. Otherwise the entry as it stays while
 * verifying: the printed number shown while typing does not travel on once it is handed over.
 */
export function submitEntry(entry: EntryView): { handedOver: boolean; entry: EntryView } {
  const { min, max } = entry.format;
  if (entry.length < min || entry.length > max) return { handedOver: false, entry: entry.tooShort ? entry : { ...entry, tooShort: true } };
  return { handedOver: true, entry: { ...entry, typed: entry.typed === null ? null : '', length: 0, expiring: false } };
}
