import { describe, expect, it } from 'vitest';
import { EntryField, FIELD_PRESETS, type EntryView, type FieldSpec } from '../../../drivers/keypad/entry.ts';
import type { Scheduler } from '../../../drivers/keypad/multitap.ts';
import { DEFAULT_ROLES_4X3, DEFAULT_ROLES_4X4, type KeyName, type KeyRoles } from '../../../drivers/keypad/types.ts';

/** A manual clock: timers fire only when the test calls tick(). */
function manualScheduler() {
  let pending: (() => void) | null = null;
  const schedule: Scheduler = (fn) => {
    pending = fn;
    return () => {
      if (pending === fn) pending = null;
    };
  };
  return {
    schedule,
    tick: () => {
      const f = pending;
      pending = null;
      f?.();
    },
  };
}

function field(spec: FieldSpec, roles: KeyRoles = DEFAULT_ROLES_4X3) {
  const clock = manualScheduler();
  const views: EntryView[] = [];
  const submitted: string[] = [];
  let cancelled = false;
  const f = new EntryField(
    spec,
    roles,
    { onView: (v) => views.push(v), onSubmit: (v) => submitted.push(v), onCancel: () => (cancelled = true) },
    { schedule: clock.schedule },
  );
  const type = (s: string) => {
    for (const ch of s) {
      if (ch === '_') clock.tick();
      else f.key(ch as KeyName);
    }
  };
  return { f, views, submitted, type, tick: clock.tick, cancelled: () => cancelled };
}

describe('multi-tap entry', () => {
  it('cycles 2 → A B C 2 A and commits on timeout or another key', () => {
    const { type, views, f } = field(FIELD_PRESETS.signPassword);
    type('2');
    expect(views.at(-1)).toMatchObject({ candidate: 'A', length: 0, mask: 'A' });
    type('2');
    expect(views.at(-1)!.candidate).toBe('B');
    type('22');
    expect(views.at(-1)!.candidate).toBe('2');
    type('2');
    expect(views.at(-1)!.candidate).toBe('A');
    type('3'); // another key commits A, starts D
    expect(views.at(-1)).toMatchObject({ length: 1, candidate: 'D', mask: '●D' });
    type('_'); // timeout commits D
    expect(views.at(-1)).toMatchObject({ length: 2, candidate: null, mask: '●●' });
    f.finish();
  });

  it('enters a JPKI signature password and submits it only to the core', () => {
    const { type, submitted, views } = field(FIELD_PRESETS.signPassword);
    // K=55 I=444 O=666 S=7777 K=55 1 → "KIOSK1"
    type('55_444_666_7777_55_1');
    expect(views.at(-1)).toMatchObject({ length: 6, complete: true, candidate: null, mask: '●●●●●●' });
    type('#');
    expect(submitted).toEqual(['KIOSK1']);
    for (const v of views) expect(JSON.stringify(v)).not.toMatch(/KIOSK/);
  });

  it('rejects a too-short password on enter and keeps editing', () => {
    const { type, submitted, views } = field(FIELD_PRESETS.signPassword);
    type('2_3_#');
    expect(submitted).toEqual([]);
    expect(views.at(-1)!.problem).toBe('too-short');
  });

  it('follows the residence-card template: letters, then digits that commit at once, then letters', () => {
    const { type, submitted, views } = field(FIELD_PRESETS.residenceCardNumber);
    type('2_22_'); // A, B
    expect(views.at(-1)!.length).toBe(2);
    type('12345678'); // digit positions: each commits immediately, no candidate
    expect(views.at(-1)).toMatchObject({ length: 10, candidate: null });
    type('2_222_#'); // A, C
    expect(submitted).toEqual(['AB12345678AC']);
  });

  it('in a letter position the digit in the cycle is skipped (2 → A B C A)', () => {
    const { type, views } = field(FIELD_PRESETS.residenceCardNumber);
    type('2222');
    expect(views.at(-1)!.candidate).toBe('A');
  });

  it('back drops the candidate first, then committed characters; clear and cancel on a 4×4 pad', () => {
    const { type, views, cancelled } = field(FIELD_PRESETS.passportNumber, DEFAULT_ROLES_4X4);
    type('8_6_3');
    expect(views.at(-1)).toMatchObject({ length: 2, candidate: 'D' });
    type('B');
    expect(views.at(-1)).toMatchObject({ length: 2, candidate: null });
    type('B');
    expect(views.at(-1)).toMatchObject({ length: 1 });
    type('C');
    expect(views.at(-1)).toMatchObject({ length: 0, mask: '' });
    type('A');
    expect(cancelled()).toBe(true);
  });

  it('numeric fields take digits only, never show a candidate and stop at maxLength', () => {
    const { type, views, submitted } = field(FIELD_PRESETS.pin4);
    type('12345');
    expect(views.at(-1)).toMatchObject({ length: 4, candidate: null, mask: '●●●●', complete: true });
    type('*');
    expect(views.at(-1)!.length).toBe(3);
    type('9#');
    expect(submitted).toEqual(['1239']);
  });

  it('a field with reveal "none" hides the candidate too', () => {
    const spec: FieldSpec = { ...FIELD_PRESETS.signPassword, reveal: 'none' };
    const { type, views } = field(spec);
    type('2');
    expect(views.at(-1)).toMatchObject({ candidate: null, mask: '●' });
  });
});
