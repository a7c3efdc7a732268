// Decodes what was read from a licence and decides: expired licences are refused; the printed matters must
// agree with the free common data (issue and expiry dates) or the read is refused as inconsistent; the
// current name and address come from EF04's change records over EF01; the EF07 signature is checked only
// as far as can be honestly checked (signature.ts), and is required only when the policy says so.
import { ErrorCodes, type ErrorCode } from '../../errors.ts';
import type { TrustStore } from '../../trust/trust-store.ts';
import { currentValue, parseChangeRecords, type ChangeEntry, type CurrentValue } from './changes.ts';
import type { LicenseCommonData, PinSetting } from './common-data.ts';
import { parseChangedGaijiFile, parseGaijiFile, type Glyph } from './gaiji.ts';
import { decodeJisX0208, isExpired, type LicenseText } from './jis.ts';
import type { LicenseEvidence } from './license-read.ts';
import { dateField, parseMatters, stringField, textField, type LicenseMatters } from './matters.ts';
import { describePhoto, extractPhoto, type PhotoConverter, type PhotoOutcome } from './photo.ts';
import { checkEf07, type SignatureOutcome } from './signature.ts';
import { parseLicenseTlvs } from './tlv.ts';

export interface Reason {
  code: ErrorCode;
  message: string;
}

export type SignaturePolicy = 'report' | 'require';

export interface LicenseResult {
  document: 'license';
  verdict: 'verified' | 'refused';
  reasons: Reason[];
  common: LicenseCommonData;
  pinSetting: PinSetting;
  pin1TriesBefore: number | null;
  pin2TriesBefore: number | null;
  expiry: { date: string; expired: boolean; checkedAt: string };
  matters: LicenseMatters | null;
  /** The name/address in force: EF04's last change of each kind over EF01's value at issue. */
  current: { name: CurrentValue; address: CurrentValue } | null;
  changes: ChangeEntry[];
  honseki: { atIssue: LicenseText | null; current: CurrentValue } | null;
  glyphs: Glyph[];
  photo: PhotoOutcome | null;
  signature: SignatureOutcome;
}

export interface AssessLicenseOptions {
  at: Date;
  trust: TrustStore;
  signaturePolicy: SignaturePolicy;
  photoConverter: PhotoConverter | null;
}

export async function assessLicense(ev: LicenseEvidence, o: AssessLicenseOptions): Promise<LicenseResult> {
  const expired = isExpired(ev.common.expiryDate, o.at);
  const result: LicenseResult = {
    document: 'license',
    verdict: 'refused',
    reasons: [],
    common: ev.common,
    pinSetting: ev.pinSetting,
    pin1TriesBefore: ev.files ? ev.pin1TriesBefore : null,
    pin2TriesBefore: ev.pin2TriesBefore,
    expiry: { date: ev.common.expiryDate, expired, checkedAt: o.at.toISOString() },
    matters: null,
    current: null,
    changes: [],
    honseki: null,
    glyphs: [],
    photo: null,
    signature: { status: 'not-read', note: 'the licence was not read past its free data' },
  };
  if (expired) {
    result.reasons.push({ code: ErrorCodes.LICENSE_EXPIRED, message: `the licence expired after ${ev.common.expiryDate} (JST)` });
  }
  const f = ev.files;
  if (!f) return result;

  const matters = parseMatters(f.matters);
  result.matters = matters;
  // The printed matters repeat the common data's dates; a disagreement means the chip is not one licence.
  const mIssue = dateField(matters, 'issueDate');
  const mExpiry = dateField(matters, 'expiryDate');
  if (mExpiry !== ev.common.expiryDate || (mIssue !== null && mIssue !== ev.common.issueDate)) {
    result.reasons.push({
      code: ErrorCodes.LICENSE_DATA_INCONSISTENT,
      message: `DF1/EF01 dates (issue ${mIssue}, expiry ${mExpiry}) differ from MF/EF01 (issue ${ev.common.issueDate}, expiry ${ev.common.expiryDate})`,
    });
  }
  if (!textField(matters, 'name') || !stringField(matters, 'licenseNumber')) {
    result.reasons.push({ code: ErrorCodes.LICENSE_DATA_INCONSISTENT, message: 'DF1/EF01 lacks the name or the licence number' });
  }

  result.changes = f.changes ? parseChangeRecords(f.changes, 'DF1/EF04').entries : [];
  result.current = {
    name: currentValue(textField(matters, 'name'), result.changes, 'newName'),
    address: currentValue(textField(matters, 'address'), result.changes, 'newAddress'),
  };
  if (f.honseki) {
    const tlvText = decodeHonseki(f.honseki);
    const honsekiChanges = f.honsekiChanges ? parseChangeRecords(f.honsekiChanges, 'DF1/EF06').entries : [];
    result.honseki = { atIssue: tlvText, current: currentValue(tlvText, honsekiChanges, 'newHonseki') };
  }
  result.glyphs = [...(f.gaiji ? parseGaijiFile(f.gaiji) : []), ...(f.changedGaiji ? parseChangedGaijiFile(f.changedGaiji) : [])];

  const photo = f.photo ? extractPhoto(f.photo) : null;
  result.photo = photo ? await describePhoto(photo, o.photoConverter) : null;

  result.signature = checkEf07(f.signature, { matters: f.matters, gaiji: f.gaiji, honseki: f.honseki, photo: f.photo }, o.trust);
  if (o.signaturePolicy === 'require' && result.signature.status !== 'valid') {
    result.reasons.push({ code: ErrorCodes.LICENSE_SIGNATURE_UNVERIFIED, message: `EF07 signature: ${result.signature.status} (${result.signature.note})` });
  }
  result.verdict = result.reasons.length === 0 ? 'verified' : 'refused';
  return result;
}

/** DF1/EF02: one TLV, tag 41, JIS X 0208 本籍. */
function decodeHonseki(raw: Buffer): LicenseText | null {
  const tlv = parseLicenseTlvs(raw, 'DF1/EF02').find((t) => t.tag === 0x41);
  return tlv ? decodeJisX0208(tlv.value) : null;
}
