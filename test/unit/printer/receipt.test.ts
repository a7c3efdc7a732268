import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { qrNative, raster } from '../../../drivers/printer/escpos.ts';
import { countMyNumberLike, myNumberCheckDigit } from '../../../drivers/printer/mynumber-guard.ts';
import { qrBitmap } from '../../../drivers/printer/qr-raster.ts';
import { buildVerificationReceipt, formatJst, maskName, newReference, type VerificationReceiptInput } from '../../../drivers/printer/receipt-content.ts';
import { renderReceipt, type Receipt } from '../../../drivers/printer/receipt.ts';
import { decodeShiftJis } from '../../../drivers/printer/sjis.ts';
import { createReceiptToken, encodePayload, es256Signer, verifyReceiptToken } from '../../../drivers/printer/token.ts';
import { EscPosParser } from '../../../drivers/sim/printer/parser.ts';
import { transcript } from '../../../drivers/sim/printer/document.ts';
import { VirtualPrinter } from '../../../drivers/sim/printer/virtual-printer.ts';
import { reasonWords } from '../../../daemon/kiosk/reason-words.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const base = async (over: Partial<VerificationReceiptInput> = {}): Promise<VerificationReceiptInput> => {
  const issuedAt = new Date('2025-03-01T05:06:07Z');
  const reference = newReference(issuedAt, () => 0.42);
  const token = await createReceiptToken(
    { issuedAt, verdict: 'ok', kioskId: 'K-01', reference, documentType: 'my-number-card', method: 'jpki-auth' },
    es256Signer(key.privateKey),
    key.publicKey,
  );
  return {
    kioskId: 'K-01',
    operatorId: 'OP-1',
    issuedAt,
    documentType: 'my-number-card',
    method: 'jpki-auth',
    verdict: 'ok',
    reference,
    holderName: '山田 太郎',
    token,
    ...over,
  };
};

function printOn(bytes: Buffer) {
  const vp = new VirtualPrinter();
  vp.receive(bytes);
  expect(vp.errors).toEqual([]);
  return vp;
}

describe('ESC/POS encoding', () => {
  it('GS ( k store-data length counts bytes, not characters (kanji data)', () => {
    const data = Buffer.from('本人確認', 'utf8'); // 4 characters, 12 bytes
    const q = qrNative(data, { moduleSize: 4, ec: 'M' });
    const store = q.indexOf(Buffer.from([0x31, 0x50, 0x30]));
    const pL = q[store - 2]!;
    const pH = q[store - 1]!;
    expect(pL + 256 * pH).toBe(data.length + 3);
    expect(q.subarray(store + 3, store + 3 + data.length)).toEqual(data);
  });

  it('splits tall raster images into GS v 0 bands with correct headers', () => {
    const img = { widthDots: 20, height: 300, data: Buffer.alloc(3 * 300, 0xaa) };
    const r = raster(img, 128);
    expect(r.length).toBe(3 * 300 + 3 * 8);
    expect([...r.subarray(0, 8)]).toEqual([0x1d, 0x76, 0x30, 0, 3, 0, 128, 0]);
    expect([...r.subarray(8 + 3 * 128 * 2 + 8, 8 + 3 * 128 * 2 + 16)]).toEqual([0x1d, 0x76, 0x30, 0, 3, 0, 44, 0]);
  });

  it('any receipt renders to ESC/POS the strict virtual printer accepts, text intact (property)', () => {
    const text = fc.string({ maxLength: 60 }).map((s) => s.replace(/\p{Cc}/gu, ''));
    const jp = fc.constantFrom('山田 太郎', '髙橋 﨑子', 'ｶﾀｶﾅ', '受付番号', 'ＡＢＣ１２３');
    const block = fc.oneof(
      fc.record({
        kind: fc.constant('text' as const),
        text: fc.oneof(text, jp),
        align: fc.constantFrom('left' as const, 'center' as const, 'right' as const),
        bold: fc.boolean(),
        size: fc.constantFrom(1 as const, 2 as const),
      }),
      fc.record({ kind: fc.constant('pair' as const), label: fc.oneof(text, jp), value: fc.oneof(text, jp) }),
      fc.record({ kind: fc.constant('rule' as const) }),
      fc.record({ kind: fc.constant('feed' as const), lines: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('qr' as const), data: fc.string({ minLength: 1, maxLength: 80 }) }),
    );
    fc.assert(
      fc.property(fc.array(block, { maxLength: 8 }), fc.constantFrom('native' as const, 'raster' as const), (blocks, qr) => {
        const r = renderReceipt({ blocks }, { columns: 48, qr, cutFeedDots: 96 });
        const vp = printOn(r.bytes);
        expect(vp.receipts).toHaveLength(1);
        const t = transcript(vp.receipts[0]!);
        for (const b of blocks)
          if (b.kind === 'text' && b.text.trim() && !/[^\x20-\x7e]/.test(b.text))
            expect(t.replace(/\n(\[[^\]]*\] )?/g, '')).toContain(b.text.replace(/\s+$/, '').slice(0, 10));
        if (qr === 'native' && blocks.some((b) => b.kind === 'qr')) expect(t).toContain('[QR M 5]');
        if (qr === 'raster' && blocks.some((b) => b.kind === 'qr')) expect(t).toContain('[RASTER');
      }),
      { numRuns: 60 },
    );
  });

  it('the raster QR fallback prints exactly the qrcode matrix of the token', () => {
    const receipt: Receipt = { blocks: [{ kind: 'qr', data: 'IDK1:ABCDEFGH234567', moduleSize: 3 }] };
    const vp = printOn(renderReceipt(receipt, { columns: 48, qr: 'raster', cutFeedDots: 0 }).bytes);
    const img = vp.receipts[0]!.items.find((i) => i.kind === 'raster');
    const want = qrBitmap(Buffer.from('IDK1:ABCDEFGH234567'), 'M', 3);
    expect(img && img.kind === 'raster' && img.data.equals(want.data)).toBe(true);
  });
});

