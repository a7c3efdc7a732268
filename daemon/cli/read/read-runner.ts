// What every `idkiosk read <document>` command shares: the common options (--reader, --json), the
// "secret only on stdin" gate, reading one secret from stdin, the card read whose refusals become a
// refused result instead of an error, and printing the result with its exit code (0 verified, 1 not;
// verdict-exit.ts then applies the one verdict rule to the printed JSON).
import type { CliIO } from '../../../core/cli-io.ts';
import { type OptionsConfig, parseCommandLine, strings } from '../../../core/cli-options.ts';
import { ErrorCodes, isKioskError, KioskError } from '../../../core/errors.ts';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { secretMatchesFormat, wipe, type SecretFormat } from '../../documents/secrets.ts';
import { withCard } from '../card-access.ts';

/** Error codes of a PIN-protected card that mean "refused" (exit 1) rather than "error" (exit 2). */
export const PIN_REFUSALS: readonly string[] = [
  ErrorCodes.PIN_TRIES_LOW,
  ErrorCodes.PIN_LOCKED,
  ErrorCodes.PIN_WRONG,
  ErrorCodes.PIN_TRIES_UNKNOWN,
  ErrorCodes.CARD_UNSUPPORTED,
];

/** Parses a read command's own options plus --reader NAME and --json (the only output format). */
export function parseReadArgs<const O extends OptionsConfig>(argv: readonly string[], options: O) {
  return parseCommandLine(argv, { ...strings('reader'), json: { type: 'boolean', default: true }, ...options });
}

/** One secret from stdin (trailing newline removed), format-checked before anything reaches the card. */
export async function secretFromStdin(
  io: CliIO,
  format: SecretFormat,
  what: string,
  o: { transform?: (s: string) => string; message?: string } = {},
): Promise<Buffer> {
  let text = (await io.readStdin()).replace(/\r?\n$/, '');
  if (o.transform) text = o.transform(text);
  const secret = Buffer.from(text, 'latin1');
  text = '';
  if (!secretMatchesFormat(secret, format)) {
    wipe(secret);
    throw new KioskError(ErrorCodes.PIN_FORMAT, o.message ?? `the ${what} on stdin has the wrong format (nothing was sent to the card)`);
  }
  return secret;
}

/** A prompt that hands over the one stdin secret exactly once (one VERIFY per entry, never a retry). */
export function onceFrom(secret: Buffer, what = 'secret') {
  let asked = false;
  return async () => {
    if (asked) throw new KioskError(ErrorCodes.INTERNAL, `${what} asked twice`);
    asked = true;
    return secret;
  };
}

/**
 * Reads the card in `reader` (default: the first holding one); a KioskError whose code is in `refusals`
 * becomes `refused(e)` — a refused result printed like any other — and every other error propagates (exit 2).
 */
export async function readOrRefuse<R>(
  reader: string | undefined,
  refusals: readonly string[],
  read: (session: CardSession) => Promise<R>,
  refused: (e: KioskError) => R,
): Promise<R> {
  try {
    return await withCard({ reader }, read);
  } catch (e) {
    if (!isKioskError(e) || !refusals.includes(e.code)) throw e;
    return refused(e);
  }
}

/** The tries counter a refusal reports: left after a wrong PIN, else as found before any VERIFY. */
export function refusalTries(e: KioskError): { left?: number; before?: number } {
  const t = e.detail.triesLeft;
  if (typeof t !== 'number') return {};
  return e.code === ErrorCodes.PIN_WRONG ? { left: t } : { before: t };
}

/** Prints the one result object and returns what the command believes: 0 verified, 1 otherwise. */
export function printReadResult(io: CliIO, printable: object, verdict: string): number {
  io.stdout(JSON.stringify(printable) + '\n');
  return verdict === 'verified' ? 0 : 1;
}
