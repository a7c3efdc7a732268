// `idkiosk read jpki-sign`: JPKI signing certificate + a card signature over the host's transaction data.
import { readFileSync } from 'node:fs';
import { flags, lists, strings } from '../../../core/cli-options.ts';
import { JPKI_SIGN_PASSWORD_FORMAT, readJpkiSign } from '../../documents/mynumber/jpki-sign.ts';
import { assessJpkiSign, emptySignResult, type JpkiSignResult } from '../../documents/mynumber/jpki-sign-verdict.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { revocationFromConfig } from '../../trust/revocation-source.ts';
import { TrustStore } from '../../trust/trust-store.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import { certificateSummary } from './jpki-auth.ts';
import { MYNUMBER_REFUSALS } from './mynumber-info.ts';
import { onceFrom, parseReadArgs, runCardRead, secretFromStdin } from './read-runner.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

const MAX_DATA = 16 * 1024 * 1024;

const usage = `idkiosk read jpki-sign --data FILE --trust CA.pem [--reader NAME] [--crl-db PATH] --password-stdin [--json]
  マイナンバーカード JPKI 署名用電子証明書: the card signs SHA-256(FILE); signature, chain and revocation are checked;
  the holder's name, address, date of birth and sex come from the certificate
  --data FILE        transaction data to sign (the card signs its SHA-256 DigestInfo)
  --trust FILE       JPKI signing CA certificate(s) (PEM or DER); repeatable
  --reader NAME      PC/SC reader name (default: the first reader holding a card)
  --crl-db PATH      revocation store; without it revocation is "unknown" and the verdict is refused
  --password-stdin   read the signing password (6-16 of A-Z 0-9; lower case is upper-cased) from stdin (required)
  --json             print JSON (the only output format; accepted for clarity)
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const cl = parseReadArgs(argv, { ...strings('data', 'crl-db'), ...lists('trust'), ...flags('password-stdin') });
  const { values } = cl;
  cl.require('password-stdin', '--password-stdin is required (the password is never taken from the command line)');
  const trustFiles = cl.require('trust', '--trust CA.pem is required');
  const dataFile = cl.require('data', '--data FILE is required (the transaction data to sign)');
  let data: Buffer;
  try {
    data = readFileSync(dataFile);
  } catch (e) {
    throw new KioskError(ErrorCodes.USAGE, `cannot read --data ${dataFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (data.length === 0 || data.length > MAX_DATA) throw new KioskError(ErrorCodes.USAGE, `--data must be 1 byte to ${MAX_DATA} bytes`);
  const trust = TrustStore.fromFiles(trustFiles);
  const revocation = revocationFromConfig(values['crl-db'] ?? null);
  const password = await secretFromStdin(io, JPKI_SIGN_PASSWORD_FORMAT, 'signing password (6-16 of A-Z 0-9)', {
    transform: (s) => s.replace(/[a-z]/g, (c) => c.toUpperCase()),
  });

  let certificateDer: Buffer | null = null;
  return runCardRead(io, {
    reader: values.reader,
    refusals: MYNUMBER_REFUSALS,
    secrets: [password],
    async read(session) {
      const ev = await readJpkiSign(session, { prompt: onceFrom(password), passwordAttempts: 1, data, onCertificate: (der) => (certificateDer = der) });
      return assessJpkiSign(ev, { trust, revocation, at: new Date() });
    },
    refused: () => ({ ...emptySignResult(), certificate: certificateSummary(certificateDer) }),
    printable: ({ revocationDetail: _omit, ...printable }: JpkiSignResult) => printable,
  });
}

export const jpkiSignRead: ReadSubcommand = { name: 'jpki-sign', summary: 'マイナンバーカード JPKI signing certificate + signature over data', usage, run };