describe('receipt content', () => {
  it('masks names per configuration', () => {
    expect(maskName('山田 太郎', 'family')).toBe('山田 ＊＊');
    expect(maskName('YAMADA TARO', 'family')).toBe('YAMADA T***');
    expect(maskName('山田　太郎', 'initials')).toBe('山＊ ＊＊');
    expect(maskName('YAMADA TARO', 'initials')).toBe('Y***** T***');
    expect(maskName('YAMADA TARO', 'omit')).toBeNull();
  });

  it('formats JST (UTC+9) and makes references that never look like a My Number', () => {
    expect(formatJst(new Date('2024-12-31T15:30:00Z'))).toBe('2025年01月01日 00:30:00 JST');
    // The reference carries the JST date too: 15:30 UTC on 31 December is already 1 January in Japan.
    expect(newReference(new Date('2024-12-31T15:30:00Z'), () => 0)).toBe('20250101-000000');
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-01-01'), noInvalidDate: true }), fc.double({ min: 0, max: 0.9999 }), (d, r) => {
        expect(countMyNumberLike(newReference(d, () => r))).toBe(0);
      }),
    );
  });

  it('the detector itself works (positive control): ASCII and full-width, check digit respected', () => {
    expect(myNumberCheckDigit('12345678901')).toBe(8);
    expect(myNumberCheckDigit('98765432109')).toBe(3);
    expect(countMyNumberLike('x 123456789018 y')).toBe(1);
    expect(countMyNumberLike('１２３４５６７８９０１８')).toBe(1);
    expect(countMyNumberLike('123456789017')).toBe(0); // wrong check digit
    expect(countMyNumberLike('1234567890180')).toBe(0); // 13 digits
    // and on rendered receipt bytes, ASCII and full-width (Shift_JIS) digits alike
    const planted = renderReceipt({
      blocks: [
        { kind: 'text', text: '123456789018' },
        { kind: 'text', text: '９８７６５４３２１０９３' },
      ],
    }).bytes;
    expect(countMyNumberLike(planted.toString('latin1'))).toBe(1);
    expect(countMyNumberLike(decodeShiftJis(planted))).toBe(2);
  });

  it('no 12-digit check-digit-valid My Number in the receipt bytes, whatever the inputs (property)', async () => {
    const b = await base();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kioskId: fc.stringMatching(/^[A-Z0-9-]{1,16}$/),
          operatorId: fc.stringMatching(/^[A-Z0-9-]{1,16}$/),
          holderName: fc.oneof(fc.constant('山田 太郎'), fc.stringMatching(/^[A-Z]{1,10} [A-Z]{1,10}$/)),
          verdict: fc.constantFrom('ok' as const, 'refused' as const, 'error' as const),
          reasons: fc.array(fc.constantFrom('TRUST_REVOKED', 'CARD_SIGNATURE_INVALID'), { maxLength: 2 }),
          issuedAt: fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
        }),
        fc.constantFrom('native' as const, 'raster' as const),
        async (over, qr) => {
          const r = buildVerificationReceipt({ ...b, ...over }, { nameMask: 'family' });
          const bytes = renderReceipt(r, { columns: 48, qr, cutFeedDots: 96 }).bytes;
          expect(countMyNumberLike(bytes.toString('latin1'))).toBe(0);
          expect(countMyNumberLike(decodeShiftJis(bytes))).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses to build a receipt when a My Number slipped into any field (upstream bug)', async () => {
    await expect(base({ holderName: 'YAMADA 123456789018' }).then((i) => buildVerificationReceipt(i, { nameMask: 'full' }))).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    await expect(base({ operatorId: '987654321093' }).then((i) => buildVerificationReceipt(i, { nameMask: 'omit' }))).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    // and the error message does not carry the number
    await base({ operatorId: '987654321093' })
      .then((i) => buildVerificationReceipt(i, { nameMask: 'omit' }))
      .catch((e: Error) => expect(JSON.stringify(e) + e.message).not.toContain('987654321093'));
  });

  it('prints the verification fields and the masked name, and no unmasked given name', async () => {
    const r = buildVerificationReceipt(await base(), { nameMask: 'family' });
    const vp = printOn(renderReceipt(r).bytes);
    const t = transcript(vp.receipts[0]!);
    for (const s of ['2025年03月01日 14:06:07 JST', 'K-01', 'OP-1', 'マイナンバーカード', '公的個人認証', '確認済', '山田 ＊＊', '[QR M 4] IDK1:'])
      expect(t).toContain(s);
    expect(t).not.toContain('太郎');
  });
});

