// `idkiosk read jpki-sign`: JPKI signing certificate + a card signature over the host's transaction data.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { parseArgs } from 'node:util';
import { summarize } from '../../documents/mynumber/jpki-auth-verdict.ts';
import { JPKI_SIGN_PASSWORD_FORMAT, readJpkiSign } from '../../documents/mynumber/jpki-sign.ts';
import { assessJpkiSign, emptySignResult, type JpkiSignResult } from '../../documents/mynumber/jpki-sign-verdict.ts';
import { wipe } from '../../documents/secrets.ts';
import { ErrorCodes, KioskError, isKioskError } from '../../../core/errors.ts';
import { revocationFromConfig } from '../../trust/revocation-source.ts';
import { TrustStore } from '../../trust/trust-store.ts';
import { withCard } from '../card-access.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import { MYNUMBER_REFUSALS, onceFrom, secretFromStdin } from './mynumber-info.ts';
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
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      trust: { type: 'string', multiple: true },
      reader: { type: 'string' },
      'crl-db': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      json: { type: 'boolean', default: true },
    },
    strict: true,
  });
  if (!values['password-stdin']) throw new KioskError(ErrorCodes.USAGE, '--password-stdin is required (the password is never taken from the command line)');
  if (!values.trust?.length) throw new KioskError(ErrorCodes.USAGE, '--trust CA.pem is required');
  if (!values.data) throw new KioskError(ErrorCodes.USAGE, '--data FILE is required (the transaction data to sign)');
  let data: Buffer;
  try {
    data = readFileSync(values.data);
  } catch (e) {
    throw new KioskError(ErrorCodes.USAGE, `cannot read --data ${values.data}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (data.length === 0 || data.length > MAX_DATA) throw new KioskError(ErrorCodes.USAGE, `--data must be 1 byte to ${MAX_DATA} bytes`);
  const trust = TrustStore.fromFiles(values.trust);
  const revocation = revocationFromConfig(values['crl-db'] ?? null);
  const password = await secretFromStdin(io, JPKI_SIGN_PASSWORD_FORMAT, 'signing password (6-16 of A-Z 0-9)', (s) =>
    s.replace(/[a-z]/g, (c) => c.toUpperCase()),
  );

  let certificateDer: Buffer | null = null;
  let result: JpkiSignResult;
  try {
    result = await withCard({ reader: values.reader }, async (session) => {
      const ev = await readJpkiSign(session, { prompt: onceFrom(password), passwordAttempts: 1, data, onCertificate: (der) => (certificateDer = der) });
      return assessJpkiSign(ev, { trust, revocation, at: new Date() });
    });
  } catch (e) {
    if (!isKioskError(e) || !MYNUMBER_REFUSALS.has(e.code)) throw e;
    result = emptySignResult();
    try {
      result.certificate = certificateDer ? summarize(new X509Certificate(certificateDer)) : null;
    } catch {
      /* the refusal stands on its own */
    }
    result.reasons.push({ code: e.code, message: e.message });
    if (typeof e.detail.triesLeft === 'number') {
      if (e.code === ErrorCodes.PIN_WRONG) result.passwordTriesLeft = e.detail.triesLeft;
      else result.passwordTriesBefore = e.detail.triesLeft;
    }
  } finally {
    wipe(password);
  }
  const { revocationDetail: _omit, ...printable } = result;
  io.stdout(JSON.stringify(printable) + '\n');
  return result.verdict === 'verified' ? 0 : 1;
}

export const jpkiSignRead: ReadSubcommand = { name: 'jpki-sign', summary: 'マイナンバーカード JPKI signing certificate + signature over data', usage, run };
