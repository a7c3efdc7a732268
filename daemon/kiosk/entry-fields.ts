// Multi-field entry of numbers printed on the document (issue 19): the passport's document number, date of
// birth and date of expiry, or the residence card's number. One "form" per chip attempt: the holder moves
// back and forth between its fields (values kept), each field is checked as soon as it is complete, a
// review screen lists the values before the card is touched, and when the chip refuses them (a typo) the
// same form comes back with the values kept for another try — the card stays on the reader.
//
// Only printed numbers ever enter a form (isPrintedNumber): a PIN or password is never shown back, never
// kept and never retried by the kiosk (the kiosk never locks a user's card). A form asking for anything
// else is refused.
//
// Pure functions over the session machine's state; no clock (today's date comes with the request).
import { isPrintedNumber, type SecretFormat, type SecretPurpose } from '../documents/secrets.ts';
import type { EntryView, KioskEffect, KioskEvent, KioskState } from './session-types.ts';

/** Why a completed field cannot be right; the screen explains each (ui/locales: entry.problem.<code>). */
export type FieldProblem = 'charset' | 'length' | 'date' | 'expiry-before-birth' | 'card-number';

export interface FormField {
  purpose: SecretPurpose;
  format: SecretFormat;
  /** The value as typed (printed on the document, not a secret). For the field being typed: as committed last. */
  value: string;
  problem: FieldProblem | null;
}

export interface FormView {
  fields: FormField[];
  /** The field being typed. */
  index: number;
  /** All fields done: the review screen (この内容で読み取る / 修正する) is up, the card not yet touched. */
  review: boolean;
  /** A field opened with 「修正する」 from the review: 決定 returns to the review (the others are done). */
  fromReview?: boolean;
  /** The chip refused the previous values (wrong key): which retry this is, of how many. */
  mismatch: { attempt: number; max: number } | null;
  /** Today, YYYYMMDD (from the runtime's clock): the century of a two-digit birth year. */
  today: string;
}

/** What a document flow asks for: the fields, in order, and — on a retry — that the chip refused the last values. */
export interface FormRequest {
  fields: { purpose: SecretPurpose; format: SecretFormat }[];
  mismatch?: { attempt: number; max: number } | null;
}

/** A form holds printed numbers only: anything else (PIN, password, a purpose added later) is refused. */
export function formAllowed(fields: readonly { purpose: SecretPurpose }[]): boolean {
  return fields.length > 0 && fields.every((f) => isPrintedNumber(f.purpose));
}

const DOC_NUMBER = /^[A-Z0-9]+$/;
/** 在留カード番号: 2 letters, 8 digits, 2 letters (docs/reference/residence.md). */
const CARD_NUMBER = /^[A-Z]{2}[0-9]{8}[A-Z]{2}$/;

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function leap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** A real calendar date in the given full year: month 1–12, day valid for that month (29 February in leap years only). */
function realDate(year: number, mm: number, dd: number): boolean {
  if (mm < 1 || mm > 12 || dd < 1) return false;
  return dd <= (mm === 2 && !leap(year) ? 28 : (DAYS[mm - 1] ?? 0));
}

/**
 * The full date (YYYYMMDD) of a two-digit MRZ birth date: the latest century that puts it no later than
 * today (ICAO 9303 gives only YY). Null when it is no calendar date.
 */
export function birthDate(yymmdd: string, today: string): string | null {
  if (!/^[0-9]{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  const dd = Number(yymmdd.slice(4, 6));
  const century = Number(today.slice(0, 2)) * 100;
  for (const year of [century + yy, century - 100 + yy]) {
    const full = `${year}${yymmdd.slice(2)}`;
    if (full <= today && realDate(year, mm, dd)) return full;
    if (full <= today) return null; // the right century, but no such day
  }
  return null;
}

/**
 * The full date of a two-digit MRZ expiry date: this century (a chip passport, first issued in 2004,
 * cannot have expired in the 1900s). Null when it is no calendar date.
 */
export function expiryDate(yymmdd: string, today: string): string | null {
  if (!/^[0-9]{6}$/.test(yymmdd)) return null;
  const year = Number(today.slice(0, 2)) * 100 + Number(yymmdd.slice(0, 2));
  return realDate(year, Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6))) ? `${year}${yymmdd.slice(2)}` : null;
}