describe('verdict wording on the receipt', () => {
  it('chip-read prints 「ICチップ読取のみ（署名未検証）」 and its English line, never 確認済 / VERIFIED; authenticity and binding in words', async () => {
    const r = buildVerificationReceipt(
      await base({ verdict: 'chip-read', documentType: 'drivers-licence', method: 'pin-and-chip', authenticity: 'chip-read', holderBinding: 'pin' }),
      { nameMask: 'omit' },
    );
    const t = transcript(printOn(renderReceipt(r).bytes).receipts[0]!);
    expect(t).toContain('ICチップ読取のみ（署名未検証）');
    expect(t).toContain('IC chip read only (signature not verified)');
    expect(t).toContain('署名未検証 Signature not verified');
    expect(t).toContain('暗証番号 PIN');
    expect(t).not.toContain('確認済');
    expect(t).not.toMatch(/(?<!NOT )VERIFIED/);
  });

  it('verified says how it was proven and bound; a result without authenticity says "not checked", never proven', async () => {
    const ok = transcript(
      printOn(renderReceipt(buildVerificationReceipt(await base({ authenticity: 'proven', holderBinding: 'password' }), { nameMask: 'omit' })).bytes)
        .receipts[0]!,
    );
    expect(ok).toContain('電子署名で証明 Proven by signature');
    expect(ok).toContain('パスワード Password');
    expect(ok).toContain('確認済 VERIFIED');
    const refused = transcript(
      printOn(renderReceipt(buildVerificationReceipt(await base({ verdict: 'refused', reasons: ['DOCUMENT_NOT_PROVEN'] }), { nameMask: 'omit' })).bytes)
        .receipts[0]!,
    );
    expect(refused).toContain('真正性 Authenticity');
    expect(refused).toContain('未確認 Not checked');
    expect(refused).not.toContain('Proven');
    expect(refused).toContain('DOCUMENT_NOT_PROVEN');
  });

  it('a refusal prints words; its code only in small type (font B, ESC M 1) for staff', async () => {
    const words = reasonWords('PIN_TRIES_LOW', 'mynumber-jpki-auth');
    expect(words).toMatch(/暗証番号/);
    expect(words).not.toMatch(/PIN_TRIES_LOW/);
    expect(reasonWords('PIN_LOCKED', 'license')).toMatch(/運転免許センター|警察署/); // the document's own guidance
    const r = buildVerificationReceipt(await base({ verdict: 'refused', reasons: ['PIN_TRIES_LOW'], reasonWords: [words] }), { nameMask: 'omit' });
    const bytes = renderReceipt(r).bytes;
    const printed = transcript(printOn(bytes).receipts[0]!);
    expect(printed).toContain(`理由：${words.slice(0, 10)}`);
    expect(printed).not.toContain('Reason: PIN_TRIES_LOW');
    // The code's line, and only it, is in font B (Epson ESC/POS: ESC M n, 1B 4D 01 = font B, 1B 4D 00 = font A).
    const codeLine = printed.split('\n').find((l) => l.includes('PIN_TRIES_LOW'))!;
    expect(codeLine).toMatch(/^\[[^\]]*S[^\]]*\] \(PIN_TRIES_LOW\)$/);
    expect(printed.split('\n').filter((l) => /^\[[^\]]*S/.test(l))).toEqual([codeLine]);
    const at = bytes.indexOf(Buffer.from('(PIN_TRIES_LOW)'));
    expect(bytes.lastIndexOf(Buffer.from([0x1b, 0x4d, 0x01]), at)).toBeGreaterThan(-1);
    expect(bytes.indexOf(Buffer.from([0x1b, 0x4d, 0x00]), at)).toBeGreaterThan(at);
  });

  it('the QR token carries chip-read as its own verdict, and the v1 codes 0–2 keep their meaning', async () => {
    const issuedAt = new Date('2025-03-01T05:06:07Z');
    for (const [code, verdict] of (['ok', 'refused', 'error', 'chip-read'] as const).entries()) {
      // Receipts printed before chip-read existed keep decoding as they did: the new verdict is appended.
      expect(encodePayload({ issuedAt, verdict, kioskId: 'K', reference: 'R', documentType: 'd', method: 'm' }, Buffer.alloc(4))[5]).toBe(code);
      const token = await createReceiptToken(
        { issuedAt, verdict, kioskId: 'K-01', reference: 'R', documentType: 'drivers-licence', method: 'pin-and-chip' },
        es256Signer(key.privateKey),
        key.publicKey,
      );
      const check = verifyReceiptToken(token, key.publicKey);
      expect(check).toMatchObject({ valid: true, fields: { verdict } });
    }
  });
});

