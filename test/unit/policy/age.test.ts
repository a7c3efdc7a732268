// Age in completed years at JST midnight boundaries, 29 Feb births, and the MRZ century rule.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageAt, ageReachedAt, isAtLeast, jstDate, parseBirthDate, resolveMrzBirthDate } from '../../../daemon/policy/age.ts';

const jst = (s: string) => new Date(`${s}+09:00`);
const birth = (s: string) => parseBirthDate(s)!;

describe('age at JST boundaries', () => {
  it('turns 20 at 00:00 JST on the 20th birthday, not a millisecond before', () => {
    const b = birth('2006-11-24');
    expect(isAtLeast(b, 20, jst('2026-11-23T23:59:59.999'))).toBe(false);
    expect(isAtLeast(b, 20, jst('2026-11-24T00:00:00.000'))).toBe(true);
    // 00:00 JST is 15:00 UTC the day before: the UTC calendar date must not be used.
    expect(isAtLeast(b, 20, new Date('2026-11-23T15:00:00Z'))).toBe(true);
    expect(isAtLeast(b, 20, new Date('2026-11-23T14:59:59Z'))).toBe(false);
    expect(ageReachedAt(b, 20).toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });

  it('29 February births: 00:00 JST on 1 March in non-leap years, 29 February in leap years', () => {
    const b = birth('2004-02-29');
    expect(ageAt(b, jst('2024-02-28T23:59:59'))).toBe(19);
    expect(ageAt(b, jst('2024-02-29T00:00:00'))).toBe(20); // 2024 is a leap year
    const c = birth('2005-02-28');
    expect(ageAt(c, jst('2025-02-28T00:00:00'))).toBe(20);
    const d = birth('2008-02-29'); // 20th anniversary in 2028 (leap); 18th in 2026 (non-leap)
    expect(isAtLeast(d, 18, jst('2026-02-28T23:59:59.999'))).toBe(false);
    expect(isAtLeast(d, 18, jst('2026-03-01T00:00:00'))).toBe(true);
    expect(ageReachedAt(d, 18).toISOString()).toBe('2026-02-28T15:00:00.000Z');
  });

  it('a birth after the instant is never "of age"', () => {
    expect(ageAt(birth('2030-01-01'), jst('2026-01-01T00:00:00'))).toBe(-1);
  });

  it('property: age steps by exactly one at ageReachedAt and agrees with a naive calendar count', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1920-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: 99 }), (d, n) => {
        const b = jstDate(d);
        const t = ageReachedAt(b, n);
        expect(ageAt(b, t)).toBe(n);
        expect(ageAt(b, new Date(t.getTime() - 1))).toBe(n - 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('birth-date parsing', () => {
  it('accepts ISO and card forms, refuses impossible dates', () => {
    expect(parseBirthDate('1990-01-15')).toEqual({ year: 1990, month: 1, day: 15 });
    expect(parseBirthDate('19900115')).toEqual({ year: 1990, month: 1, day: 15 });
    expect(parseBirthDate('2001-02-29')).toBeNull();
    expect(parseBirthDate('1990-13-01')).toBeNull();
    expect(parseBirthDate('H020115')).toBeNull();
  });

  it('MRZ YYMMDD: the latest century not in the future (errs towards younger)', () => {
    const at = jst('2026-11-24T12:00:00');
    expect(resolveMrzBirthDate('900115', at)).toEqual({ year: 1990, month: 1, day: 15 });
    expect(resolveMrzBirthDate('061124', at)).toEqual({ year: 2006, month: 11, day: 24 });
    expect(resolveMrzBirthDate('261125', at)).toEqual({ year: 1926, month: 11, day: 25 }); // tomorrow in 2026 → 1926
    expect(resolveMrzBirthDate('261124', at)).toEqual({ year: 2026, month: 11, day: 24 }); // born today
    expect(resolveMrzBirthDate('000229', at)).toEqual({ year: 2000, month: 2, day: 29 });
    expect(resolveMrzBirthDate('991301', at)).toBeNull();
  });
});
