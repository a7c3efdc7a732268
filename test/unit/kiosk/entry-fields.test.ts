// Issue 19, printed-number entry: per-field checks (ICAO 9303 specimen values), back/edit between fields
// with values kept, a review step before the card is touched, and a retry that keeps the values — for
// printed numbers only (a PIN or password never enters a form).
import { describe, expect, it } from 'vitest';
import { birthDate, checkField, expiryDate, newForm } from '../../../daemon/kiosk/entry-fields.ts';
import type { KioskEvent, KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { runMachine } from '../../harness/kiosk-machine.ts';
import type { SecretFormat, SecretPurpose } from '../../../daemon/documents/secrets.ts';

const TODAY = '20261207';
const DOC: SecretFormat = { kind: 'alnum', min: 1, max: 9 };
const DATE: SecretFormat = { kind: 'digits', min: 6, max: 6 };
const PASSPORT = {
  fields: [
    { purpose: 'passport-document-number' as SecretPurpose, format: DOC },
    { purpose: 'passport-birth-date' as SecretPurpose, format: DATE },
    { purpose: 'passport-expiry-date' as SecretPurpose, format: DATE },
  ],
};
const pads = Array.from({ length: 36 }, (_, i) => `pad${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x`);

const run = runMachine;
const started = run([
  { type: 'reader-service', available: true },
  { type: 'card-inserted', reader: 'R' },
]).state;
const ask = (form = PASSPORT, previous: string[] | null = null): KioskEvent => ({
  type: 'form-requested',
  session: 1,
  form,
  previous,
  today: TODAY,
  padIds: pads,
});
const typed = (v: string): KioskEvent => ({ type: 'entry-changed', length: v.length, typed: v });
const fieldOf = (s: KioskState) => s.entry?.form?.index;

describe('field checks (ICAO 9303 Part 3/4 specimen: L898902C3, born 740812, expires 120415)', () => {
  const form = newForm(PASSPORT, ['L898902C3', '740812', '120415'], TODAY);
  it('accepts the specimen values', () => {
    expect(checkField(PASSPORT.fields[0]!, 'L898902C3', form)).toBeNull();
    expect(checkField(PASSPORT.fields[1]!, '740812', form)).toBeNull();
    expect(checkField(PASSPORT.fields[2]!, '120415', form)).toBeNull();
    expect(birthDate('740812', TODAY)).toBe('19740812');
    expect(expiryDate('120415', TODAY)).toBe('20120415');
  });
  it('document number: A–Z and 0–9, at most nine; the < filler is not typed', () => {
    expect(checkField(PASSPORT.fields[0]!, 'L898902C<', form)).toBe('charset');
    expect(checkField(PASSPORT.fields[0]!, 'L898902C36', form)).toBe('length');
  });
  it('dates: month 1–12, a day the month has, 29 February in leap years only', () => {
    for (const bad of ['741312', '740012', '740431', '740230', '230229', '740800']) expect(checkField(PASSPORT.fields[1]!, bad, form)).toBe('date');
    expect(checkField(PASSPORT.fields[1]!, '040229', form)).toBeNull(); // 2004 is a leap year
    expect(checkField(PASSPORT.fields[1]!, '000229', form)).toBeNull(); // 2000 is one too (÷400)
    expect(birthDate('991231', TODAY)).toBe('19991231');
    expect(birthDate('261207', TODAY)).toBe('20261207');
    expect(birthDate('261208', TODAY)).toBe('19261208'); // tomorrow: a century ago
  });
  it('expiry before birth is flagged', () => {
    const young = newForm(PASSPORT, ['L898902C3', '150101', '120415'], TODAY);
    expect(checkField(PASSPORT.fields[2]!, '120415', young)).toBe('expiry-before-birth');
    expect(checkField(PASSPORT.fields[2]!, '250101', young)).toBeNull();
  });
  it('residence card number: 2 letters, 8 digits, 2 letters', () => {
    const f = { purpose: 'residence-card-number' as SecretPurpose, format: { kind: 'alnum', min: 12, max: 12 } as SecretFormat };
    expect(checkField(f, 'AA12345678BB', form)).toBeNull();
    for (const bad of ['A112345678BB', 'AA1234567XBB', 'AA123456789B']) expect(checkField(f, bad, form)).toBe('card-number');
  });
});

describe('multi-field entry in the session machine', () => {
  it('back to the previous field keeps its value and makes it editable; 決定 moves on', () => {
    let r = run([ask(), typed('L898902C3'), { type: 'entry-submit' }], started);
    expect(fieldOf(r.state)).toBe(1);
    expect(r.state.entry?.purpose).toBe('passport-birth-date');
    expect(r.effects).toContainEqual({ type: 'load-entry', text: '' });
    r = run([typed('7408'), { type: 'entry-prev' }], r.state);
    expect(fieldOf(r.state)).toBe(0);
    expect(r.state.entry).toMatchObject({ purpose: 'passport-document-number', typed: 'L898902C3', length: 9 });
    expect(r.effects).toContainEqual({ type: 'load-entry', text: 'L898902C3' });
    // the half-typed birth date is kept too
    r = run([{ type: 'entry-submit' }], r.state);
    expect(r.state.entry).toMatchObject({ purpose: 'passport-birth-date', typed: '7408' });
    // no field before the first
    const first = run([ask()], started).state;
    expect(run([{ type: 'entry-prev' }], first).state).toBe(first);
  });

  it('a wrong date is flagged as soon as its six digits are in, not after all three fields', () => {
    let r = run([ask(), typed('L898902C3'), { type: 'entry-submit' }, typed('741312')], started);
    expect(r.state.entry?.form?.fields[1]?.problem).toBe('date');
    r = run([{ type: 'entry-submit' }], r.state);
    expect(fieldOf(r.state)).toBe(1); // 決定 does not move on
    r = run([typed('74081'), typed('740812')], r.state);
    expect(r.state.entry?.form?.fields[1]?.problem).toBeNull();
    r = run([{ type: 'entry-submit' }, typed('120415')], r.state);
    expect(r.state.entry?.form?.fields[2]?.problem).toBeNull();
  });

  it('review after the last field; 修正する goes to the chosen field; confirm hands the values over', () => {
    let r = run(
      [ask(), typed('L898902C3'), { type: 'entry-submit' }, typed('740812'), { type: 'entry-submit' }, typed('120415'), { type: 'entry-submit' }],
      started,
    );
    expect(r.state.phase).toBe('secret-entry');
    expect(r.state.entry?.form?.review).toBe(true);
    expect(r.state.entry?.form?.fields.map((f) => f.value)).toEqual(['L898902C3', '740812', '120415']);
    expect(r.effects.some((e) => e.type === 'submit-form')).toBe(false); // the card is not touched yet
    r = run([{ type: 'entry-edit', field: 0 }], r.state);
    expect(r.state.entry).toMatchObject({ purpose: 'passport-document-number', typed: 'L898902C3', form: { review: false, index: 0 } });
    r = run([{ type: 'entry-submit' }], r.state); // unchanged: 決定 goes straight back to the review
    expect(r.state.entry?.form?.review).toBe(true);
    r = run([{ type: 'entry-edit', field: 1 }], r.state);
    expect(r.state.entry).toMatchObject({ purpose: 'passport-birth-date', typed: '740812', form: { review: false, index: 1 } });
    // edited so that the expiry comes before birth: flagged at the review, back on the expiry field
    r = run([typed('150101'), { type: 'entry-submit' }], r.state);
    expect(r.state.entry?.form).toMatchObject({ review: false, index: 2 });
    expect(r.state.entry?.form?.fields[2]?.problem).toBe('expiry-before-birth');
    r = run([{ type: 'entry-prev' }, typed('740812'), { type: 'entry-submit' }, { type: 'entry-submit' }], r.state);
    expect(r.state.entry?.form?.review).toBe(true);
    r = run([{ type: 'entry-confirm' }], r.state);
    expect(r.state.phase).toBe('verifying');
    expect(r.effects).toContainEqual({ type: 'submit-form', session: 1, values: ['L898902C3', '740812', '120415'] });
    expect(r.state.entry?.typed).toBe('');
    expect(r.state.entry?.form).toBeNull(); // no number on screen while the card is read
  });

  it('a retry after the chip refused the values opens the review with them kept and says so', () => {
    const verifying = run(
      [
        ask(),
        typed('L898902C3'),
        { type: 'entry-submit' },
        typed('740812'),
        { type: 'entry-submit' },
        typed('120415'),
        { type: 'entry-submit' },
        { type: 'entry-confirm' },
      ],
      started,
    ).state;
    const r = run([ask({ ...PASSPORT, mismatch: { attempt: 2, max: 3 } } as typeof PASSPORT, ['L898902C3', '740812', '120415'])], verifying);
    expect(r.state.phase).toBe('secret-entry');
    expect(r.state.entry?.form).toMatchObject({ review: true, mismatch: { attempt: 2, max: 3 } });
    expect(r.state.entry?.form?.fields.map((f) => f.value)).toEqual(['L898902C3', '740812', '120415']);
    expect(r.effects).toContainEqual({ type: 'alert', kind: 'wrong-secret' });
  });

  it('never a form for a PIN or password (never shown back, kept or retried)', () => {
    for (const purpose of ['license-pin1', 'jpki-auth-pin', 'jpki-sign-password', 'mynumber-text-pin'] as SecretPurpose[]) {
      const r = run([ask({ fields: [{ purpose, format: DATE }] })], started);
      expect(r.state).toBe(started);
      expect(r.effects).toEqual([]);
    }
    const mixed = run([ask({ fields: [...PASSPORT.fields, { purpose: 'license-pin2', format: DATE }] })], started);
    expect(mixed.state).toBe(started);
  });
});