/** The problem with one completed field, given the other fields' values (null: none found). */
export function checkField(
  field: { purpose: SecretPurpose; format: SecretFormat },
  value: string,
  form: Pick<FormView, 'fields' | 'today'>,
): FieldProblem | null {
  if (value.length < field.format.min || value.length > field.format.max) return 'length';
  switch (field.purpose) {
    case 'passport-document-number':
      // ICAO 9303 Part 3/4: A–Z and 0–9, up to nine characters; the '<' filler is added by the kiosk, never typed.
      return DOC_NUMBER.test(value) ? null : 'charset';
    case 'passport-birth-date':
      return birthDate(value, form.today) ? null : 'date';
    case 'passport-expiry-date': {
      const exp = expiryDate(value, form.today);
      if (!exp) return 'date';
      const dob = form.fields.find((f) => f.purpose === 'passport-birth-date')?.value;
      const birth = dob ? birthDate(dob, form.today) : null;
      return birth && exp < birth ? 'expiry-before-birth' : null;
    }
    case 'residence-card-number':
      return CARD_NUMBER.test(value) ? null : 'card-number';
    default:
      return null;
  }
}

/** A fixed-length field just filled up: check it now (a variable-length one is checked on 決定). */
export function completeOnTyping(format: SecretFormat, value: string): boolean {
  return format.min === format.max && value.length === format.max;
}

/** The form with the current field's value as typed now; a fixed-length field is checked as soon as it is full. */
export function typedInto(form: FormView, value: string): FormView {
  const field = form.fields[form.index];
  if (!field || form.review) return form;
  const problem = completeOnTyping(field.format, value) ? checkField(field, value, form) : null;
  return { ...form, fields: form.fields.map((f, i) => (i === form.index ? { ...f, value, problem } : f)) };
}

/**
 * Every field re-checked (the review step: a birth date edited after the expiry was typed can make the
 * expiry wrong). The first field with a problem, or -1.
 */
export function recheck(form: FormView): { form: FormView; firstProblem: number } {
  const fields = form.fields.map((f) => ({ ...f, problem: checkField(f, f.value, form) }));
  return { form: { ...form, fields }, firstProblem: fields.findIndex((f) => f.problem !== null) };
}

/** A new form for a request; `previous`: the values typed for the last attempt (a retry keeps them). */
export function newForm(req: FormRequest, previous: readonly string[] | null, today: string): FormView {
  const keep = previous && previous.length === req.fields.length ? previous : null;
  const fields = req.fields.map((f, i) => ({ purpose: f.purpose, format: f.format, value: keep?.[i] ?? '', problem: null }));
  // A retry opens on the review screen: the values are all there, the holder picks the one to correct.
  return { fields, index: 0, review: keep !== null, mismatch: req.mismatch ?? null, today };
}

type Out = [KioskState, KioskEffect[]];

/** The entry showing field `index` of the form (its value kept and editable), or the review step. */
function showing(base: Omit<EntryView, 'form'>, form: FormView, index: number, review: boolean): EntryView | null {
  const field = form.fields[index];
  if (!field) return null;
  const value = review ? '' : field.value;
  return {
    ...base,
    purpose: field.purpose,
    format: field.format,
    triesLeft: null,
    maxTries: null,
    previousAttemptWrong: form.mismatch !== null,
    length: value.length,
    typed: value,
    candidate: null,
    candidateIndex: null,
    expiring: false,
    tooShort: false,
    form: { ...form, index, review },
  };
}

