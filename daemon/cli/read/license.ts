// `idkiosk read license`: read and check the IC 運転免許証 in a PC/SC reader, print one JSON object.
// PIN1 is the first stdin line, PIN2 the second (only with --with-pin2). A licence whose holder set no PIN
// is read with the default "****" and stdin is not used. One VERIFY per PIN at most.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assessLicense, type LicenseResult } from '../../documents/license/license-verdict.ts';
import { LICENSE_PIN_FORMAT } from '../../documents/license/license-pin.ts';
import { readLicense } from '../../documents/license/license-read.ts';
import { defaultJp2ToPng } from '../../images/jp2-to-png.ts';
import { licenseResultJson } from '../../documents/license/result-json.ts';
import { secretMatchesFormat, wipe, type SecretRequest } from '../../documents/secrets.ts';
import { ErrorCodes, KioskError, isKioskError } from '../../../core/errors.ts';
import { TrustStore } from '../../trust/trust-store.ts';
import { withCard } from '../card-access.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

const usage = `idkiosk read license [--reader NAME] --pin-stdin [--with-pin2] [--trust KEY.pem] [--require-signature]
                     [--photo-out FILE.png] [--json]
  IC 運転免許証: common data and expiry (no PIN), PIN1 (PIN2 with --with-pin2), printed matters with the
  current name/address from the change records, 外字, 本籍 and photo (PIN2), EF07 signature check
  --reader NAME        PC/SC reader name (default: the first reader holding a card)
  --pin-stdin          PIN1 on the first stdin line, PIN2 on the second; unused when the holder set no PIN
  --with-pin2          also verify PIN2 and read 本籍 (DF1/EF02, EF06) and the photo (DF2)
  --trust FILE         EF07 verification key certificate(s) (trust purpose "license"; none is published)
  --require-signature  refuse unless the EF07 signature verified under a configured key
  --photo-out FILE     write the photo as PNG, only for a verified licence (needs opj_decompress, Debian libopenjp2-tools)
  --json               print JSON (the only output format; accepted for clarity)
`;

const REFUSALS = new Set<string>([
  ErrorCodes.PIN_TRIES_LOW,
  ErrorCodes.PIN_LOCKED,
  ErrorCodes.PIN_WRONG,
  ErrorCodes.PIN_TRIES_UNKNOWN,
  ErrorCodes.PIN_FORMAT,
  ErrorCodes.CARD_UNSUPPORTED,
]);

/** Reads stdin only when a PIN is actually asked for; each PIN at most once. */
function stdinPins(io: CliIO) {
  let lines: string[] | null = null;
  const asked = new Set<string>();
  return async (req: SecretRequest): Promise<Buffer> => {
    if (asked.has(req.purpose)) throw new KioskError(ErrorCodes.INTERNAL, `${req.purpose} asked twice`);
    asked.add(req.purpose);
    lines ??= (await io.readStdin()).split(/\r?\n/);
    const line = lines[req.purpose === 'license-pin2' ? 1 : 0] ?? '';
    const pin = Buffer.from(line, 'latin1');
    if (!secretMatchesFormat(pin, LICENSE_PIN_FORMAT)) {
      wipe(pin);
      const which = req.purpose === 'license-pin2' ? 'PIN2 (second line)' : 'PIN1 (first line)';
      throw new KioskError(ErrorCodes.PIN_FORMAT, `${which} on stdin must be exactly 4 digits (nothing was sent to the card)`);
    }
    return pin;
  };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      reader: { type: 'string' },
      'pin-stdin': { type: 'boolean', default: false },
      'with-pin2': { type: 'boolean', default: false },
      trust: { type: 'string', multiple: true },
      'require-signature': { type: 'boolean', default: false },
      'photo-out': { type: 'string' },
      json: { type: 'boolean', default: true },
    },
    strict: true,
  });
  if (!values['pin-stdin']) throw new KioskError(ErrorCodes.USAGE, '--pin-stdin is required (PINs are never taken from the command line)');
  const trust = values.trust?.length ? TrustStore.fromFiles(values.trust) : new TrustStore([]);
  const now = new Date();
  let result: LicenseResult | null = null;
  let refusal: { code: string; message: string; triesLeft: number | null; pin: string | null } | null = null;
  try {
    result = await withCard({ reader: values.reader }, async (session) => {
      const evidence = await readLicense(session, { prompt: stdinPins(io), withPin2: values['with-pin2'], now, pinAttempts: 1 });
      return assessLicense(evidence, {
        at: now,
        trust,
        signaturePolicy: values['require-signature'] ? 'require' : 'report',
        photoConverter: defaultJp2ToPng(),
      });
    });
  } catch (e) {
    if (!isKioskError(e) || !REFUSALS.has(e.code)) throw e;
    const t = e.detail.triesLeft;
    refusal = { code: e.code, message: e.message, triesLeft: typeof t === 'number' ? t : null, pin: typeof e.detail.pin === 'string' ? e.detail.pin : null };
  }
  if (refusal || !result) {
    io.stdout(JSON.stringify({ document: 'license', verdict: 'refused', reasons: [refusal] }) + '\n');
    return 1;
  }
  if (values['photo-out'] && result.photo?.png) writeFileSync(values['photo-out'], result.photo.png, { mode: 0o600 });
  io.stdout(JSON.stringify(licenseResultJson(result)) + '\n');
  return result.verdict === 'verified' ? 0 : 1;
}

export const licenseRead: ReadSubcommand = { name: 'license', summary: 'IC 運転免許証 (PIN1/PIN2, current address, 外字, EF07)', usage, run };
