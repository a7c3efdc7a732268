// The kiosk flow for the passport: the holder types the MRZ access key (document number — letters by
// multi-tap or the on-screen keyboard — date of birth, date of expiry), each checked locally before any
// APDU; then passport-read.ts + passport-verdict.ts. On the kiosk screen the three fields are one form
// (daemon/kiosk/entry-fields.ts: back/edit, checks per field, a review before the chip is touched); a key
// the chip refuses brings the form back with the values kept, up to `accessAttempts` in all, the passport
// still on the reader. MRZ-based access has no retry counter to exhaust (BAC has none; for PACE the MRZ is
// a non-blocking password, BSI TR-03110-2), so a retry cannot lock the passport. The screen gets the checks, and the holder's name only in
// the 'name' disclosure mode; the birth date and the face never reach the screen state.
import type { DocumentFlow, FlowContext } from '../../kiosk/document-flow.ts';
import type { ResultView } from '../../result/result-view.ts';
import { ErrorCodes, isKioskError, KioskError } from '../../../core/errors.ts';
import type { RevocationChecker } from '../../trust/revocation.ts';
import type { DocumentHandlerFactory } from '../document-handler.ts';
import { wipe, type SecretFormat, type SecretPurpose } from '../secrets.ts';
import { CscaStore } from './pki/csca-store.ts';
import { attachBirthDate } from '../../policy/birth-date.ts';
import { passportFaceConverter } from './datagroups/face.ts';
import { isYymmdd, mrzInformation, type AccessKeyInput } from './datagroups/mrz.ts';
import { hasEmrtd, readPassport } from './passport-read.ts';
import { assessPassport, type CscaCountryException, type FaceConverter, type PassportResult } from './passport-verdict.ts';

export const PASSPORT_DOC_NUMBER_FORMAT: SecretFormat = { kind: 'alnum', min: 1, max: 9, pattern: /^[A-Z0-9]{1,9}$/ };
export const PASSPORT_DATE_FORMAT: SecretFormat = { kind: 'digits', min: 6, max: 6 };

export type PassportDisclosure = 'none' | 'name';

export interface PassportFlowOptions {
  csca: CscaStore;
  now?: () => Date;
  disclosure?: PassportDisclosure;
  readFace?: boolean;
  strictDscValidity?: boolean;
  faceConverter?: FaceConverter;
  /** Deployment exceptions to "CSCA country = issuing state" (config passport.cscaCountryExceptions). */
  cscaCountryExceptions?: readonly CscaCountryException[];
  /** DSC revocation (CSCA CRLs): revoked always refuses; unknown only under 'require' (default 'report'). */
  revocation?: RevocationChecker;
  revocationPolicy?: 'report' | 'require';
  /** A fresh MRZ scan (mrz-scan.ts), used instead of the three keypad entries when present. */
  scannedKey?: () => AccessKeyInput | null;
  /** Local format mistakes re-prompt up to this many times (no APDU is spent on them). Default 3. */
  entryAttempts?: number;
  /** Keys tried on the chip per session when the entry form is available (a typo is corrected in place). Default 3. */
  accessAttempts?: number;
  onResult?: (r: PassportResult) => void;
}

/** Ask for one field until it is well-formed (dates: a real month/day), or give up. */
async function askField(ctx: FlowContext, purpose: SecretPurpose, format: SecretFormat, valid: (s: string) => boolean, attempts: number): Promise<Buffer> {
  let wrong = false;
  for (let i = 0; i < attempts; i++) {
    const b = await ctx.prompt({ purpose, format, triesLeft: null, maxTries: null, previousAttemptWrong: wrong });
    if (valid(b.toString('latin1'))) return b;
    wipe(b);
    wrong = true;
  }
  throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, `${purpose}: not well-formed (nothing was sent to the chip)`);
}

/** The three MRZ fields as one form on the kiosk screen; `mismatch`: the chip refused the previous values. */
export async function formAccessKey(ctx: FlowContext, mismatch: { attempt: number; max: number } | null): Promise<AccessKeyInput> {
  if (!ctx.form) throw new KioskError(ErrorCodes.INTERNAL, 'no entry form in this context');
  const values = await ctx.form({
    fields: [
      { purpose: 'passport-document-number', format: PASSPORT_DOC_NUMBER_FORMAT },
      { purpose: 'passport-birth-date', format: PASSPORT_DATE_FORMAT },
      { purpose: 'passport-expiry-date', format: PASSPORT_DATE_FORMAT },
    ],
    mismatch,
  });
  const [documentNumber, dateOfBirth, dateOfExpiry] = values;
  if (!documentNumber || !dateOfBirth || !dateOfExpiry) {
    for (const v of values) wipe(v);
    throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, 'the entry form did not return three fields (nothing was sent to the chip)');
  }
  const key = { documentNumber, dateOfBirth, dateOfExpiry };
  mrzInformation(key).fill(0); // the same validation readPassport repeats, before any APDU
  return key;
}

