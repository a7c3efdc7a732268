// Screen texts of the passport (ICAO eMRTD) flow, Japanese first. The access key is what is printed in
// the passport's MRZ / data page; no tries counter exists on a passport, but each wrong key costs a re-tap.
export default {
  ja: {
    'entry.passport-document-number': ['旅券番号を入力してください', '旅券（パスポート）の顔写真ページにある旅券番号（英字2文字＋数字7桁など）を入力し、「決定」を押してください。英字はキーを複数回押して選びます。'],
    'entry.passport-birth-date': ['生年月日を入力してください', '生年月日を西暦の下2桁・月・日の6桁（例：1990年1月15日 → 900115）で入力し、「決定」を押してください。'],
    'entry.passport-expiry-date': ['有効期間満了日を入力してください', '旅券の有効期間満了日を西暦の下2桁・月・日の6桁（例：2034年12月31日 → 341231）で入力し、「決定」を押してください。'],
    'passport.access': '接続方式',
    'passport.pa': 'データの真正性（パッシブ認証）',
    'passport.ca': 'ICチップの真正性（チップ認証）',
    'passport.aa': 'ICチップの真正性（アクティブ認証）',
    reason: {
      PASSPORT_ACCESS_KEY_FORMAT: '入力した旅券番号または日付の形式が正しくありません。顔写真ページを確認して、もう一度旅券を置いてください。',
      PASSPORT_ACCESS_DENIED: '旅券のICチップを読み取れませんでした。旅券番号・生年月日・有効期間満了日を確認し、もう一度旅券を置いて入力し直してください。',
      PASSPORT_SOD_INVALID: '旅券の電子署名を確認できませんでした。係員にお問い合わせください。',
      PASSPORT_DG_HASH_MISMATCH: '旅券のICチップのデータが発行時のものと一致しません。係員にお問い合わせください。',
      PASSPORT_DG_NOT_LISTED: '旅券のICチップに発行時の署名に含まれないデータがあります。係員にお問い合わせください。',
      PASSPORT_MRZ_INVALID: '旅券のICチップの記録内容に不整合があります。係員にお問い合わせください。',
      PASSPORT_AA_FAILED: '旅券のICチップの真正性を確認できませんでした。係員にお問い合わせください。',
      PASSPORT_CA_FAILED: '旅券のICチップの真正性を確認できませんでした。係員にお問い合わせください。',
      PASSPORT_EXPIRED: 'この旅券は有効期間が過ぎています。有効な本人確認書類をご用意ください。',
    },
  },
  en: {
    'entry.passport-document-number': ['Enter the passport number', 'Enter the passport number shown on the photo page (e.g. 2 letters and 7 digits), then press OK. Press a key repeatedly to pick a letter.'],
    'entry.passport-birth-date': ['Enter your date of birth', 'Enter your date of birth as 6 digits: year (last 2 digits), month, day — e.g. 15 Jan 1990 → 900115 — then press OK.'],
    'entry.passport-expiry-date': ['Enter the date of expiry', 'Enter the passport’s date of expiry as 6 digits: year (last 2 digits), month, day — e.g. 31 Dec 2034 → 341231 — then press OK.'],
    'passport.access': 'Chip access',
    'passport.pa': 'Data authenticity (passive authentication)',
    'passport.ca': 'Chip authenticity (chip authentication)',
    'passport.aa': 'Chip authenticity (active authentication)',
    reason: {
      PASSPORT_ACCESS_KEY_FORMAT: 'The passport number or a date was not in the right form. Check the photo page and place the passport again.',
      PASSPORT_ACCESS_DENIED: 'The passport chip could not be opened. Check the passport number, date of birth and date of expiry, then place the passport again and re-enter them.',
      PASSPORT_SOD_INVALID: 'The passport’s electronic signature could not be verified. Please ask staff.',
      PASSPORT_DG_HASH_MISMATCH: 'Data on the passport chip does not match what was issued. Please ask staff.',
      PASSPORT_DG_NOT_LISTED: 'The passport chip holds data not covered by its issuing signature. Please ask staff.',
      PASSPORT_MRZ_INVALID: 'The passport chip’s data is inconsistent. Please ask staff.',
      PASSPORT_AA_FAILED: 'The passport chip could not be confirmed as genuine. Please ask staff.',
      PASSPORT_CA_FAILED: 'The passport chip could not be confirmed as genuine. Please ask staff.',
      PASSPORT_EXPIRED: 'This passport has expired. Please use a valid identity document.',
    },
  },
};
