// The technician's test page: character sets (ASCII, kana, kanji incl. IBM-extension kanji, half-width
// kana), sizes, alignment, a column ruler and a QR code — everything the receipts rely on.
import { formatJst } from './receipt-content.ts';
import type { Receipt } from './receipt.ts';

export function testPage(now: Date, info: { transport: string; columns: number; qr: string }): Receipt {
  const ruler = '1234567890'.repeat(Math.ceil(info.columns / 10)).slice(0, info.columns);
  return {
    blocks: [
      { kind: 'text', text: 'idkiosk テストページ', align: 'center', bold: true, size: 2 },
      { kind: 'text', text: 'PRINTER TEST PAGE', align: 'center' },
      { kind: 'rule', char: '=' },
      { kind: 'pair', label: '日時', value: formatJst(now) },
      { kind: 'pair', label: '接続 Port', value: info.transport },
      { kind: 'pair', label: '桁数 Columns', value: String(info.columns) },
      { kind: 'pair', label: 'QR', value: info.qr },
      { kind: 'rule' },
      { kind: 'text', text: ruler },
      { kind: 'text', text: 'ASCII: !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~' },
      { kind: 'text', text: 'かな: あいうえお がぎぐ ぱぴぷ ゃゅょ' },
      { kind: 'text', text: 'カナ: アイウエオ ヴ ー  半角: ｱｲｳｴｵ ｶﾞｷﾞ' },
      { kind: 'text', text: '漢字: 本人確認 在留カード 運転免許証 旅券' },
      { kind: 'text', text: '外字系: 髙 﨑 ① Ⅲ ㈱ ～ ￥' },
      { kind: 'text', text: '強調 Bold', bold: true },
      { kind: 'text', text: '倍角 2x', size: 2 },
      { kind: 'text', text: '右寄せ Right', align: 'right' },
      { kind: 'feed', lines: 1 },
      { kind: 'qr', data: 'IDKIOSK TEST PAGE', moduleSize: 6, ec: 'M' },
      { kind: 'text', text: 'QR: IDKIOSK TEST PAGE', align: 'center' },
    ],
  };
}