/** Moves to a field (its value loaded into the entry buffer) or to the review step (buffer empty). */
function goTo(s: KioskState, entry: EntryView, form: FormView, index: number, review: boolean, timers: KioskEffect[]): Out {
  const next = showing(entry, form, index, review);
  if (!next) return [s, []];
  return [{ ...s, phase: 'secret-entry', step: 'pin', entry: next }, [{ type: 'load-entry', text: next.typed ?? '' }, ...timers]];
}

/** A form asked for by the document flow: its first field, or — a retry with the values kept — the review. */
export function open(s: KioskState, form: FormView, padIds: string[], timers: KioskEffect[]): Out {
  const field = form.fields[0];
  if (!field) return [s, []];
  const base: EntryView = {
    purpose: field.purpose,
    format: field.format,
    triesLeft: null,
    maxTries: null,
    previousAttemptWrong: false,
    padIds,
    length: 0,
    candidate: null,
    candidateIndex: null,
    typed: '',
    expiring: false,
    tooShort: false,
    form,
  };
  return goTo(s, base, form, form.index, form.review, timers);
}

/** 決定 on a field with enough characters: flag it at once if it cannot be right, else the next field or the review. */
export function next(s: KioskState, entry: EntryView, form: FormView, timers: KioskEffect[]): Out {
  if (form.review) return [s, timers];
  const field = form.fields[form.index];
  if (!field) return [s, []];
  const problem = checkField(field, entry.typed ?? '', form);
  const current: FormView = { ...form, fields: form.fields.map((f, i) => (i === form.index ? { ...f, value: entry.typed ?? '', problem } : f)) };
  if (problem) return [{ ...s, entry: { ...entry, form: current, tooShort: false } }, timers];
  if (form.index + 1 < form.fields.length && !form.fromReview) return goTo(s, entry, current, form.index + 1, false, timers);
  return toReview(s, entry, current, timers);
}

/** All fields re-checked before the review (an edited birth date can make the expiry wrong): the first wrong one, or the review. */
function toReview(s: KioskState, entry: EntryView, form: FormView, timers: KioskEffect[]): Out {
  const { form: checked, firstProblem } = recheck(form);
  if (firstProblem >= 0) return goTo(s, entry, { ...checked, fromReview: false }, firstProblem, false, timers);
  return goTo(s, entry, { ...checked, fromReview: false }, checked.index, true, timers);
}

export function navigate(
  s: KioskState,
  entry: EntryView,
  form: FormView,
  e: Extract<KioskEvent, { type: 'entry-prev' | 'entry-edit' | 'entry-confirm' }>,
  timers: KioskEffect[],
): Out {
  switch (e.type) {
    case 'entry-prev':
      if (form.review) return goTo(s, entry, { ...form, fromReview: true }, form.fields.length - 1, false, timers);
      if (form.index === 0) return [s, []];
      return goTo(s, entry, keepTyped(form, entry), form.index - 1, false, timers);
    case 'entry-edit':
      if (!form.review || !Number.isInteger(e.field) || e.field < 0 || e.field >= form.fields.length) return [s, []];
      return goTo(s, entry, { ...form, fromReview: true }, e.field, false, timers);
    case 'entry-confirm': {
      if (!form.review) return [s, []];
      const { form: checked, firstProblem } = recheck(form);
      if (firstProblem >= 0) return goTo(s, entry, checked, firstProblem, false, timers);
      // The values leave the state with the hand-over: the screen shows no number while the card is read.
      return [
        { ...s, phase: 'verifying', entry: { ...entry, typed: '', length: 0, expiring: false, form: null } },
        [
          { type: 'clear-timer', timer: 'entry' },
          { type: 'clear-timer', timer: 'entry-warn' },
          { type: 'load-entry', text: '' },
          { type: 'submit-form', session: s.session, values: checked.fields.map((f) => f.value) },
        ],
      ];
    }
  }
}

/** The field left by 「前の項目へ」 keeps what was typed in it (checked again when it is complete). */
function keepTyped(form: FormView, entry: EntryView): FormView {
  return typedInto(form, entry.typed ?? '');
}
