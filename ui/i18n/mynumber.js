// Screen texts for the マイナンバーカード modes: 4 basic info (券面事項入力補助AP), JPKI signature, 券面AP.
// Japanese first; guidance says what to do next. The My Number is never shown in any mode.
export default {
  ja: {
    'entry.mynumber-text-pin': ['暗証番号を入力してください', '券面事項入力補助用の暗証番号（数字4桁）を入力し、「決定」を押してください。'],
    'entry.jpki-sign-password': [
      '署名用パスワードを入力してください',
      '署名用電子証明書のパスワード（英大文字と数字 6〜16桁）を入力し、「決定」を押してください。',
    ],
    'entry.mynumber-check-code-b': [
      '照合番号Bを入力してください',
      '生年月日（和暦の年2桁・月・日の6桁。例：昭和55年2月17日生まれなら550217）、カードの有効期限の西暦年（4桁）、カード表面のセキュリティコード（4桁）を続けて、合計14桁を入力してください。',
    ],
    'step.read-info': '券面事項を読み取っています',
    'step.read-images': '券面の画像を読み取っています',
    'result.verified.mynumber-info': ['券面事項を読み取りました', '暗証番号を確認し、発行者（J-LIS）の電子署名を検証しました（券面事項入力補助）。カードをお取りください。'],
    'result.verified.mynumber-sign': ['署名用電子証明書で本人確認できました', 'カードをお取りください。'],
    'result.verified.mynumber-face': ['券面の画像を読み取りました', '発行者（J-LIS）の電子署名を検証しました。係員が顔写真と券面を確認します。'],
    'holder.name': '氏名',
    'holder.address': '住所',
    'holder.dateOfBirth': '生年月日',
    'holder.sex': '性別',
    'holder.sex.male': '男',
    'holder.sex.female': '女',
    'holder.sex.not-applicable': '適用不能',
    'holder.sex.unknown': '不明',
    'holder.jisX0208': '代替表記',
    'face.photo': '顔写真',
    'face.notDecoded': '顔写真を表示できません（画像形式に未対応）。カードの券面で確認してください。',
    // 照合番号B refused before it reached the card (daemon/documents/mynumber/check-code-b.ts).
    'mynumber-faceReason': {
      PIN_FORMAT: '照合番号Bの形式が正しくありません。生年月日は和暦の年で入力してください（例：昭和55年2月17日生まれなら550217）。カードには送信していないため、残り回数は減っていません。',
    },
    reason: {
      MYNUMBER_INFO_HASH_MISMATCH: 'カードの券面事項とカード内のハッシュ値が一致しません。係員にお問い合わせください。',
      MYNUMBER_NOT_ALLOWED: 'この端末では個人番号を取り扱いません。係員にお問い合わせください。',
    },
  },
  en: {
    'entry.mynumber-text-pin': ['Enter your PIN', 'Enter the 4-digit PIN for the card-information function (券面事項入力補助), then press OK.'],
    'entry.jpki-sign-password': [
      'Enter your signing password',
      'Enter the password of your signature certificate (6–16 capital letters and digits), then press OK.',
    ],
    'entry.mynumber-check-code-b': [
      'Enter check code B',
      'Enter 14 digits: your date of birth with the Japanese era year (YYMMDD, e.g. 550217 for Shōwa 55 = 17 Feb 1980), the card’s expiry year (YYYY) and the 4-digit security code printed on the card.',
    ],
    'step.read-info': 'Reading the card information',
    'step.read-images': 'Reading the card images',
    'result.verified.mynumber-info': ['Card information read', 'PIN confirmed and the issuer’s (J-LIS) signature over the data verified. Please take your card.'],
    'result.verified.mynumber-sign': ['Identity verified with the signature certificate', 'Please take your card.'],
    'result.verified.mynumber-face': ['Card images read', 'The issuer’s (J-LIS) signature verified. Staff will compare the photo and the card.'],
    'holder.name': 'Name',
    'holder.address': 'Address',
    'holder.dateOfBirth': 'Date of birth',
    'holder.sex': 'Sex',
    'holder.sex.male': 'Male',
    'holder.sex.female': 'Female',
    'holder.sex.not-applicable': 'Not applicable',
    'holder.sex.unknown': 'Unknown',
    'holder.jisX0208': 'Substitute form',
    'face.photo': 'Photo',
    'face.notDecoded': 'The photo cannot be shown (image format not supported). Please check the card itself.',
    'mynumber-faceReason': {
      PIN_FORMAT: 'Check code B has the wrong form. Enter the date of birth with the Japanese era year (e.g. 550217 for Shōwa 55 = 17 Feb 1980). Nothing was sent to the card; no try was used.',
    },
    reason: {
      MYNUMBER_INFO_HASH_MISMATCH: 'The card information does not match the hash stored on the card. Please ask staff.',
      MYNUMBER_NOT_ALLOWED: 'This kiosk does not handle the My Number. Please ask staff.',
    },
  },
};
