// What every `idkiosk read <document>` command shares: the common options (--reader, --json), reading
// secrets from stdin (one, or one per line) format-checked before the card, the card read whose refusals
// become a refused result (one shape for every document: verdict, reasons, triesLeft) instead of an error,
// wiping the secrets, and printing the result with its exit code (0 verified, 1 not; verdict-exit.ts then
// applies the one verdict rule to the printed JSON).
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

/** `text` as a secret buffer when it has `format`; otherwise wiped and a PIN_FORMAT error with `message`. */
function formatChecked(text: string, format: SecretFormat, message: string): Buffer {
  const secret = Buffer.from(text, 'latin1');
  if (!secretMatchesFormat(secret, format)) {
    wipe(secret);
    throw new KioskError(ErrorCodes.PIN_FORMAT, message);
  }
  return secret;
}

const wrongFormat = (what: string) => `the ${what} on stdin has the wrong format (nothing was sent to the card)`;

/** One secret from stdin (trailing newline removed), format-checked before anything reaches the card. */
export async function secretFromStdin(
  io: CliIO,
  format: SecretFormat,
  what: string,
  o: { transform?: (s: string) => string; message?: string } = {},
): Promise<Buffer> {
  const text = (await io.readStdin()).replace(/\r?\n$/, '');
  return formatChecked(o.transform ? o.transform(text) : text, format, o.message ?? wrongFormat(what));
}

/**
 * Secrets on separate stdin lines (line 0 first), for a card that asks for more than one: stdin is read
 * only when the first is asked for (a card that needs none leaves it unread), each line at most once, each
 * format-checked before it reaches the card.
 */
export function stdinLines(io: CliIO) {
  let lines: Promise<string[]> | null = null;
  const given = new Set<number>();
  return async (line: number, format: SecretFormat, what: string, message = wrongFormat(what)): Promise<Buffer> => {
    if (given.has(line)) throw new KioskError(ErrorCodes.INTERNAL, `${what} asked twice`);
    given.add(line);
    lines ??= io.readStdin().then((t) => t.split(/\r?\n/));
    return formatChecked((await lines)[line] ?? '', format, message);
  };
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

/** One card read of a `read` command: what it reads, what counts as refused, what it prints. */
export interface CardRead<R extends object> {
  /** --reader NAME; undefined: the first reader holding a card. */
  reader: string | undefined;
  /** Error codes that mean "refused" (exit 1, a printed result) rather than "error" (exit 2). */
  refusals: readonly string[];
  /** Secrets to wipe once the card is done with, whatever happened. */
  secrets?: readonly Buffer[];
  /** Reads and assesses the card. */
  read(session: CardSession): Promise<R>;
  /** The document's fields of a refused result; the runner adds `verdict`, `reasons` and `triesLeft`. */
  refused(e: KioskError): object;
  /** The printed object (after what the command writes besides it: a photo, images); default the result. */
  printable?(result: R): object | Promise<object>;
}

/**
 * A refused result: the document's fields, verdict "refused", the one reason, and `triesLeft` whenever the
 * card reported its counter — the same field and rule as the kiosk's result (daemon/kiosk/runtime.ts):
 * what is left after a wrong secret, or before any VERIFY when the kiosk would not risk one.
 */
export function refusalJson(fields: object, e: KioskError): object {
  const t = e.detail.triesLeft;
  return { ...fields, verdict: 'refused', reasons: [{ code: e.code, message: e.message }], ...(typeof t === 'number' ? { triesLeft: t } : {}) };
}

/**
 * Reads the card, prints one JSON object and returns what the command believes: 0 verified, 1 otherwise.
 * A KioskError whose code is in `refusals` becomes a refused result printed like any other; every other
 * error propagates (exit 2). The secrets are wiped in every case.
 */
export async function runCardRead<R extends object>(io: CliIO, c: CardRead<R>): Promise<number> {
  let result: R;
  try {
    result = await withCard({ reader: c.reader }, (session) => c.read(session));
  } catch (e) {
    if (!isKioskError(e) || !c.refusals.includes(e.code)) throw e;
    return printResult(io, refusalJson(c.refused(e), e));
  } finally {
    for (const s of c.secrets ?? []) wipe(s);
  }
  return printResult(io, c.printable ? await c.printable(result) : result);
}

function printResult(io: CliIO, printed: object): number {
  io.stdout(JSON.stringify(printed) + '\n');
  return (printed as { verdict?: unknown }).verdict === 'verified' ? 0 : 1;
}
