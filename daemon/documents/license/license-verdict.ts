// Decodes what was read from a licence and decides (docs/license.md, "Verdict"):
// - expired licences are refused; the printed matters must agree with the free common data (issue and expiry
//   dates) or the read is refused as inconsistent;
// - authenticity comes from EF07 only (signature.ts): `valid` → proven; `unmatched` (a configured key proves
//   the signature is not theirs, or the data changed) → failed, refused; a corrupted EF07 while a key is
//   configured → failed; no key, EF07 unreadable, or a signature over files this session did not read →
//   chip-read. Nothing else can make a licence proven;
// - holder binding: `pin` when the holder typed PIN1 and the card accepted it; `none` when the card says no
//   PIN is set and the kiosk sent the default "****" itself — that proves nothing about the presenter;
// - the current name and address come from EF04's change records over EF01; a parse error in EF03–EF06 is
//   a check entry, never an exception that loses the rest; a name or address that is undecodable, or whose
//   change record could not be read, is never reported as the holder's current one (the read is refused).
import { ErrorCodes, isKioskError } from '../../../core/errors.ts';
import type { Authenticity, HolderBinding, Reason } from '../../result/result-view.ts';
import type { TrustStore } from '../../trust/trust-store.ts';
import { currentValue, parseChangeRecords, type ChangeEntry, type ChangeKind, type ChangeRecords, type CurrentValue, type MalformedChange } from './changes.ts';
import type { LicenseCommonData, PinSetting } from './common-data.ts';
import { parseChangedGaijiFile, parseGaijiFile, type Glyph } from './gaiji.ts';
import { decodeJisX0208, isExpired, type LicenseText } from './jis.ts';
import type { LicenseEvidence } from './license-read.ts';
import { dateField, parseMatters, stringField, textField, type LicenseMatters } from './matters.ts';
import { describePhoto, extractPhoto, type PhotoConverter, type PhotoOutcome } from './photo.ts';
import { checkEf07, type SignatureOutcome } from './signature.ts';
import { LICENSE_TLV } from './constants.ts';

/**
 * 'require' only makes a read stricter: an EF07 that is not `valid` is then refused instead of `chip-read`.
 * There is no policy under which an unverified EF07 reaches `verified`.
 */
export type SignaturePolicy = 'report' | 'require';

export type LicenseVerdict = 'verified' | 'chip-read' | 'refused';

export interface LicenseResult {
  document: 'license';
  verdict: LicenseVerdict;
  authenticity: Authenticity;
  holderBinding: HolderBinding;
  reasons: Reason[];
  /** Every check made and its result; checks not made say so. */
  checks: Record<string, string>;
  common: LicenseCommonData;
  pinSetting: PinSetting;
  pin1TriesBefore: number | null;
  pin2TriesBefore: number | null;
  expiry: { date: string; expired: boolean; checkedAt: string };
  matters: LicenseMatters | null;
  /** The name/address in force: EF04's last change of each kind over EF01's value at issue. */
  current: { name: CurrentValue; address: CurrentValue } | null;
  changes: ChangeEntry[];
  /** Change records that could not be decoded (EF04 and EF06), and whole files that could not be parsed. */
  changeProblems: (MalformedChange & { file: 'EF04' | 'EF06' })[];
  honseki: { atIssue: LicenseText | null; current: CurrentValue } | null;
  /** Files of EF03–EF06 whose structure could not be parsed (the rest of the read still counts). */
  fileErrors: { file: string; message: string }[];
  glyphs: Glyph[];
  photo: PhotoOutcome | null;
  signature: SignatureOutcome;
}

export interface AssessLicenseOptions {
  at: Date;
  trust: TrustStore;
  /** Default 'report': an unverified EF07 gives chip-read. */
  signaturePolicy?: SignaturePolicy;
  photoConverter: PhotoConverter | null;
}

/** Authenticity from the EF07 outcome (see the header); a corrupted EF07 is a failure only where a key could have checked it. */
export function authenticityOf(sig: SignatureOutcome, keyConfigured: boolean): Authenticity {
  if (sig.status === 'valid') return 'proven';
  if (sig.status === 'unmatched') return 'failed';
  if (sig.status === 'malformed' && keyConfigured) return 'failed';
  return 'chip-read';
}

/** Parse one optional file; a KioskError becomes a file error (reported), anything else is a defect and propagates. */
/** parse(raw) for a file that was read (null when it was not); a KioskError is recorded as the file's error. */
function tryParse<R, T>(file: string, errors: { file: string; message: string }[], raw: R | null | undefined, parse: (raw: R) => T): T | null {
  if (raw === null || raw === undefined) return null;
  try {
    return parse(raw);
  } catch (e) {
    if (!isKioskError(e)) throw e;
    errors.push({ file, message: e.message });
    return null;
  }
}

