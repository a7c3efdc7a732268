// `idkiosk read passport`: BAC/PACE, SM reads, passive/active/chip authentication on the passport in a
// PC/SC reader; one JSON object on stdout. Exit 0 verified, 1 refused, 2 error.
// The MRZ data (document number, birth and expiry dates: the access key) comes only from stdin or a file,
// never from argv, where every local user can read it (ps, /proc/PID/cmdline) and shells keep it in history.
import { readFileSync, writeFileSync } from 'node:fs';
import { flags, lists, strings } from '../../../core/cli-options.ts';
import { CscaStore, loadCscaFiles } from '../../documents/passport/pki/csca-store.ts';
import { passportFaceConverter } from '../../documents/passport/datagroups/face.ts';
import { parsePassportConfig } from '../../documents/passport/passport-config.ts';
import { accessKeyFromMrzText, type AccessKeyInput } from '../../documents/passport/datagroups/mrz.ts';
import { readPassport } from '../../documents/passport/passport-read.ts';
import { assessPassport, type PassportResult } from '../../documents/passport/passport-verdict.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { revocationFromConfig } from '../../trust/revocation-source.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';
import { parseReadArgs, runCardRead } from './read-runner.ts';

const usage = `idkiosk read passport (--mrz-stdin | --mrz-file FILE) [--csca FILE]...
                      [--reader NAME] [--no-face] [--face-out FILE] [--no-pace] [--strict-dsc]
                      [--crl-db PATH [--require-revocation]] [--json]
  Passport (ICAO 9303 eMRTD): PACE or BAC with the MRZ access key, EF.COM/SOD/DG1/DG2/DG11/DG12/DG14/DG15
  through secure messaging, passive authentication against the CSCA store, chip and active authentication
  --mrz-stdin       read the MRZ lines (TD1/TD2/TD3, e.g. from an MRZ scanner) from stdin; check digits must hold
  --mrz-file FILE   read the MRZ lines from FILE instead (keep it private: mode 0600, remove it after use)
                    The MRZ data is never taken on the command line (--doc-number/--birth/--expiry are refused):
                    argv is readable by every local user and kept in shell history.
  --csca FILE       CSCA certificate(s) (PEM/DER) or ICAO CSCA master list; repeatable; without it PA is refused
  --ml-signer FILE  certificate of a trusted master-list signer (or of the CA that issued it); repeatable;
                    a master list given to --csca loads only when signed by one of these
  --csca-exception STATE:CC  accept a CSCA of country CC for passports of issuing state STATE (e.g.
                    RKS:XK); repeatable; otherwise the CSCA country must be the issuing state's
  --reader NAME     PC/SC reader name (default: the first reader holding a card)
  --no-face         do not read DG2        --face-out FILE   write the face image (verified passports only)
  --no-pace         use BAC even when the chip offers PACE (diagnostics)
  --strict-dsc      refuse an expired Document Signer certificate too
  --crl-db PATH     CRL store (see idkiosk crl) for the DSC's revocation; a revoked DSC is refused
  --require-revocation  also refuse when the DSC's revocation status is unknown
  --json            print JSON (the only output format; accepted for clarity)
`;

const REFUSALS = [ErrorCodes.PASSPORT_ACCESS_DENIED, ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, ErrorCodes.CARD_UNSUPPORTED];

/** The printable result: the face as a description, never its bytes. */
export function passportResultJson(r: PassportResult): Record<string, unknown> {
  const { face, ...rest } = r;
  return { ...rest, face: face && { format: face.format, bytes: face.bytes, display: face.display ? face.display.mime : 'not-decoded' } };
}

/** The MRZ text of --mrz-file; the raw bytes are wiped once decoded (the string itself cannot be). */
function readMrzFile(path: string): string {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new KioskError(ErrorCodes.USAGE, `--mrz-file: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (raw.length > 1024) {
    raw.fill(0);
    throw new KioskError(ErrorCodes.PASSPORT_ACCESS_KEY_FORMAT, '--mrz-file: the file is too large to be an MRZ');
  }
  const text = raw.toString('latin1');
  raw.fill(0);
  return text;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const cl = parseReadArgs(argv, {
    ...strings('doc-number', 'birth', 'expiry', 'mrz-file', 'face-out', 'crl-db'),
    ...lists('csca', 'ml-signer', 'csca-exception'),
    ...flags('mrz-stdin', 'no-face', 'no-pace', 'strict-dsc', 'require-revocation'),
  });
  const { values, usage } = cl;
  // The argv forms stay declared only to refuse them with a pointer to the safe ones.
  if (values['doc-number'] !== undefined || values.birth !== undefined || values.expiry !== undefined) {
    throw usage(
      'the MRZ data is not taken on the command line (other users and shell history can read it): give the MRZ lines with --mrz-stdin or --mrz-file FILE',
    );
  }
  if (!!values['mrz-stdin'] === (values['mrz-file'] !== undefined)) throw usage('give the MRZ lines with either --mrz-stdin or --mrz-file FILE');
  // The same validation as config passport.cscaCountryExceptions.
  const exceptionUsage = () => usage('--csca-exception takes STATE:CC (ICAO state code, two-letter country), e.g. RKS:XK');
  let cscaCountryExceptions: ReturnType<typeof parsePassportConfig>['cscaCountryExceptions'];
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
  const key: AccessKeyInput = accessKeyFromMrzText(values['mrz-file'] !== undefined ? readMrzFile(values['mrz-file']) : await io.readStdin());
  const now = new Date();
  return runCardRead(io, {
    reader: values.reader,
    refusals: REFUSALS,
    secrets: [key.documentNumber, key.dateOfBirth, key.dateOfExpiry],
    async read(session) {
      const evidence = await readPassport(session, { accessKey: key, readFace: !values['no-face'], noPace: !!values['no-pace'] });
      return assessPassport(evidence, {
        csca,
        at: now,
        strictDscValidity: !!values['strict-dsc'],
        faceConverter: passportFaceConverter(),
        revocation: values['crl-db'] || values['require-revocation'] ? revocationFromConfig(values['crl-db'] ?? null) : undefined,
        revocationPolicy: values['require-revocation'] ? 'require' : 'report',
        cscaCountryExceptions,
      });
    },
    refused: () => ({ document: 'passport', authenticity: null, holderBinding: null }),
    printable(result: PassportResult) {
      if (values['face-out'] && result.face?.display) writeFileSync(values['face-out'], result.face.display.data, { mode: 0o600 });
      return passportResultJson(result);
    },
  });
}

export const passportRead: ReadSubcommand = { name: 'passport', summary: 'passport (ICAO eMRTD: BAC/PACE, PA, AA, CA)', usage, run };
