// What the 4 basic info read proves, part by part (docs/reference/mynumber.md, docs/verdicts.md):
//   pin               the holder knew the 券面事項入力補助用暗証番号 (the card said 9000 to VERIFY) → binding 'pin'
//   basic-info-hash   DF32 of EF 0003 equals SHA-256 of the 4 info (FF20 value after DF21)
//   cv-certificate    EF 0004 verifies under a trusted J-LIS CA key named by its 証明者鍵ID (cv-anchors.ts)
//   issuer-signature  DF33 verifies over the DF31 ‖ DF32 TLVs under the key that certificate certifies
//   mynumber-hash     'not-checked': DF31 covers EF 0001, which the kiosk does not read
//   card-key          EF 0007: DF52 verifies over DF51 (the card's own key) under the certified key
//   card-challenge    the chip signed a fresh challenge under that key (anti-clone; card-challenge.ts)
// authenticity 'proven' (and verdict 'verified') only when all of the above hold. A failing check, or
// EF 0003/EF 0004 withheld, is 'failed' → refused. Data proven but the chip not (the card refuses the
// challenge or withholds EF 0007) is 'chip-read': a copy of the signed files cannot be ruled out.
import { ErrorCodes } from '../../../core/errors.ts';
import { unassessed, type VerdictFields } from '../../result/result-view.ts';
import { checkBasicInfoHash, parseBasicInfo, parseSignatureFile, type HashCheck, type Sex, type SignatureFile } from './basic-info.ts';
import { parseTextApSignedRecord, verifyTextApRecord } from './card-ap-signatures.ts';
import { cvAnchors } from './cv-anchors.ts';
import { recordCvCertificate, type CvAnchor, type CvCertificateStatus } from './cv-certificate.ts';
import { holderText, type HolderText } from './holder-text.ts';
import type { TextApEvidence } from './text-ap.ts';
import { checkChallenge, parseSignedCardKey, type ChallengeCheck } from './card-challenge.ts';
import { sha256DigestInfo } from './cv-certificate.ts';
import { verifyPkcs1v15 } from './rsa-pkcs1.ts';

export interface MyNumberInfoChecks {
  pin: 'verified' | 'not-verified';
  'basic-info-hash': HashCheck | 'not-checked';
  'cv-certificate': CvCertificateStatus | 'not-checked';
  /** Which CA hierarchy verified the certificate ('test' only where mynumber.testCards allows it). */
  'cv-hierarchy': 'production' | 'test' | 'not-checked';
  'issuer-signature': 'valid' | 'invalid' | 'absent' | 'malformed' | 'not-checked';
  'mynumber-hash': 'not-checked';
  'card-key': 'valid' | 'invalid' | 'absent' | 'malformed' | 'not-checked';
  'card-challenge': ChallengeCheck;
  /** Whether DF21's offsets point at the fields (a layout sanity check). */
  'header-offsets': 'consistent' | 'inconsistent' | 'absent' | 'not-checked';
}

export interface MyNumberInfoHolder {
  name: HolderText;
  address: HolderText;
  dateOfBirth: string | null;
  dateOfBirthRaw: string | null;
  sex: Sex | null;
}

export interface MyNumberInfoResult extends VerdictFields<'verified' | 'chip-read' | 'refused'> {
  document: 'mynumber-info';
  pinTriesBefore: number | null;
  holder: MyNumberInfoHolder | null;
  checks: MyNumberInfoChecks;
}

export function emptyInfoResult(): MyNumberInfoResult {
  return {
    document: 'mynumber-info',
    pinTriesBefore: null,
    holder: null,
    checks: {
      pin: 'not-verified',
      'basic-info-hash': 'not-checked',
      'cv-certificate': 'not-checked',
      'cv-hierarchy': 'not-checked',
      'issuer-signature': 'not-checked',
      'mynumber-hash': 'not-checked',
      'card-key': 'not-checked',
      'card-challenge': 'not-checked',
      'header-offsets': 'not-checked',
    },
    ...unassessed(),
  };
}