export async function assessLicense(ev: LicenseEvidence, o: AssessLicenseOptions): Promise<LicenseResult> {
  const expired = isExpired(ev.common.expiryDate, o.at);
  const holderBinding: HolderBinding = ev.files && ev.pinSetting === 'holder-set' ? 'pin' : 'none';
  const result: LicenseResult = {
    document: 'license',
    verdict: 'refused',
    authenticity: 'chip-read',
    holderBinding,
    reasons: [],
    checks: {
      expiry: expired ? 'expired' : 'valid',
      'holder-binding': ev.pinSetting === 'holder-set' ? 'pin1-entered-by-holder' : 'no-pin-set-default-sent-by-kiosk',
      'ef07-signature': 'not-checked',
    },
    common: ev.common,
    pinSetting: ev.pinSetting,
    pin1TriesBefore: ev.files ? ev.pin1TriesBefore : null,
    pin2TriesBefore: ev.pin2TriesBefore,
    expiry: { date: ev.common.expiryDate, expired, checkedAt: o.at.toISOString() },
    matters: null,
    current: null,
    changes: [],
    changeProblems: [],
    honseki: null,
    fileErrors: [],
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

  // EF04: change records. A file that does not parse leaves every kind undetermined; a record that does
  // not decode leaves its kind undetermined; a record of an unknown kind could be a move or a new name.
  const errors = result.fileErrors;
  const ef04: ChangeRecords | null = tryParse('DF1/EF04', errors, f.changes, (raw) => parseChangeRecords(raw, 'DF1/EF04', 'EF04'));
  const unreadable: ChangeKind[] = [];
  // Every IC licence has EF04; one that could not be read (or does not parse) may hide a move or a new name.
  if (!ef04) unreadable.push('unknown');
  if (ef04) {
    result.changes = ef04.entries;
    result.changeProblems.push(...ef04.malformed.map((m) => ({ ...m, file: 'EF04' as const })));
    unreadable.push(...ef04.malformed.map((m) => m.kind));
    if (ef04.entries.some((e) => e.kind === 'unknown')) unreadable.push('unknown');
  }
  result.current = {
    name: currentValue(textField(matters, 'name'), result.changes, 'newName', unreadable),
    address: currentValue(textField(matters, 'address'), result.changes, 'newAddress', unreadable),
  };
  result.checks['change-records'] = !f.changes
    ? 'not-read'
    : !ef04
      ? 'malformed-file'
      : ef04.malformed.length > 0
        ? `${ef04.entries.length} applied, ${ef04.malformed.length} malformed`
        : ef04.entries.length > 0
          ? `${ef04.entries.length} applied`
          : 'none';

  if (f.honseki) {
    const atIssue = tryParse('DF1/EF02', errors, f.honseki, (raw) => decodeHonseki(raw));
    const ef06 = tryParse('DF1/EF06', errors, f.honsekiChanges, (raw) => parseChangeRecords(raw, 'DF1/EF06', 'EF06'));
    const honsekiUnreadable: ChangeKind[] = !ef06 ? ['unknown'] : ef06.malformed.map((m) => m.kind);
    if (ef06) result.changeProblems.push(...ef06.malformed.map((m) => ({ ...m, file: 'EF06' as const })));
    result.honseki = { atIssue, current: currentValue(atIssue, ef06?.entries ?? [], 'newHonseki', honsekiUnreadable) };
  }
  result.glyphs = [
    ...(tryParse('DF1/EF03', errors, f.gaiji, parseGaijiFile) ?? []),
    ...(tryParse('DF1/EF05', errors, f.changedGaiji, parseChangedGaijiFile) ?? []),
  ];

  // The holder's current name and address must be known and readable; otherwise nothing may pass them on.
  for (const [what, cur] of [
    ['name', result.current.name],
    ['address', result.current.address],
  ] as const) {
    if (cur.status === 'undetermined') {
      result.reasons.push({
        code: ErrorCodes.LICENSE_DATA_INCONSISTENT,
        message: `the current ${what} is undetermined: ${f.changes ? 'a change record that may change it could not be read' : 'DF1/EF04 (change records) could not be read'}`,
      });
    } else if (cur.value?.invalid) {
      result.reasons.push({ code: ErrorCodes.LICENSE_DATA_INCONSISTENT, message: `the current ${what} has characters that are not JIS X 0208 (undecodable)` });
    }
  }
  result.checks['holder-text'] = result.current.name.value?.invalid || result.current.address.value?.invalid ? 'undecodable' : 'decoded';

  const photoParsed = tryParse('DF2/EF01', errors, f.photo, extractPhoto);
  for (const e of errors) result.checks[`parse ${e.file}`] = 'malformed';

  const keyConfigured = o.trust.anchors.length > 0;
  result.signature = checkEf07(f.signature, { matters: f.matters, gaiji: f.gaiji, honseki: f.honseki, photo: f.photo }, o.trust);
  result.checks['ef07-signature'] = result.signature.status;
  result.authenticity = authenticityOf(result.signature, keyConfigured);
  if (result.authenticity === 'failed') {
    result.reasons.push({ code: ErrorCodes.LICENSE_SIGNATURE_UNVERIFIED, message: `EF07 signature: ${result.signature.status} (${result.signature.note})` });
  } else if (result.authenticity === 'chip-read' && o.signaturePolicy === 'require') {
    result.reasons.push({ code: ErrorCodes.LICENSE_SIGNATURE_UNVERIFIED, message: `EF07 signature: ${result.signature.status} (${result.signature.note})` });
  }
  // EF04 is not in the data libjeid verifies: a changed name or address is read from the chip, not proven.
  if (result.changes.length > 0) result.checks['change-records-signed'] = 'not-covered-by-ef07';

  result.verdict = result.reasons.length > 0 ? 'refused' : result.authenticity === 'proven' ? 'verified' : 'chip-read';
  // The photo reaches the native JPEG 2000 decoder only once EF07 has proven it and nothing refused the
  // read: an unproven or tampered image must never be fed to opj_decompress (issue 17).
  if (photoParsed) {
    const decode = result.verdict === 'verified';
    result.photo = await describePhoto(photoParsed, decode ? o.photoConverter : null);
    result.checks['photo-decode'] = decode ? result.photo.display : 'skipped-not-proven';
  }
  return result;
}

/** DF1/EF02: one TLV, tag 41, JIS X 0208 本籍. */
function decodeHonseki(raw: Buffer): LicenseText | null {
  const tlv = LICENSE_TLV.all(raw, 'DF1/EF02').find((t) => t.tag === 0x41);
  return tlv ? decodeJisX0208(tlv.value) : null;
}
