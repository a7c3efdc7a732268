// `idkiosk read passport`: BAC/PACE, SM reads, passive/active/chip authentication on the passport in a
// PC/SC reader; one JSON object on stdout. Exit 0 verified, 1 refused, 2 error.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CscaStore } from '../../documents/passport/csca-store.ts';
import { passportFaceConverter } from '../../documents/passport/face.ts';
import { loadCscaFiles, parsePassportConfig } from '../../documents/passport/passport-config.ts';
import { accessKeyFromMrzText, type AccessKeyInput } from '../../documents/passport/mrz.ts';
import { readPassport } from '../../documents/passport/passport-read.ts';
import { assessPassport, type PassportResult } from '../../documents/passport/passport-verdict.ts';
import { ErrorCodes, KioskError, isKioskError } from '../../errors.ts';
import { revocationFromConfig } from '../../trust/revocation-source.ts';
import { withCard } from '../card-access.ts';
import type { CliIO } from '../command.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

const usage = `idkiosk read passport (--doc-number X --birth YYMMDD --expiry YYMMDD | --mrz-stdin) [--csca FILE]...
                      [--reader NAME] [--no-face] [--face-out FILE] [--no-pace] [--strict-dsc]
                      [--crl-db PATH [--require-revocation]] [--json]
  Passport (ICAO 9303 eMRTD): PACE or BAC with the MRZ access key, EF.COM/SOD/DG1/DG2/DG11/DG12/DG14/DG15
  through secure messaging, passive authentication against the CSCA store, chip and active authentication
  --doc-number X    document number as printed in the MRZ (letters A–Z and digits)
  --birth YYMMDD    date of birth      --expiry YYMMDD   date of expiry
  --mrz-stdin       read the MRZ lines (TD1/TD2/TD3, from an MRZ scanner) from stdin instead; check digits must hold
  --csca FILE       CSCA certificate(s) (PEM/DER) or ICAO CSCA master list; repeatable; without it PA is refused
  --ml-signer FILE  certificate of a trusted master-list signer (or of the CA that issued it); repeatable;
                    a master list given to --csca loads only when signed by one of these
  --csca-exception STATE:CC  accept a CSCA of country CC for passports of issuing state STATE (e.g.
                    RKS:XK); repeatable; otherwise the CSCA country must be the issuing state's
  --reader NAME     PC/SC reader name (default: the first reader holding a card)
  --no-face         do not read DG2        --face-out FILE   write the face image (PNG when converted, else as read)
  --no-pace         use BAC even when the chip offers PACE (diagnostics)
  --strict-dsc      refuse an expired Document Signer certificate too
  --crl-db PATH     CRL store (see idkiosk crl) for the DSC's revocation; a revoked DSC is refused
  --require-revocation  also refuse when the DSC's revocation status is unknown
  --json            print JSON (the only output format; accepted for clarity)
`;

const REFUSALS = new Set<string>([ErrorCodes.PASSPORT_ACCESS_DENIED, ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, ErrorCodes.CARD_UNSUPPORTED]);

/** The printable result: the face as a description, never its bytes. */
export function passportResultJson(r: PassportResult): Record<string, unknown> {
  const { face, ...rest } = r;
  return { ...rest, face: face && { format: face.format, bytes: face.bytes, display: face.display ? face.display.mime : 'not-decoded' } };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'doc-number': { type: 'string' },
      birth: { type: 'string' },
      expiry: { type: 'string' },
      'mrz-stdin': { type: 'boolean', default: false },
      csca: { type: 'string', multiple: true },
      'ml-signer': { type: 'string', multiple: true },
      'csca-exception': { type: 'string', multiple: true },
      reader: { type: 'string' },
      'no-face': { type: 'boolean', default: false },
      'face-out': { type: 'string' },
      'no-pace': { type: 'boolean', default: false },
      'strict-dsc': { type: 'boolean', default: false },
      'crl-db': { type: 'string' },
      'require-revocation': { type: 'boolean', default: false },
      json: { type: 'boolean', default: true },
    },
    strict: true,
  });
  const fromArgs = values['doc-number'] !== undefined || values.birth !== undefined || values.expiry !== undefined;
  if (fromArgs === values['mrz-stdin']) throw new KioskError(ErrorCodes.USAGE, 'give either --doc-number/--birth/--expiry or --mrz-stdin');
  // The same validation as config passport.cscaCountryExceptions.
  const exceptionUsage = () => new KioskError(ErrorCodes.USAGE, '--csca-exception takes STATE:CC (ICAO state code, two-letter country), e.g. RKS:XK');
  let cscaCountryExceptions;
  try {
    ({ cscaCountryExceptions } = parsePassportConfig({
      cscaCountryExceptions: (values['csca-exception'] ?? []).map((x) => {
        const [issuingState, cscaCountry, ...rest] = x.split(':');
        if (rest.length || !cscaCountry) throw exceptionUsage();
        return { issuingState, cscaCountry };
      }),
    }));
  } catch {
    throw exceptionUsage();
  }
  const csca = new CscaStore(loadCscaFiles(values.csca ?? [], { masterListSigners: values['ml-signer'] ?? [], cscaCountryExceptions }));
  let key: AccessKeyInput;
  if (values['mrz-stdin']) key = accessKeyFromMrzText(await io.readStdin());
  else {
    if (!values['doc-number'] || !values.birth || !values.expiry) throw new KioskError(ErrorCodes.USAGE, '--doc-number, --birth and --expiry go together');
    key = { documentNumber: Buffer.from(values['doc-number'].toUpperCase()), dateOfBirth: Buffer.from(values.birth), dateOfExpiry: Buffer.from(values.expiry) };
  }
  const now = new Date();
  let result: PassportResult;
  try {
    result = await withCard({ reader: values.reader }, async (session) => {
      const evidence = await readPassport(session, { accessKey: key, readFace: !values['no-face'], noPace: values['no-pace'] });
      return assessPassport(evidence, {
        csca,
        at: now,
        strictDscValidity: values['strict-dsc'],
        faceConverter: passportFaceConverter(),
        revocation: values['crl-db'] || values['require-revocation'] ? revocationFromConfig(values['crl-db'] ?? null) : undefined,
        revocationPolicy: values['require-revocation'] ? 'require' : 'report',
        cscaCountryExceptions,
      });
    });
  } catch (e) {
    if (!isKioskError(e) || !REFUSALS.has(e.code)) throw e;
    io.stdout(JSON.stringify({ document: 'passport', verdict: 'refused', authenticity: null, holderBinding: null, reasons: [{ code: e.code, message: e.message }] }) + '\n');
    return 1;
  } finally {
    key.documentNumber.fill(0);
    key.dateOfBirth.fill(0);
    key.dateOfExpiry.fill(0);
  }
  if (values['face-out'] && result.face?.display) writeFileSync(values['face-out'], result.face.display.data, { mode: 0o600 });
  io.stdout(JSON.stringify(passportResultJson(result)) + '\n');
  return result.verdict === 'verified' ? 0 : 1;
}

export const passportRead: ReadSubcommand = { name: 'passport', summary: 'passport (ICAO eMRTD: BAC/PACE, PA, AA, CA)', usage, run };
