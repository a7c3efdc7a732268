// `idkiosk read jpki-auth`: JPKI user authentication on the card in a PC/SC reader.
import { X509Certificate } from 'node:crypto';
import { flags, lists, strings } from '../../../core/cli-options.ts';
import { readJpkiAuth } from '../../documents/mynumber/jpki-auth.ts';
import { assessJpkiAuth, summarize, type JpkiAuthResult } from '../../documents/mynumber/jpki-auth-verdict.ts';
import { JPKI_AUTH_PIN_FORMAT } from '../../documents/secrets.ts';
import { revocationFromConfig } from '../../trust/revocation-source.ts';
import { TrustStore } from '../../trust/trust-store.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';
import { onceFrom, parseReadArgs, PIN_REFUSALS, runCardRead, secretFromStdin } from './read-runner.ts';

const usage = `idkiosk read jpki-auth --trust CA.pem [--reader NAME] [--crl-db PATH] --pin-stdin [--json]
  マイナンバーカード JPKI user authentication (利用者証明用電子証明書 + 4-digit PIN + challenge signature)
  --trust FILE     JPKI authentication CA certificate(s) (PEM or DER); repeatable
  --reader NAME    PC/SC reader name (default: the first reader holding a card)
  --crl-db PATH    revocation store (see idkiosk crl); without it revocation is "unknown" and the verdict is refused
  --pin-stdin      read the 4-digit PIN from standard input (required; never pass it as an argument)
  --json           print JSON (the only output format; accepted for clarity)
`;

/** The summary of the card's certificate for a refused result; null when none was read or it does not parse. */
export function certificateSummary(der: Buffer | null): ReturnType<typeof summarize> | null {
  try {
    return der ? summarize(new X509Certificate(der)) : null;
  } catch {
    return null; // the refusal stands on its own
  }
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const cl = parseReadArgs(argv, { ...lists('trust'), ...strings('crl-db'), ...flags('pin-stdin') });
  const { values } = cl;
  cl.require('pin-stdin', '--pin-stdin is required (the PIN is never taken from the command line)');
  const trust = TrustStore.fromFiles(cl.require('trust', '--trust CA.pem is required'));
  const revocation = revocationFromConfig(values['crl-db'] ?? null);
  const pin = await secretFromStdin(io, JPKI_AUTH_PIN_FORMAT, 'PIN', {
    message: 'the PIN on stdin must be exactly 4 digits (nothing was sent to the card)',
  });

  let certificateDer: Buffer | null = null;
  return runCardRead(io, {
    reader: values.reader,
    refusals: PIN_REFUSALS,
    secrets: [pin],
    async read(session) {
      const evidence = await readJpkiAuth(session, { pinAttempts: 1, onCertificate: (der) => (certificateDer = der), prompt: onceFrom(pin, 'PIN') });
      return assessJpkiAuth(evidence, { trust, revocation, at: new Date() });
    },
    refused: () => ({
      document: 'mynumber-jpki-auth',
      certificate: certificateSummary(certificateDer),
      pinTriesBefore: null,
      challengeSignature: 'not-checked',
      chain: 'not-checked',
      revocation: 'unknown',
    }),
    printable: ({ revocationDetail: _omit, ...printable }: JpkiAuthResult) => printable,
  });
}

export const jpkiAuthRead: ReadSubcommand = { name: 'jpki-auth', summary: 'マイナンバーカード JPKI user authentication', usage, run };
