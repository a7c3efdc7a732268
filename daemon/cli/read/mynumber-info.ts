// `idkiosk read mynumber-info`: the 4 basic info from the 券面事項入力補助AP (4-digit PIN on stdin).
// Never the My Number: the CLI has no option that could select text AP EF 0001.
import { flags, strings } from '../../../core/cli-options.ts';
import { assessMyNumberInfo, emptyInfoResult } from '../../documents/mynumber/mynumber-info-verdict.ts';
import { readTextAp, TEXT_PIN_FORMAT } from '../../documents/mynumber/text-ap.ts';
import { cvAnchors, loadCvCaKeyFile } from '../../documents/mynumber/cv-anchors.ts';
import { parseMyNumberConfig } from '../../documents/mynumber/mynumber-config.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';
import { onceFrom, parseReadArgs, PIN_REFUSALS, runCardRead, secretFromStdin } from './read-runner.ts';

export { onceFrom, secretFromStdin };

const usage = `idkiosk read mynumber-info [--reader NAME] --pin-stdin [--test-cards] [--cv-ca FILE] [--json]
  マイナンバーカード 券面事項入力補助AP: name, address, date of birth, sex (never the My Number)
  --reader NAME    PC/SC reader name (default: the first reader holding a card)
  --pin-stdin      read the 4-digit 券面事項入力補助用暗証番号 from standard input (required)
  --test-cards     also accept JPKI test-hierarchy CA keys (test cards only; never for real holders)
  --cv-ca FILE     extra CV CA key(s), JSON as written by 'idkiosk sim mynumber --cv-ca-out'
  --json           print JSON (the only output format; accepted for clarity)
  The result says what was proven: the PIN, the DF32 hash of the 4 info, the CV certificate (EF 0004)
  under a J-LIS CA key, and the issuer signature DF33; authenticity "proven" only when all hold.
`;

/** The CV CA keys the My Number read commands trust (production J-LIS keys unless told otherwise). */
export function cliCvAnchors(values: { 'test-cards'?: boolean; 'cv-ca'?: string }) {
  const extra = values['cv-ca'] ? loadCvCaKeyFile(values['cv-ca']) : [];
  return cvAnchors(parseMyNumberConfig({ testCards: !!values['test-cards'], cvCaKeys: extra }));
}

/** Codes that mean "refused" (exit 1) rather than "error" (exit 2), for the My Number read commands. */
export const MYNUMBER_REFUSALS = PIN_REFUSALS;

async function run(argv: string[], io: CliIO): Promise<number> {
  const cl = parseReadArgs(argv, { ...flags('pin-stdin', 'test-cards'), ...strings('cv-ca') });
  const { values } = cl;
  cl.require('pin-stdin', '--pin-stdin is required (the PIN is never taken from the command line)');
  const anchors = cliCvAnchors(values);
  const pin = await secretFromStdin(io, TEXT_PIN_FORMAT, 'PIN (4 digits)');
  return runCardRead(io, {
    reader: values.reader,
    refusals: MYNUMBER_REFUSALS,
    secrets: [pin],
    read: async (session) => assessMyNumberInfo(await readTextAp(session, { prompt: onceFrom(pin), pinAttempts: 1 }), anchors),
    refused: emptyInfoResult,
  });
}

export const myNumberInfoRead: ReadSubcommand = { name: 'mynumber-info', summary: 'マイナンバーカード 4 basic info (券面事項入力補助AP)', usage, run };
