// What a 券面AP read proves, part by part (docs/reference/mynumber.md, docs/verdicts.md):
//   check-code        the card accepted 照合番号B (or A, where the deployment may use the My Number)
//   cv-certificate    EF 0004 verifies under a trusted J-LIS CA key named by its 証明者鍵ID (cv-anchors.ts)
//   issuer-signature  DF28 verifies: one DigestInfo of SHA-256(DF22‖DF23‖DF24) ‖ SHA-256(DF25‖DF26) ‖
//                     SHA-256(DF27) under the certified key. DF29 (expiry) and DF2A are NOT covered, so the
//                     expiry shown is reported as unsigned ('expiry-signed': 'no').
//   card-challenge    the chip signed a fresh challenge under DF24, the card key inside the signed group 1
//                     (anti-clone; card-challenge.ts). Refused by the card → authenticity 'chip-read'.
//   face              'decoded' (PNG for the screen) / 'not-decoded' / 'absent'
// Holder binding is 'printed-number-only': 照合番号B is the birth date, expiry year and security code printed
// on the card itself (照合番号A is the printed My Number) — knowing it shows possession of the card (or of
// a picture of it), not knowledge of a secret. The clerk's comparison with the face photo is the binding.
import { ErrorCodes } from '../../../core/errors.ts';
import { unassessed, type VerdictFields } from '../../result/result-view.ts';
import type { Sex } from './basic-info.ts';
import type { Jp2ToPng } from '../../images/jp2-to-png.ts';
import { parseFaceSignedRecord, verifyFaceRecord } from './card-ap-signatures.ts';
import { cvAnchors } from './cv-anchors.ts';
import { recordCvCertificate, type CvAnchor, type CvCertificateStatus } from './cv-certificate.ts';
import { parseVisualAp } from './visual-ap-data.ts';
import { checkChallenge, type ChallengeCheck } from './card-challenge.ts';
import type { VisualApEvidence } from './visual-ap.ts';

export interface MyNumberFaceResult extends VerdictFields<'verified' | 'chip-read' | 'refused'> {
  document: 'mynumber-face';
  unlockedWith: VisualApEvidence['unlockedWith'] | null;
  triesBefore: number | null;
  dateOfBirth: string | null;
  sex: Sex | null;
  expiry: string | null;
  facePng: Buffer | null;
  nameImagePng: Buffer | null;
  addressImagePng: Buffer | null;
  checks: {
    'check-code': 'verified' | 'not-verified';
    'cv-certificate': CvCertificateStatus | 'not-checked';
    'cv-hierarchy': 'production' | 'test' | 'not-checked';
    'issuer-signature': 'valid' | 'invalid' | 'malformed' | 'not-checked';
    /** DF29 lies outside DF28's coverage: the expiry is never signed. */
    'expiry-signed': 'no';
    'card-challenge': ChallengeCheck;
    face: 'decoded' | 'not-decoded' | 'absent' | 'skipped-not-proven';
  };
}

export function emptyFaceResult(): MyNumberFaceResult {
  return {
    document: 'mynumber-face',
    unlockedWith: null,
    triesBefore: null,
    dateOfBirth: null,
    sex: null,
    expiry: null,
    facePng: null,
    nameImagePng: null,
    addressImagePng: null,
    checks: {
      'check-code': 'not-verified',
      'cv-certificate': 'not-checked',
      'cv-hierarchy': 'not-checked',
      'issuer-signature': 'not-checked',
      'expiry-signed': 'no',
      'card-challenge': 'not-checked',
      face: 'absent',
    },
    ...unassessed(),
  };
}

/** `anchors`: the trusted CV CA keys (default: production J-LIS keys only). */
export async function assessMyNumberFace(
  ev: VisualApEvidence,
  convert: Jp2ToPng,
  anchors: readonly CvAnchor[] = cvAnchors(undefined),
): Promise<MyNumberFaceResult> {
  const r = emptyFaceResult();
  r.unlockedWith = ev.unlockedWith;
  r.triesBefore = ev.triesBefore;
  r.checks['check-code'] = 'verified';
  r.holderBinding = 'printed-number-only';
  let data: ReturnType<typeof parseVisualAp>;
  const cv = recordCvCertificate(r, ev.cvCertificateEf, anchors);
  try {
    data = parseVisualAp(ev.faceEf);
    const rec = parseFaceSignedRecord(ev.faceEf);
    if (cv.certifiedKey) {
      r.checks['issuer-signature'] = verifyFaceRecord(rec, cv.certifiedKey) ? 'valid' : 'invalid';
      if (r.checks['issuer-signature'] === 'invalid') {
        r.reasons.push({ code: ErrorCodes.CARD_SIGNATURE_INVALID, message: 'the issuer signature DF28 does not verify under the certified key (EF 0004)' });
      } else {
        // DF24 is trusted only because DF28 covers it.
        r.checks['card-challenge'] = checkChallenge(ev.challenge ?? null, rec.cardKey);
        if (r.checks['card-challenge'] === 'invalid') {
          r.reasons.push({
            code: ErrorCodes.CARD_SIGNATURE_INVALID,
            message: 'the chip’s answer to the challenge does not verify under DF24 (clone suspected)',
          });
        }
      }
    }
  } catch (e) {
    if (r.checks['issuer-signature'] === 'not-checked') r.checks['issuer-signature'] = 'malformed';
    r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: (e as Error).message });
    r.authenticity = 'failed';
    return r;
  } finally {
    ev.faceEf.fill(0); // also wipes the security-code image the file carries
  }
  r.dateOfBirth = data.dateOfBirth;
  r.sex = data.sex;
  r.expiry = data.expiry;
  r.nameImagePng = data.nameImagePng;
  r.addressImagePng = data.addressImagePng;
  if (!data.faceJpeg2000 && !data.nameImagePng) {
    r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: 'the card face file holds neither a photo nor a name image' });
  }
  const dataProven = cv.status === 'valid' && r.checks['issuer-signature'] === 'valid';
  const failed = !dataProven || r.checks['card-challenge'] === 'invalid';
  r.authenticity = failed ? 'failed' : r.checks['card-challenge'] === 'valid' ? 'proven' : 'chip-read';
  r.verdict =
    r.reasons.length === 0 && r.authenticity === 'proven' ? 'verified' : r.reasons.length === 0 && r.authenticity === 'chip-read' ? 'chip-read' : 'refused';
  // The photo reaches the native JPEG 2000 decoder only once the card is proven (issuer signature and the
  // chip's challenge answer) and nothing refused the read: never for tampered or unproven data (issue 17).
  if (data.faceJpeg2000) {
    if (r.verdict === 'verified') {
      r.facePng = await convert(data.faceJpeg2000).catch(() => null);
      r.checks.face = r.facePng ? 'decoded' : 'not-decoded';
    } else r.checks.face = 'skipped-not-proven';
  }
  return r;
}