describe('strict virtual printer parser', () => {
  it('rejects unknown sequences with ESCPOS_INVALID and the byte offset', () => {
    const p = new EscPosParser();
    expect(() => p.push(Buffer.from([0x1b, 0x40, 0x41, 0x1b, 0x32]))).toThrow(
      expect.objectContaining({ code: 'ESCPOS_INVALID', detail: expect.objectContaining({ offset: 4 }) }),
    );
    expect(() => new EscPosParser().push(Buffer.from([0x00]))).toThrow(expect.objectContaining({ code: 'ESCPOS_INVALID' }));
    // a GS ( k whose declared length does not fit the function
    expect(() => new EscPosParser().push(Buffer.from([0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x43, 0x04, 0x00]))).toThrow(
      expect.objectContaining({ code: 'ESCPOS_INVALID' }),
    );
    // text outside kanji mode
    const vp = new VirtualPrinter();
    vp.receive(Buffer.from([0x1b, 0x40, 0xfb, 0xfc, 0x0a]));
    expect(vp.errors.map((e) => e.code)).toEqual(['ESCPOS_INVALID']);
  });

  it('parses a job split at any point exactly like the whole job (property)', async () => {
    const r = renderReceipt(buildVerificationReceipt(await base(), { nameMask: 'family' }));
    const whole = new EscPosParser().push(r.bytes);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: r.bytes.length }), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const p = new EscPosParser();
        const ops = [];
        let off = 0;
        for (const c of [...points, r.bytes.length]) {
          ops.push(...p.push(r.bytes.subarray(off, c)));
          off = c;
        }
        // text runs may be split differently; compare with text merged
        const norm = (xs: typeof whole) =>
          JSON.stringify(
            xs.reduce<unknown[]>((acc, o) => {
              const last = acc.at(-1) as { t: string; bytes: Buffer } | undefined;
              if (o.t === 'text' && last?.t === 'text') last.bytes = Buffer.concat([last.bytes, o.bytes]);
              else acc.push(o.t === 'text' ? { t: 'text', bytes: Buffer.from(o.bytes) } : o);
              return acc;
            }, []),
          );
        expect(norm(ops)).toBe(norm(whole));
        expect(p.pending()).toBe(0);
      }),
      { numRuns: 50 },
    );
  });
});

describe('receipt verdict from the session result', async () => {
  const { receiptVerdict } = await import('../../../daemon/kiosk/receipts.ts');
  it('確認済 (ok) only for verified + proven; chip-read only with chip-read authenticity; errors print nothing', () => {
    expect(receiptVerdict({ outcome: 'verified', authenticity: 'proven' })).toBe('ok');
    for (const a of ['chip-read', 'failed', null, undefined] as const) expect(receiptVerdict({ outcome: 'verified', authenticity: a })).toBe('refused');
    expect(receiptVerdict({ outcome: 'chip-read', authenticity: 'chip-read' })).toBe('chip-read');
    for (const a of ['proven', 'failed', null, undefined] as const) expect(receiptVerdict({ outcome: 'chip-read', authenticity: a })).toBe('refused');
    expect(receiptVerdict({ outcome: 'refused', authenticity: 'failed' })).toBe('refused');
    expect(receiptVerdict({ outcome: 'error', authenticity: null })).toBeNull();
    expect(receiptVerdict({ outcome: 'cancelled' })).toBeNull();
  });
});
