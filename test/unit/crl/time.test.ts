// decodeTime (RFC 5280 §4.1.2.5 UTCTime and GeneralizedTime → seconds since the epoch) against the
// JavaScript engine's own calendar (Date), an independent implementation: every valid time agrees, every
// impossible one (day 31 of a 30-day month, 29 February of a common year, hour 24, a missing 'Z', …) is NaN.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeTime } from '../../../daemon/trust/crl/der.ts';

const two = (n: number) => String(n).padStart(2, '0');

/** Seconds since the epoch by Date; setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999. */
function byDate(year: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  return t.getTime() / 1000;
}

/** Does Date keep the fields as given (no rollover into the next month, day or hour)? */
function exists(year: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  const t = new Date(byDate(year, mo, d, h, mi, s) * 1000);
  return (
    t.getUTCFullYear() === year &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s
  );
}

function decode(tag: number, text: string): number {
  const b = Buffer.from(`..${text}..`, 'latin1'); // the value inside a larger buffer, as in a CRL entry
  return decodeTime(b, tag, 2, text.length);
}

// the fields over ranges a little wider than valid, so both sides of every limit are drawn
const fields = fc.record({
  mo: fc.integer({ min: 0, max: 13 }),
  d: fc.integer({ min: 0, max: 32 }),
  h: fc.integer({ min: 0, max: 24 }),
  mi: fc.integer({ min: 0, max: 60 }),
  s: fc.integer({ min: 0, max: 60 }),
});

describe('decodeTime', () => {
  it('UTCTime: agrees with Date on every valid time, NaN on every other (years 1950–2049)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fields, (yy, { mo, d, h, mi, s }) => {
        const year = yy < 50 ? 2000 + yy : 1900 + yy;
        const got = decode(0x17, `${two(yy)}${two(mo)}${two(d)}${two(h)}${two(mi)}${two(s)}Z`);
        if (exists(year, mo, d, h, mi, s)) expect(got).toBe(byDate(year, mo, d, h, mi, s));
        else expect(got).toBeNaN();
      }),
      { numRuns: 2000 },
    );
  });

  it('GeneralizedTime: agrees with Date on every valid time, NaN on every other (years 0000–9999)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fields, (year, { mo, d, h, mi, s }) => {
        const got = decode(0x18, `${String(year).padStart(4, '0')}${two(mo)}${two(d)}${two(h)}${two(mi)}${two(s)}Z`);
        if (exists(year, mo, d, h, mi, s)) expect(got).toBe(byDate(year, mo, d, h, mi, s));
        else expect(got).toBeNaN();
      }),
      { numRuns: 2000 },
    );
  });

  it('leap days and century years', () => {
    expect(decode(0x17, '000229000000Z')).toBe(Date.parse('2000-02-29T00:00:00Z') / 1000); // 2000: divisible by 400
    expect(decode(0x17, '240229120000Z')).toBe(Date.parse('2024-02-29T12:00:00Z') / 1000);
    expect(decode(0x17, '230229120000Z')).toBeNaN();
    expect(decode(0x18, '21000229000000Z')).toBeNaN(); // 2100: a century, not divisible by 400
    expect(decode(0x18, '19000229000000Z')).toBeNaN();
    expect(decode(0x17, '491231235959Z')).toBe(Date.parse('2049-12-31T23:59:59Z') / 1000);
    expect(decode(0x17, '500101000000Z')).toBe(Date.parse('1950-01-01T00:00:00Z') / 1000);
  });

  it('NaN for a wrong tag, a wrong length, a non-digit, a missing Z or a value cut off by the buffer', () => {
    expect(decode(0x18, '240229120000Z')).toBeNaN();
    expect(decode(0x17, '20240229120000Z')).toBeNaN();
    expect(decode(0x04, '240229120000Z')).toBeNaN();
    expect(decode(0x17, '2402291200Z')).toBeNaN();
    expect(decode(0x17, '24022912001/Z')).toBeNaN(); // '/' is the byte below '0' (as a digit, "1/" would be 9)
    expect(decode(0x17, '24022912000:Z')).toBeNaN(); // ':' is the byte above '9' (as a digit, "0:" would be 10)
    expect(decode(0x17, '240229120000+')).toBeNaN();
    const b = Buffer.from('2402291200', 'latin1');
    expect(decodeTime(b, 0x17, 0, 13)).toBeNaN();
  });
});
