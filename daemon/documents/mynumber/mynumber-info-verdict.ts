// What the 4 basic info read proves, said honestly part by part:
//   pin               the holder knew the 券面事項入力補助用暗証番号 (the card said 9000 to VERIFY)
//   basic-info-hash   DF32 of the card's signature file equals SHA-256 of the 4-info region (match /
//                     mismatch / absent) — catches corrupted or inconsistent data, not a forged card
//   issuer-signature  'unverified': DF33 is a signature under the card's CV certificate (EF 0004) chaining
//                     to a J-LIS key; scheme, padding and root key are not public (cards.md §2.9)
//   mynumber-hash     'not-checked': DF31 covers EF 0001, which the kiosk does not read
// So "verified" here means: PIN accepted and data self-consistent. It does not mean the card is genuine;
// a deployment that needs that must use the JPKI modes.
import { ErrorCodes, type ErrorCode } from '../../errors.ts';
import { checkBasicInfoHash, parseBasicInfo, parseSignatureFile, type HashCheck, type Sex, type SignatureFile } from './basic-info.ts';
import { holderText, type HolderText } from './holder-text.ts';
import type { TextApEvidence } from './text-ap.ts';

export interface Reason {
  code: ErrorCode;
  message: string;
}

export interface MyNumberInfoChecks {
  pin: 'verified' | 'not-verified';
  'basic-info-hash': HashCheck | 'not-checked';
  'issuer-signature': 'unverified';
  'mynumber-hash': 'not-checked';
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

export interface MyNumberInfoResult {
  document: 'mynumber-info';
  pinTriesBefore: number | null;
  pinTriesLeft?: number;
  holder: MyNumberInfoHolder | null;
  checks: MyNumberInfoChecks;
  verdict: 'verified' | 'refused';
  reasons: Reason[];
}

export function emptyInfoResult(): MyNumberInfoResult {
  return {
    document: 'mynumber-info',
    pinTriesBefore: null,
    holder: null,
    checks: { pin: 'not-verified', 'basic-info-hash': 'not-checked', 'issuer-signature': 'unverified', 'mynumber-hash': 'not-checked', 'header-offsets': 'not-checked' },
    verdict: 'refused',
    reasons: [],
  };
}

export function assessMyNumberInfo(ev: TextApEvidence): MyNumberInfoResult {
  const r = emptyInfoResult();
  r.pinTriesBefore = ev.pinTriesBefore;
  r.checks.pin = 'verified';
  let info;
  try {
    info = parseBasicInfo(ev.basicInfoEf);
  } catch (e) {
    r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: (e as Error).message });
    return r;
  }
  r.checks['header-offsets'] = info.offsets.length === 0 ? 'absent' : info.offsetsMatchLayout ? 'consistent' : 'inconsistent';
  let sig: SignatureFile | null = null;
  if (ev.signatureEf) {
    try {
      sig = parseSignatureFile(ev.signatureEf);
    } catch (e) {
      r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: (e as Error).message });
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
  if (r.reasons.length === 0) {
    r.holder = {
      name: holderText(info.name),
      address: holderText(info.address),
      dateOfBirth: info.dateOfBirth,
      dateOfBirthRaw: info.dateOfBirthRaw,
      sex: info.sex,
    };
    r.verdict = 'verified';
  }
  return r;
}
