// What a 券面AP read proves, part by part:
//   check-code        the card accepted 照合番号B (or A, where the deployment may use the My Number)
//   issuer-signature  'unverified': DF28 is a signature under the card's CV certificate; scheme and J-LIS
//                     key are unknown (cards.md §2.9)
//   face              'decoded' (PNG for the screen) / 'not-decoded' (no JPEG 2000 decoder, or it failed) /
//                     'absent'
// "verified" therefore means: card unlocked and images read — for a clerk to compare with the person.
import { ErrorCodes } from '../../errors.ts';
import type { Sex } from './basic-info.ts';
import type { Jp2ToPng } from '../../images/jp2-to-png.ts';
import type { Reason } from './mynumber-info-verdict.ts';
import { parseVisualAp } from './visual-ap-data.ts';
import type { VisualApEvidence } from './visual-ap.ts';

export interface MyNumberFaceResult {
  document: 'mynumber-face';
  unlockedWith: VisualApEvidence['unlockedWith'] | null;
  triesBefore: number | null;
  triesLeft?: number;
  dateOfBirth: string | null;
  sex: Sex | null;
  expiry: string | null;
  facePng: Buffer | null;
  nameImagePng: Buffer | null;
  addressImagePng: Buffer | null;
  checks: {
    'check-code': 'verified' | 'not-verified';
    'issuer-signature': 'unverified' | 'absent';
    face: 'decoded' | 'not-decoded' | 'absent';
  };
  verdict: 'verified' | 'refused';
  reasons: Reason[];
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
    checks: { 'check-code': 'not-verified', 'issuer-signature': 'unverified', face: 'absent' },
    verdict: 'refused',
    reasons: [],
  };
}

export async function assessMyNumberFace(ev: VisualApEvidence, convert: Jp2ToPng): Promise<MyNumberFaceResult> {
  const r = emptyFaceResult();
  r.unlockedWith = ev.unlockedWith;
  r.triesBefore = ev.triesBefore;
  r.checks['check-code'] = 'verified';
  let data;
  try {
    data = parseVisualAp(ev.faceEf);
  } catch (e) {
    r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: (e as Error).message });
    return r;
  } finally {
    ev.faceEf.fill(0); // also wipes the security-code image the file carries
  }
  r.dateOfBirth = data.dateOfBirth;
  r.sex = data.sex;
  r.expiry = data.expiry;
  r.nameImagePng = data.nameImagePng;
  r.addressImagePng = data.addressImagePng;
  r.checks['issuer-signature'] = data.hasIssuerSignature ? 'unverified' : 'absent';
  if (data.faceJpeg2000) {
    r.facePng = await convert(data.faceJpeg2000).catch(() => null);
    r.checks.face = r.facePng ? 'decoded' : 'not-decoded';
  }
  if (!data.faceJpeg2000 && !data.nameImagePng) {
    r.reasons.push({ code: ErrorCodes.CARD_MALFORMED_RESPONSE, message: 'the card face file holds neither a photo nor a name image' });
  }
  r.verdict = r.reasons.length === 0 ? 'verified' : 'refused';
  return r;
}
