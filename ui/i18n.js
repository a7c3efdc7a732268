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
import en from './locales/en.json' with { type: 'json' };

/** @type {{ code: string, name: string, english: string }[]} */
export const LANGUAGES = languages;
export const DEFAULT_LANGUAGE = 'ja';
/** Every language's texts by code. */
export const TEXT = { ja, en };

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
  const chain = [TEXT[knownLanguage(lang)], TEXT.en, TEXT.ja];
  return (key, vars) => {
    for (const texts of chain) if (Object.hasOwn(texts, key)) return format(texts[key], vars);
    return undefined;
  };
}

/**
 * Guidance for a daemon error code: the document's own text when it has one, else the code's, else the
 * general "ask staff" text. Never the code itself.
 */
export function reasonText(t, code, document) {
  return (document ? t(`reason.${document}.${code}`) : undefined) ?? t(`reason.${code}`) ?? t('reason._default');
}
