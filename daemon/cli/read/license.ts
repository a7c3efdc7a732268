// `idkiosk read license`: read and check the IC 運転免許証 in a PC/SC reader, print one JSON object.
// PIN1 is the first stdin line, PIN2 the second (only with --with-pin2). A licence whose holder set no PIN
// is read with the default "****" and stdin is not used. One VERIFY per PIN at most.
import { writeFileSync } from 'node:fs';
import { flags, lists, strings } from '../../../core/cli-options.ts';
import { assessLicense, type LicenseResult } from '../../documents/license/license-verdict.ts';
import { LICENSE_PIN_FORMAT } from '../../documents/license/license-pin.ts';
import { readLicense } from '../../documents/license/license-read.ts';
import { defaultJp2ToPng } from '../../images/jp2-to-png.ts';
import { licenseResultJson } from '../../documents/license/result-json.ts';
import type { SecretRequest } from '../../documents/secrets.ts';
import { ErrorCodes } from '../../../core/errors.ts';
import { TrustStore } from '../../trust/trust-store.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';
import { parseReadArgs, PIN_REFUSALS, runCardRead, stdinLines } from './read-runner.ts';

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

/** A PIN on stdin that is not 4 digits is found only once the card asks for it: refused like a wrong one. */
const REFUSALS = [...PIN_REFUSALS, ErrorCodes.PIN_FORMAT];

/** PIN1 from the first stdin line, PIN2 from the second; stdin is read only when a PIN is actually asked for. */
function stdinPins(io: CliIO) {
  const line = stdinLines(io);
  return (req: SecretRequest): Promise<Buffer> => {
    const [n, which] = req.purpose === 'license-pin2' ? [1, 'PIN2 (second line)'] : [0, 'PIN1 (first line)'];
    return line(n, LICENSE_PIN_FORMAT, which, `${which} on stdin must be exactly 4 digits (nothing was sent to the card)`);
  };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const cl = parseReadArgs(argv, { ...flags('pin-stdin', 'with-pin2', 'require-signature'), ...lists('trust'), ...strings('photo-out') });
  const { values } = cl;
  cl.require('pin-stdin', '--pin-stdin is required (PINs are never taken from the command line)');
  const trust = TrustStore.fromFiles(values.trust ?? []);
  const now = new Date();
  return runCardRead(io, {
    reader: values.reader,
    refusals: REFUSALS,
    async read(session) {
      const evidence = await readLicense(session, { prompt: stdinPins(io), withPin2: !!values['with-pin2'], now, pinAttempts: 1 });
      return assessLicense(evidence, {
        at: now,
        trust,
        signaturePolicy: values['require-signature'] ? 'require' : 'report',
        photoConverter: defaultJp2ToPng(),
      });
    },
    refused: (e) => ({ document: 'license', pin: typeof e.detail.pin === 'string' ? e.detail.pin : null }),
    printable(result: LicenseResult) {
      if (values['photo-out'] && result.photo?.png) writeFileSync(values['photo-out'], result.photo.png, { mode: 0o600 });
      return licenseResultJson(result);
    },
  });
}

export const licenseRead: ReadSubcommand = { name: 'license', summary: 'IC 運転免許証 (PIN1/PIN2, current address, 外字, EF07)', usage, run };
