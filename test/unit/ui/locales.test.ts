// The translator-editable screen texts (ui/locales/<code>.json): every language listed once, each with the
// same keys as Japanese (the reference), the same shape ([headline, body] pairs stay pairs) and the same
// {placeholders}; a text is empty only where the Japanese one is (a code without words, e.g. a cancel).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../core/errors.ts';

type Locale = Record<string, string | string[]>;
const DIR = new URL('../../../ui/locales/', import.meta.url);
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
const languages = read('languages.json') as { code: string; name: string; english: string }[];
type Translate = ((key: string, vars?: Record<string, unknown>) => string | string[] | undefined) & { date?: (v: string) => string };
const TEXTS = (await import('../../../ui/i18n.js' as string)) as {
  TEXT: Record<string, Locale>;
  translator: (lang: string) => Translate;
  format: (v: string | string[], vars?: Record<string, unknown>) => string | string[];
  formatDate: (lang: string, v: string) => string;
};
const { TEXT, translator, format } = TEXTS;
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
      // The demo panel's labels (a demonstrator's tool, not the customer's screen) are in Japanese and
      // English only; every other key is in every language.
      const keys = Object.keys(ja).filter((k) => code === 'ja' || code === 'en' || !k.startsWith('demo.'));
      expect(Object.keys(loc).sort()).toEqual(keys.sort());
      for (const key of keys) {
        const value = ja[key] as string | string[];
        const v = loc[key] as string | string[];
        expect(shape(v), key).toBe(shape(value));
        expect(placeholders(v), key).toEqual(placeholders(value));
        expect(empties(v), key).toEqual(empties(value));
        for (const s of [v].flat()) expect(typeof s, key).toBe('string');
      }
    });
  }

  it('every daemon error code has guidance in every language, and no text shows a raw code', () => {
    const codes = Object.values(ErrorCodes);
    expect(codes.length).toBeGreaterThan(90);
    for (const { code } of languages) {
      const loc = read(`${code}.json`) as Locale;
      const missing = codes.filter((c) => typeof loc[`reason.${c}`] !== 'string' || loc[`reason.${c}`] === '');
      expect(missing, code).toEqual([]);
      for (const [key, value] of Object.entries(loc)) for (const s of [value].flat()) expect(s, `${code} ${key}`).not.toMatch(/[A-Z][A-Z0-9]*_[A-Z0-9_]+/);
    }
  });

  it('offers the nine languages of the people who carry these documents, Japanese first', () => {
    expect(languages.map((l) => l.code)).toEqual(['ja', 'ja-easy', 'en', 'zh-Hans', 'ko', 'vi', 'pt-BR', 'fil', 'ne']);
  });

  it('writes dates the language’s way (CLDR long dates), and leaves what is not a date alone', () => {
    const { formatDate } = TEXTS;
    // Expected values: the CLDR long date patterns of each locale (y年M月d日, d MMMM y, y년 MMMM d일 …).
    expect(formatDate('ja', '20291206')).toBe('2029年12月6日');
    expect(formatDate('ja-easy', '2029-12-06')).toBe('2029年12月6日');
    expect(formatDate('en', '20291206')).toBe('6 December 2029');
    expect(formatDate('zh-Hans', '20291206')).toBe('2029年12月6日');
    expect(formatDate('ko', '20291206')).toBe('2029년 12월 6일');
    expect(formatDate('pt-BR', '20291206')).toBe('6 de dezembro de 2029');
    expect(formatDate('ja', '20290231')).toBe('20290231'); // not a day: shown as it came
    expect(formatDate('ja', '令和11年12月6日')).toBe('令和11年12月6日');
    expect(translator('ko').date?.('20291206')).toBe('2029년 12월 6일');
  });

  it('formats placeholders by name and never shows one raw', () => {
    // Values from the spec of the format: {name} is replaced, an absent value leaves nothing.
    expect(format('残り{n}回', { n: 2 })).toBe('残り2回');
    expect(format(['{doc}を置いてください', 'x'], { doc: '旅券' })).toEqual(['旅券を置いてください', 'x']);
    expect(format('受付番号 {ref}', {})).toBe('受付番号 ');
    expect(translator('en')('entry.triesLeft', { n: 1 })).toBe('Tries left: 1');
    expect(translator('xx')('key.enter')).toBe('決定'); // an unknown language is Japanese
  });
});
