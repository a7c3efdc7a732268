// Screen texts of the IC 運転免許証 flow (Japanese first). Reasons say what to do next; the licence's PINs
// are reset only at a driver's licence centre or police station, never at a municipal office.
export default {
  ja: {
    'entry.license-pin1': ['暗証番号1を入力してください', '運転免許証の暗証番号1（数字4桁）を入力し、「決定」を押してください。'],
    'entry.license-pin2': ['暗証番号2を入力してください', '運転免許証の暗証番号2（数字4桁）を入力し、「決定」を押してください。本籍と写真の確認に使います。'],
    'license.name': '氏名（現在）',
    'license.address': '住所（現在）',
    'license.addressChanged': '記載事項変更により更新された住所です',
    'license.nameChanged': '記載事項変更により更新された氏名です',
    'license.expiry': '有効期間の末日',
    'license.photo': '写真',
    'license.photoNotDecoded': '写真を表示できませんでした（JPEG 2000 を変換できません）',
    'license.gaiji': (n) => `外字${n}`,
    reason: {
      LICENSE_EXPIRED: 'この運転免許証は有効期間が過ぎています。有効な本人確認書類をご用意ください。',
      LICENSE_DATA_INCONSISTENT: '運転免許証の記録内容を確認できませんでした。係員にお問い合わせください。',
      LICENSE_SIGNATURE_UNVERIFIED: '運転免許証の電子署名を確認できなかったため、本人確認を完了できません。係員にお問い合わせください。',
    },
    licenseReason: {
      PIN_LOCKED: '運転免許証の暗証番号がロックされています。運転免許センターまたは警察署で解除の手続きをしてください。',
      PIN_TRIES_LOW: '暗証番号の残り回数が少ないため、この端末では確認を行いません。運転免許センターまたは警察署でご相談ください。',
    },
  },
  en: {
    'entry.license-pin1': ['Enter PIN 1', 'Enter the 4-digit PIN 1 of your driver’s licence, then press OK.'],
    'entry.license-pin2': ['Enter PIN 2', 'Enter the 4-digit PIN 2 of your driver’s licence, then press OK. It is used for the registered domicile and the photo.'],
    'license.name': 'Name (current)',
    'license.address': 'Address (current)',
    'license.addressChanged': 'Address updated by a recorded change',
    'license.nameChanged': 'Name updated by a recorded change',
    'license.expiry': 'Valid through',
    'license.photo': 'Photo',
    'license.photoNotDecoded': 'The photo could not be shown (JPEG 2000 could not be converted)',
    'license.gaiji': (n) => `external glyph ${n}`,
    reason: {
      LICENSE_EXPIRED: 'This driver’s licence has expired. Please use a valid identity document.',
      LICENSE_DATA_INCONSISTENT: 'The licence’s recorded data could not be confirmed. Please ask staff.',
      LICENSE_SIGNATURE_UNVERIFIED: 'The licence’s electronic signature could not be verified, so verification cannot complete. Please ask staff.',
    },
    licenseReason: {
      PIN_LOCKED: 'The licence PIN is locked. Please have it unlocked at a driver’s licence centre or police station.',
      PIN_TRIES_LOW: 'Too few PIN tries are left, so this kiosk will not try. Please ask at a driver’s licence centre or police station.',
    },
  },
};
