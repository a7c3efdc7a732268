// `idkiosk read mynumber-info`: the 4 basic info from the 券面事項入力補助AP (4-digit PIN on stdin).
// Never the My Number: the CLI has no option that could select text AP EF 0001.
import { parseArgs } from 'node:util';
import { assessMyNumberInfo, emptyInfoResult, type MyNumberInfoResult } from '../../documents/mynumber/mynumber-info-verdict.ts';
import { readTextAp, TEXT_PIN_FORMAT } from '../../documents/mynumber/text-ap.ts';
import { cvAnchors, loadCvCaKeyFile } from '../../documents/mynumber/cv-anchors.ts';
import { parseMyNumberConfig } from '../../documents/mynumber/mynumber-config.ts';
import { secretMatchesFormat, wipe, type SecretFormat } from '../../documents/secrets.ts';
import { ErrorCodes, KioskError, isKioskError } from '../../../core/errors.ts';
import { withCard } from '../card-access.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

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
export const MYNUMBER_REFUSALS = new Set<string>([
  ErrorCodes.PIN_TRIES_LOW,
  ErrorCodes.PIN_LOCKED,
  ErrorCodes.PIN_WRONG,
  ErrorCodes.PIN_TRIES_UNKNOWN,
  ErrorCodes.CARD_UNSUPPORTED,
]);

/** One secret from stdin (trailing newline removed), format-checked before anything reaches the card. */
export async function secretFromStdin(io: CliIO, format: SecretFormat, what: string, transform?: (s: string) => string): Promise<Buffer> {
  let text = (await io.readStdin()).replace(/\r?\n$/, '');
  if (transform) text = transform(text);
  const secret = Buffer.from(text, 'latin1');
  text = '';
  if (!secretMatchesFormat(secret, format)) {
    wipe(secret);
    throw new KioskError(ErrorCodes.PIN_FORMAT, `the ${what} on stdin has the wrong format (nothing was sent to the card)`);
  }
  return secret;
}

/** A prompt that hands over the one stdin secret exactly once (one VERIFY per entry, never a retry). */
export function onceFrom(secret: Buffer) {
  let asked = false;
  return async () => {
    if (asked) throw new KioskError(ErrorCodes.INTERNAL, 'secret asked twice');
    asked = true;
    return secret;
  };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      reader: { type: 'string' },
      'pin-stdin': { type: 'boolean', default: false },
      'test-cards': { type: 'boolean', default: false },
      'cv-ca': { type: 'string' },
      json: { type: 'boolean', default: true },
    },
    strict: true,
  });
  if (!values['pin-stdin']) throw new KioskError(ErrorCodes.USAGE, '--pin-stdin is required (the PIN is never taken from the command line)');
  const anchors = cliCvAnchors(values);
  const pin = await secretFromStdin(io, TEXT_PIN_FORMAT, 'PIN (4 digits)');
  let result: MyNumberInfoResult;
  try {
    result = await withCard({ reader: values.reader }, async (session) =>
      assessMyNumberInfo(await readTextAp(session, { prompt: onceFrom(pin), pinAttempts: 1 }), anchors),
    );
  } catch (e) {
    if (!isKioskError(e) || !MYNUMBER_REFUSALS.has(e.code)) throw e;
    result = emptyInfoResult();
    result.reasons.push({ code: e.code, message: e.message });
    if (typeof e.detail.triesLeft === 'number') {
      if (e.code === ErrorCodes.PIN_WRONG) result.pinTriesLeft = e.detail.triesLeft;
      else result.pinTriesBefore = e.detail.triesLeft;
    }
  } finally {
    wipe(pin);
  }
  io.stdout(JSON.stringify(result) + '\n');
  return result.verdict === 'verified' ? 0 : 1;
}

export const myNumberInfoRead: ReadSubcommand = { name: 'mynumber-info', summary: 'マイナンバーカード 4 basic info (券面事項入力補助AP)', usage, run };
