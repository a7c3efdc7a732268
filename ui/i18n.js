// Screen texts. Every language is one data file a translator edits, ui/locales/<code>.json: flat keys →
// strings with {name} placeholders, or [headline, body] pairs for a screen; no code in the data. The
// languages, in the order the idle screen offers them, with their native names, are listed once in
// ui/locales/languages.json (the voice prompts are rendered from the same list). Japanese is the default and
// the language every session returns to.
//
// Key families: `reason.<CODE>` — guidance for a daemon error code (what happened, what to do next);
// `reason.<document>.<CODE>` — the same for one document where the answer differs (where a locked licence
// PIN is unlocked); `step.<step>` / `step.label.<step>` — progress; `doc.<id>` — [name, what is needed].
import languages from './locales/languages.json' with { type: 'json' };
import ja from './locales/ja.json' with { type: 'json' };
import jaEasy from './locales/ja-easy.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import zhHans from './locales/zh-Hans.json' with { type: 'json' };
import ko from './locales/ko.json' with { type: 'json' };
import vi from './locales/vi.json' with { type: 'json' };
import ptBR from './locales/pt-BR.json' with { type: 'json' };
import fil from './locales/fil.json' with { type: 'json' };
import ne from './locales/ne.json' with { type: 'json' };

/**
 * `dates`: the BCP 47 tag dates are written with (Intl, CLDR patterns: 2029年12月6日, 6 December 2029 …);
 * `fallback`: where a key the language does not have is looked up first (the demo panel's labels exist in
 * Japanese and English only).
 * @type {{ code: string, name: string, english: string, dates: string, fallback?: string }[]}
 */
export const LANGUAGES = languages;
export const DEFAULT_LANGUAGE = 'ja';
/** Every language's texts by code. */
export const TEXT = { ja, 'ja-easy': jaEasy, en, 'zh-Hans': zhHans, ko, vi, 'pt-BR': ptBR, fil, ne };

/** Fills `{name}` placeholders from `vars`; a placeholder without a value stays empty, never shown raw. */
export function format(value, vars = {}) {
  const fill = (s) => s.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name) => (vars[name] == null ? '' : String(vars[name])));
  if (typeof value === 'string') return fill(value);
  if (Array.isArray(value)) return value.map(fill);
  return value;
}

/** The language itself when known, else Japanese. */
export function knownLanguage(code) {
  return Object.hasOwn(TEXT, code) ? code : DEFAULT_LANGUAGE;
}

/**
 * A translator for one language: `t(key, vars)` → the formatted string or pair, or undefined for an unknown
 * key (callers fall back). A key missing in the language (the completeness test keeps that from shipping)
 * falls back to English, then Japanese.
 */
export function translator(lang) {
  const code = knownLanguage(lang);
  const fallback = LANGUAGES.find((l) => l.code === code)?.fallback;
  const chain = [TEXT[code], ...(fallback ? [TEXT[fallback]] : []), TEXT.en, TEXT.ja];
  const t = (key, vars) => {
    for (const texts of chain) if (Object.hasOwn(texts, key)) return format(texts[key], vars);
    return undefined;
  };
  /** A card's date in this language's way (formatDate). */
  t.date = (value) => formatDate(code, value);
  return t;
}

/**
 * Guidance for a daemon error code: the document's own text when it has one, else the code's, else the
 * general "ask staff" text. Never the code itself.
 */
export function reasonText(t, code, document) {
  return (document ? t(`reason.${document}.${code}`) : undefined) ?? t(`reason.${code}`) ?? t('reason._default');
}

/**
 * A date from the daemon (YYYYMMDD as on a card, or ISO YYYY-MM-DD) written the language's way: 2029年12月6日,
 * 6 December 2029, 2029년 12월 6일 … Anything else (an era date, a partial date) is shown as it came.
 */
export function formatDate(lang, value) {
  if (typeof value !== 'string') return value;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value);
  if (!m) return value;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return value;
  const tag = LANGUAGES.find((l) => l.code === knownLanguage(lang))?.dates ?? 'ja-JP';
  return new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(date);
}
