// The translator-editable screen texts (ui/locales/<code>.json): every language listed once, each with the
// same keys as Japanese (the reference), the same shape ([headline, body] pairs stay pairs) and the same
// {placeholders}; a text is empty only where the Japanese one is (a code without words, e.g. a cancel).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Locale = Record<string, string | string[]>;
const DIR = new URL('../../../ui/locales/', import.meta.url);
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
const languages = read('languages.json') as { code: string; name: string; english: string }[];
const { TEXT, translator, format } = (await import('../../../ui/i18n.js' as string)) as {
  TEXT: Record<string, Locale>;
  translator: (lang: string) => (key: string, vars?: Record<string, unknown>) => string | string[] | undefined;
  format: (v: string | string[], vars?: Record<string, unknown>) => string | string[];
};
const ja = read('ja.json') as Locale;
const placeholders = (v: string | string[]) => [...new Set([v].flat().flatMap((s) => [...s.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1])))].sort();
const shape = (v: unknown) => (Array.isArray(v) ? `pair:${v.length}` : typeof v);
const empties = (v: string | string[]) => [v].flat().map((s) => s === '');

describe('screen texts: one data file per language', () => {
  it('lists each language once, with a native name, and has a data file for each and no other', () => {
    const codes = languages.map((l) => l.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes[0]).toBe('ja');
    for (const l of languages) expect(l.name.trim().length).toBeGreaterThan(0);
    const files = readdirSync(DIR)
      .filter((f) => f !== 'languages.json' && f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    expect(files.sort()).toEqual([...codes].sort());
    expect(Object.keys(TEXT).sort()).toEqual([...codes].sort());
  });

  for (const { code } of languages) {
    it(`${code}: same keys, shapes, placeholders and empty texts as Japanese; data only`, () => {
      const loc = read(`${code}.json`) as Locale;
      expect(Object.keys(loc).sort()).toEqual(Object.keys(ja).sort());
      for (const [key, value] of Object.entries(ja)) {
        const v = loc[key] as string | string[];
        expect(shape(v), key).toBe(shape(value));
        expect(placeholders(v), key).toEqual(placeholders(value));
        expect(empties(v), key).toEqual(empties(value));
        for (const s of [v].flat()) expect(typeof s, key).toBe('string');
      }
    });
  }

  it('formats placeholders by name and never shows one raw', () => {
    // Values from the spec of the format: {name} is replaced, an absent value leaves nothing.
    expect(format('残り{n}回', { n: 2 })).toBe('残り2回');
    expect(format(['{doc}を置いてください', 'x'], { doc: '旅券' })).toEqual(['旅券を置いてください', 'x']);
    expect(format('受付番号 {ref}', {})).toBe('受付番号 ');
    expect(translator('en')('entry.triesLeft', { n: 1 })).toBe('Tries left: 1');
    expect(translator('xx')('key.enter')).toBe('決定'); // an unknown language is Japanese
  });
});
