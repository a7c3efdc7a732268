// The words a receipt prints for a refusal: the screen's Japanese guidance for the code (ui/locales/ja.json,
// the translator-edited texts — one source for screen and paper), the document's own where it has one.
// Japanese only: the receipt printer's Shift_JIS cannot print Hangul, Devanagari or Vietnamese, and the
// clerk who reads the paper reads Japanese. Never the code itself (that goes in small type, for staff).
import ja from '../../ui/locales/ja.json' with { type: 'json' };

const TEXT: Record<string, string | string[]> = ja;

export function reasonWords(code: string, document: string | null | undefined): string {
  const pick = (key: string) => {
    const v = TEXT[key];
    return typeof v === 'string' && v !== '' ? v : null;
  };
  return (document ? pick(`reason.${document}.${code}`) : null) ?? pick(`reason.${code}`) ?? pick('reason._default') ?? '';
}