/** `anchors`: the trusted CV CA keys (default: production J-LIS keys only). */
export function assessMyNumberInfo(ev: TextApEvidence, anchors: readonly CvAnchor[] = cvAnchors(undefined)): MyNumberInfoResult {
  const r = emptyInfoResult();
  r.pinTriesBefore = ev.pinTriesBefore;
  r.checks.pin = 'verified';
  r.holderBinding = 'pin';
  let info: ReturnType<typeof parseBasicInfo>;
  try {
    info = parseBasicInfo(ev.basicInfoEf);
  } catch (e) {
    r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: (e as Error).message });
    r.authenticity = 'failed';
    return r;
  }
  r.checks['header-offsets'] = info.offsets.length === 0 ? 'absent' : info.offsetsMatchLayout ? 'consistent' : 'inconsistent';
  // DF21 is outside DF32's coverage, but a card writes it consistently (soltia48/myna-card checks it too):
  // a table that points elsewhere is an edited file, refused rather than read around.
  if (r.checks['header-offsets'] === 'inconsistent') {
    r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: 'basic info (EF 0002): DF21 offsets do not point at the fields' });
  }
  let sig: SignatureFile | null = null;
  if (ev.signatureEf) {
    try {
      sig = parseSignatureFile(ev.signatureEf);
    } catch (e) {
      r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: (e as Error).message });
      r.authenticity = 'failed';
      return r;
    }
  }
  const hash = checkBasicInfoHash(info, sig);
  r.checks['basic-info-hash'] = hash;
  if (hash === 'mismatch') {
    r.reasons.push({ code: ErrorCodes.MYNUMBER_INFO_HASH_MISMATCH, message: 'the 4 basic info do not match the hash in the card’s signature file (DF32)' });
  } else if (hash === 'absent') {
    r.reasons.push({ code: ErrorCodes.CARD_FILE_NOT_FOUND, message: 'the card gave no signature file (EF 0003 / DF32): the data cannot be checked' });
  }

  const cv = recordCvCertificate(r, ev.cvCertificateEf, anchors);
  if (!ev.signatureEf) {
    r.checks['issuer-signature'] = 'absent';
  } else {
    try {
      const rec = parseTextApSignedRecord(ev.signatureEf);
      if (cv.certifiedKey) {
        r.checks['issuer-signature'] = verifyTextApRecord(rec, cv.certifiedKey) ? 'valid' : 'invalid';
        if (r.checks['issuer-signature'] === 'invalid') {
          r.reasons.push({ code: ErrorCodes.CARD_SIGNATURE_INVALID, message: 'the issuer signature DF33 does not verify under the certified key (EF 0004)' });
        }
      }
    } catch (e) {
      r.checks['issuer-signature'] = 'malformed';
      r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: (e as Error).message });
    }
  }

  const dataProven = hash === 'match' && cv.status === 'valid' && r.checks['issuer-signature'] === 'valid' && r.checks['header-offsets'] !== 'inconsistent';
  // The chip: the card key must come from the signed EF 0007, and the chip must sign our challenge with it.
  let cardKey = null;
  if (!ev.cardKeyEf) r.checks['card-key'] = 'absent';
  else if (cv.certifiedKey) {
    try {
      const k = parseSignedCardKey(ev.cardKeyEf);
      const ok = verifyPkcs1v15(cv.certifiedKey, sha256DigestInfo(k.signedData), k.signature);
      r.checks['card-key'] = ok ? 'valid' : 'invalid';
      if (ok) cardKey = k.key;
      else r.reasons.push({ code: ErrorCodes.CARD_SIGNATURE_INVALID, message: 'the card key (EF 0007) is not signed by the certified key' });
    } catch (e) {
      r.checks['card-key'] = 'malformed';
      r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: (e as Error).message });
    }
  }
  r.checks['card-challenge'] = checkChallenge(ev.challenge ?? null, cardKey);
  if (r.checks['card-challenge'] === 'invalid') {
    r.reasons.push({
      code: ErrorCodes.CARD_SIGNATURE_INVALID,
      message: 'the chip’s answer to the challenge does not verify under its signed card key (clone suspected)',
    });
  }
  const chipProven = r.checks['card-challenge'] === 'valid';
  const failed = !dataProven || r.reasons.length > 0;
  r.authenticity = failed ? 'failed' : chipProven ? 'proven' : 'chip-read';
  if (!failed) {
    r.holder = {
      name: holderText(info.name),
      address: holderText(info.address),
      dateOfBirth: info.dateOfBirth,
      dateOfBirthRaw: info.dateOfBirthRaw,
      sex: info.sex,
    };
    r.verdict = chipProven ? 'verified' : 'chip-read';
  }
  return r;
}
