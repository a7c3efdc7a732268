// The screen's verdict wording: 「本人確認できました」 only for verified + proven; chip-read has its own
// headline (「ICチップ読取のみ（署名未検証）」), icon and colour; DOCUMENT_NOT_PROVEN has guidance in both
// languages. The screen does not take the daemon's gate on trust: a frame claiming verified without proven
// authenticity is drawn as refused.
import { describe, expect, it } from 'vitest';

type Texts = Record<'ja' | 'en', Record<string, string | string[]>>;
// Plain-JS screen modules without type declarations: imported untyped and given the shape used here.
const { TEXT } = (await import('../../../ui/i18n.js' as string)) as { TEXT: Texts };
const { shownOutcome } = (await import('../../../ui/screens.js' as string)) as {
  shownOutcome: (r: { outcome: string; authenticity?: string | null }) => string;
};

describe('screen verdict wording', () => {
  it('chip-read has its own headline in both languages, never the verified one', () => {
    const [ja] = TEXT.ja['result.chip-read'] as [string, string];
    const [en] = TEXT.en['result.chip-read'] as [string, string];
    expect(ja).toBe('ICチップ読取のみ（署名未検証）');
    expect(en).toBe('IC chip read only (signature not verified)');
    expect(JSON.stringify(TEXT.ja['result.chip-read'])).not.toContain('本人確認できました');
    expect(JSON.stringify(TEXT.en['result.chip-read'])).not.toMatch(/identity verified/i);
  });

  it('DOCUMENT_NOT_PROVEN explains what happened and what to do, in Japanese and English', () => {
    expect(TEXT.ja['reason.DOCUMENT_NOT_PROVEN']).toMatch(/電子署名/);
    expect(TEXT.ja['reason.DOCUMENT_NOT_PROVEN']).toMatch(/別の本人確認書類|係員/);
    expect(TEXT.en['reason.DOCUMENT_NOT_PROVEN']).toMatch(/signature/);
    expect(TEXT.en['reason.DOCUMENT_NOT_PROVEN']).toMatch(/another identity document|staff/);
  });

  it('draws verified only with proven authenticity; chip-read only with chip-read authenticity', () => {
    expect(shownOutcome({ outcome: 'verified', authenticity: 'proven' })).toBe('verified');
    for (const a of ['chip-read', 'failed', null, undefined]) expect(shownOutcome({ outcome: 'verified', authenticity: a })).toBe('refused');
    expect(shownOutcome({ outcome: 'chip-read', authenticity: 'chip-read' })).toBe('chip-read');
    for (const a of ['proven', 'failed', null, undefined]) expect(shownOutcome({ outcome: 'chip-read', authenticity: a })).toBe('refused');
    for (const o of ['refused', 'error', 'cancelled']) expect(shownOutcome({ outcome: o, authenticity: 'proven' })).toBe(o);
  });
});