export async function promptAccessKey(ctx: FlowContext, attempts = 3): Promise<AccessKeyInput> {
  const documentNumber = await askField(ctx, 'passport-document-number', PASSPORT_DOC_NUMBER_FORMAT, (s) => /^[A-Z0-9]{1,9}$/.test(s), attempts);
  const dateOfBirth = await askField(ctx, 'passport-birth-date', PASSPORT_DATE_FORMAT, isYymmdd, attempts);
  const dateOfExpiry = await askField(ctx, 'passport-expiry-date', PASSPORT_DATE_FORMAT, isYymmdd, attempts);
  const key = { documentNumber, dateOfBirth, dateOfExpiry };
  mrzInformation(key).fill(0); // same validation readPassport repeats, before any APDU
  return key;
}

export function toResultView(r: PassportResult, disclosure: PassportDisclosure): ResultView {
  const view: ResultView = {
    outcome: r.verdict,
    authenticity: r.authenticity,
    holderBinding: r.holderBinding,
    document: 'passport',
    reasons: r.reasons.map((x) => x.code),
    certificate: r.passiveAuthentication.dsc && {
      serialNumber: r.passiveAuthentication.dsc.serialNumber,
      fingerprintSha256: r.passiveAuthentication.dsc.fingerprintSha256,
      notAfter: r.passiveAuthentication.dsc.notAfter,
      ...(r.passiveAuthentication.csca ? { issuerFingerprintSha256: r.passiveAuthentication.csca.fingerprintSha256 } : {}),
    },
    checks: { ...r.checks },
  };
  if (disclosure === 'name' && r.verdict === 'verified') {
    view.holder = { name: `${r.dg1.surname} ${r.dg1.givenNames}`.trim(), address: null, dateOfBirth: null, sex: null };
  }
  return view;
}

export function passportFlow(o: PassportFlowOptions): DocumentFlow {
  return {
    async run(ctx: FlowContext): Promise<ResultView> {
      const scanned = o.scannedKey?.() ?? null;
      const max = scanned || !ctx.form ? 1 : Math.max(1, o.accessAttempts ?? 3);
      let result: PassportResult;
      let attempt = 0;
      for (;;) {
        attempt++;
        const mismatch = attempt > 1 ? { attempt, max } : null;
        const key = scanned ?? (ctx.form ? await formAccessKey(ctx, mismatch) : await promptAccessKey(ctx, o.entryAttempts ?? 3));
        try {
          result = await readAndAssess(ctx, o, key);
          break;
        } catch (e) {
          // The chip refused the key: nothing was read or proven, and the MRZ typed bound nobody to it. While
          // attempts are left the holder corrects the values, the passport still on the reader.
          if (isKioskError(e, ErrorCodes.PASSPORT_ACCESS_DENIED)) {
            if (attempt < max) continue;
            return { outcome: 'refused', authenticity: null, holderBinding: null, document: 'passport', reasons: [e.code] };
          }
          throw e;
        } finally {
          wipe(key.documentNumber);
          wipe(key.dateOfBirth);
          wipe(key.dateOfExpiry);
        }
      }
      o.onResult?.(result);
      // DG1's date of birth (YYMMDD, SOD-checked), for age policies only (never part of the view itself).
      return attachBirthDate(toResultView(result, o.disclosure ?? 'none'), result.dg1?.dateOfBirth, 'mrz');
    },
  };
}

async function readAndAssess(ctx: FlowContext, o: PassportFlowOptions, key: AccessKeyInput): Promise<PassportResult> {
  const evidence = await readPassport(ctx.session, { accessKey: key, readFace: o.readFace, progress: (s) => ctx.progress(s) });
  ctx.progress('validate');
  return assessPassport(evidence, {
    csca: o.csca,
    at: (o.now ?? (() => new Date()))(),
    strictDscValidity: o.strictDscValidity,
    faceConverter: o.faceConverter ?? passportFaceConverter(),
    revocation: o.revocation,
    revocationPolicy: o.revocationPolicy,
    cscaCountryExceptions: o.cscaCountryExceptions,
  });
}

/** The kiosk's passport document (trust purpose "csca"). */
export const passportHandler: DocumentHandlerFactory = (env) => {
  const flow = passportFlow({
    csca: new CscaStore(env.trust('csca').anchors),
    now: env.now,
    revocation: env.revocation,
    cscaCountryExceptions: env.passport?.cscaCountryExceptions,
  });
  return { id: 'passport', detect: hasEmrtd, run: (ctx) => flow.run(ctx) };
};
