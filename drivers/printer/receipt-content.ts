// What goes on a verification receipt, and what never does. Input is deliberately narrow: no field for
// the My Number, a PIN, an address or a birth date exists, so they cannot be printed by accident; the
// holder's name is masked per configuration; a last guard refuses any 12-digit My-Number-like run.
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { countMyNumberLike } from './mynumber-guard.ts';
import type { Receipt, ReceiptBlock } from './receipt.ts';
import type { Verdict } from './token.ts';

export type NameMask = 'omit' | 'initials' | 'family' | 'full';

export interface VerificationReceiptInput {
  kioskId: string;
  operatorId: string;
  issuedAt: Date;
  /** e.g. 'my-number-card', 'drivers-licence', 'residence-card', 'passport' */
  documentType: string;
  /** e.g. 'jpki-auth', 'chip-passive-auth', 'pace' */
  method: string;
  verdict: Verdict;
  /** Error codes behind a refusal (KioskError codes; never free text from a card). */
  reasons?: string[];
  /** The refusal in words, one per reason (daemon/kiosk/reason-words.ts); the codes go below in small type. */
  reasonWords?: string[];
  reference: string;
  /** Holder's name as read (family name first); masked per `nameMask`. */
  holderName?: string;
  /** The signed token for the QR code (token.ts). */
  token: string;
  /** Age policies: "threshold or older" yes/no (null: no answer, the document was not verified). Never a birth date. */
  age?: { threshold: number; over: boolean | null } | null;
  /** What the evidence proved about the document (docs/verdicts.md); absent/null prints "not checked". */
  authenticity?: 'proven' | 'chip-read' | 'failed' | null;
  /** How the presenter was tied to the document; absent/null prints "not checked". */
  holderBinding?: 'pin' | 'password' | 'printed-number-only' | 'mrz-only' | 'none' | null;
}

export interface ReceiptContentConfig {
  nameMask: NameMask;
  title?: string;
}

const DOC_LABEL: Record<string, string> = {
  'my-number-card': 'マイナンバーカード',
  'drivers-licence': '運転免許証',
  'residence-card': '在留カード',
  passport: '旅券',
};
const METHOD_LABEL: Record<string, string> = {
  'jpki-auth': '公的個人認証 (JPKI)',
  'jpki-sign': '公的個人認証 署名',
  'chip-passive-auth': 'ICチップ署名検証',
  'chip-active-auth': 'ICチップ能動認証',
  pace: 'ICチップ (PACE)',
  bac: 'ICチップ (BAC)',
  'pin-and-chip': '暗証番号+ICチップ',
};
/**
 * The verdict lines. chip-read is never 確認済 / VERIFIED: the chip was read, but nobody proved its data
 * (docs/verdicts.md). Its words do not fit double size (24 full-width columns), so they print in normal
 * size, Japanese and English on a line each, rather than break mid-word.
 */
const VERDICT_LABEL: Record<Verdict, { lines: string[]; size: 1 | 2 }> = {
  ok: { lines: ['確認済 VERIFIED'], size: 2 },
  'chip-read': { lines: ['ICチップ読取のみ（署名未検証）', 'IC chip read only (signature not verified)'], size: 1 },
  // Two lines: as one double-size line (54 columns) it broke inside "VERIFIED".
  refused: { lines: ['確認できません', 'NOT VERIFIED'], size: 2 },
  error: { lines: ['エラー ERROR'], size: 2 },
};
const AUTHENTICITY_LABEL: Record<string, string> = {
  proven: '電子署名で証明 Proven by signature',
  'chip-read': '署名未検証 Signature not verified',
  failed: '検証失敗 Failed',
};
const BINDING_LABEL: Record<string, string> = {
  pin: '暗証番号 PIN',
  password: 'パスワード Password',
  'printed-number-only': '券面の番号のみ Printed number only',
  'mrz-only': 'MRZのみ MRZ only',
  none: 'なし None',
};
const NOT_CHECKED = '未確認 Not checked';

