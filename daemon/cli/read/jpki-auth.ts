// `idkiosk read jpki-auth`: JPKI user authentication on the card in a PC/SC reader.
import { X509Certificate } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readJpkiAuth } from '../../documents/mynumber/jpki-auth.ts';
import { assessJpkiAuth, summarize, type JpkiAuthResult } from '../../documents/mynumber/jpki-auth-verdict.ts';
import { JPKI_AUTH_PIN_FORMAT, secretMatchesFormat, wipe } from '../../documents/secrets.ts';
import { ErrorCodes, KioskError, isKioskError } from '../../../core/errors.ts';
import { revocationFromConfig } from '../../trust/revocation-source.ts';
import { TrustStore } from '../../trust/trust-store.ts';
import { withCard } from '../card-access.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

const usage = `idkiosk read jpki-auth --trust CA.pem [--reader NAME] [--crl-db PATH] --pin-stdin [--json]
  マイナンバーカード JPKI user authentication (利用者証明用電子証明書 + 4-digit PIN + challenge signature)
  --trust FILE     JPKI authentication CA certificate(s) (PEM or DER); repeatable
  --reader NAME    PC/SC reader name (default: the first reader holding a card)
  --crl-db PATH    revocation store (see idkiosk crl); without it revocation is "unknown" and the verdict is refused
  --pin-stdin      read the 4-digit PIN from standard input (required; never pass it as an argument)
  --json           print JSON (the only output format; accepted for clarity)
`;

/** Codes that mean "refused" (exit 1) rather than "error" (exit 2). */
const REFUSALS = new Set<string>([
  ErrorCodes.PIN_TRIES_LOW,
  ErrorCodes.PIN_LOCKED,
  ErrorCodes.PIN_WRONG,
  ErrorCodes.PIN_TRIES_UNKNOWN,
  ErrorCodes.CARD_UNSUPPORTED,
]);

async function readPin(io: CliIO): Promise<Buffer> {
  const text = await io.readStdin();
  const pin = Buffer.from(text.replace(/\r?\n$/, ''), 'latin1');
  if (!secretMatchesFormat(pin, JPKI_AUTH_PIN_FORMAT)) {
    wipe(pin);
    throw new KioskError(ErrorCodes.PIN_FORMAT, 'the PIN on stdin must be exactly 4 digits (nothing was sent to the card)');
  }
  return pin;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      trust: { type: 'string', multiple: true },
      reader: { type: 'string' },
      'crl-db': { type: 'string' },
      'pin-stdin': { type: 'boolean', default: false },
      json: { type: 'boolean', default: true },
    },
    strict: true,
  });
  if (!values['pin-stdin']) throw new KioskError(ErrorCodes.USAGE, '--pin-stdin is required (the PIN is never taken from the command line)');
  if (!values.trust?.length) throw new KioskError(ErrorCodes.USAGE, '--trust CA.pem is required');
  const trust = TrustStore.fromFiles(values.trust);
  const revocation = revocationFromConfig(values['crl-db'] ?? null);
  const pin = await readPin(io);

  let certificateDer: Buffer | null = null;
  let result: JpkiAuthResult;
  try {
    result = await withCard({ reader: values.reader }, async (session) => {
      let asked = false;
      const evidence = await readJpkiAuth(session, {
        pinAttempts: 1,
        onCertificate: (der) => (certificateDer = der),
        prompt: async () => {
          if (asked) throw new KioskError(ErrorCodes.INTERNAL, 'PIN asked twice');
          asked = true;
          return pin;
        },
      });
      return assessJpkiAuth(evidence, { trust, revocation, at: new Date() });
    });
  } catch (e) {
    if (!isKioskError(e) || !REFUSALS.has(e.code)) throw e;
    let certificate = null;
    try {
      certificate = certificateDer ? summarize(new X509Certificate(certificateDer)) : null;
    } catch {
      /* the refusal stands on its own */
    }
    result = {
      document: 'mynumber-jpki-auth',
      certificate,
      pinTriesBefore: typeof e.detail.triesLeft === 'number' && e.code !== ErrorCodes.PIN_WRONG ? e.detail.triesLeft : null,
      challengeSignature: 'not-checked',
      chain: 'not-checked',
      revocation: 'unknown',
      verdict: 'refused',
      reasons: [{ code: e.code, message: e.message }],
    };
    if (e.code === ErrorCodes.PIN_WRONG && typeof e.detail.triesLeft === 'number') result.pinTriesLeft = e.detail.triesLeft;
  } finally {
    wipe(pin);
  }
  const { revocationDetail: _omit, ...printable } = result;
  io.stdout(JSON.stringify(printable) + '\n');
  return result.verdict === 'verified' ? 0 : 1;
}

export const jpkiAuthRead: ReadSubcommand = { name: 'jpki-auth', summary: 'マイナンバーカード JPKI user authentication', usage, run };