/** The JST calendar fields of an instant. JST is UTC+9 all year (no DST), so no time-zone database is needed. */
function jstFields(d: Date): { y: string; mo: string; d: string; h: string; mi: string; s: string } {
  const j = new Date(d.getTime() + 9 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return {
    y: String(j.getUTCFullYear()),
    mo: p(j.getUTCMonth() + 1),
    d: p(j.getUTCDate()),
    h: p(j.getUTCHours()),
    mi: p(j.getUTCMinutes()),
    s: p(j.getUTCSeconds()),
  };
}

/**
 * The printed date and time, in the 年月日 form a Japanese reader expects on a receipt (the document dates
 * on the screen and receipt use it too); seconds are kept so an operator can match the audit record.
 */
export function formatJst(d: Date): string {
  const f = jstFields(d);
  return `${f.y}年${f.mo}月${f.d}日 ${f.h}:${f.mi}:${f.s} JST`;
}

const isLatin = (s: string) => /^[\x20-\x7e]*$/.test(s);

function maskPart(part: string, keep: number): string {
  const chars = [...part];
  const latin = isLatin(part);
  return chars.slice(0, keep).join('') + (latin ? '*' : '＊').repeat(Math.max(0, chars.length - keep));
}

/**
 * "山田 太郎" → family: "山田 ＊＊", initials: "山＊ ＊＊"; "YAMADA TARO" → "YAMADA T***" / "Y***** T***".
 * Latin given names keep their initial (common practice on Japanese receipts), kanji given names do not.
 */
export function maskName(name: string, mask: NameMask): string | null {
  if (mask === 'omit') return null;
  const parts = name
    .trim()
    .split(/[\s\u3000,]+/)
    .filter(Boolean);
  if (parts.length === 0) return null;
  if (mask === 'full') return parts.join(' ');
  const [family = '', ...given] = parts; // parts is not empty
  if (mask === 'family') {
    return [family, ...given.map((g) => maskPart(g, isLatin(g) ? 1 : 0))].join(' ');
  }
  return [maskPart(family, 1), ...given.map((g) => maskPart(g, isLatin(g) ? 1 : 0))].join(' ');
}

export function buildVerificationReceipt(input: VerificationReceiptInput, cfg: ReceiptContentConfig): Receipt {
  const blocks: ReceiptBlock[] = [
    { kind: 'text', text: cfg.title ?? '本人確認 結果票', align: 'center', bold: true, size: 2 },
    { kind: 'text', text: 'IDENTITY VERIFICATION', align: 'center' },
    { kind: 'rule', char: '=' },
    { kind: 'pair', label: '日時 Date', value: formatJst(input.issuedAt) },
    { kind: 'pair', label: '端末 Kiosk', value: input.kioskId },
    { kind: 'pair', label: '担当 Operator', value: input.operatorId },
    { kind: 'pair', label: '書類 Document', value: DOC_LABEL[input.documentType] ?? input.documentType },
    { kind: 'pair', label: '方式 Method', value: METHOD_LABEL[input.method] ?? input.method },
  ];
  const name = input.holderName ? maskName(input.holderName, cfg.nameMask) : null;
  if (name) blocks.push({ kind: 'pair', label: '氏名 Name', value: name });
  if (input.age) {
    const answer = input.age.over === true ? 'はい YES' : input.age.over === false ? 'いいえ NO' : '判定不可 N/A';
    blocks.push({ kind: 'pair', label: `${input.age.threshold}歳以上 Age ${input.age.threshold}+`, value: answer, bold: true });
  }
  blocks.push(
    { kind: 'pair', label: '真正性 Authenticity', value: (input.authenticity && AUTHENTICITY_LABEL[input.authenticity]) || NOT_CHECKED },
    { kind: 'pair', label: '本人との結び付け Holder', value: (input.holderBinding && BINDING_LABEL[input.holderBinding]) || NOT_CHECKED },
  );
  const label = VERDICT_LABEL[input.verdict];
  blocks.push({ kind: 'rule' }, ...label.lines.map((text) => ({ kind: 'text' as const, text, align: 'center' as const, bold: true, size: label.size })));
  if (input.verdict !== 'ok' && input.reasons?.length) {
    // Words for the holder and the clerk; the code only in small type, for staff.
    const words = [...new Set((input.reasonWords ?? []).filter(Boolean))];
    for (const [i, w] of words.entries()) blocks.push({ kind: 'text', text: i === 0 ? `理由：${w}` : w });
    blocks.push({ kind: 'text', text: `${words.length ? '' : '理由 '}(${input.reasons.join(', ')})`, align: 'right', small: true });
  }
  blocks.push(
    { kind: 'rule' },
    { kind: 'pair', label: '受付番号 Ref.', value: input.reference, bold: true },
    { kind: 'feed', lines: 1 },
    { kind: 'qr', data: input.token, moduleSize: 4, ec: 'M' },
    { kind: 'text', text: '係員はQRコードを端末の公開鍵で検証できます', align: 'center' },
    { kind: 'text', text: 'Staff: verify the QR with the kiosk public key', align: 'center' },
  );
  assertNoMyNumber(blocks);
  return { blocks };
}

/** Refuses a receipt whose text contains a My-Number-like run (an upstream bug, never printed). */
export function assertNoMyNumber(blocks: ReceiptBlock[]): void {
  const all = blocks.map((b) => (b.kind === 'text' ? b.text : b.kind === 'pair' ? `${b.label} ${b.value}` : b.kind === 'qr' ? b.data : '')).join('\n');
  if (countMyNumberLike(all) > 0) {
    throw new KioskError(ErrorCodes.INTERNAL, 'receipt content refused: it contains a 12-digit number that passes the My Number check');
  }
}

/** A reference number that can never look like a My Number: date + 6 characters of Crockford base32. */
export function newReference(now: Date, random: () => number = Math.random): string {
  const f = jstFields(now);
  const A = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let s = '';
  for (let i = 0; i < 6; i++) s += A[Math.floor(random() * 32)];
  return `${f.y}${f.mo}${f.d}-${s}`;
}
