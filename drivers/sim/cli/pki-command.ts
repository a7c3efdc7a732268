// `idkiosk sim pki`: write a synthetic JPKI-TEST CA and a My Number card profile to a directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flags, parseCommandLine, strings } from '../../../core/cli-options.ts';
import { DEFAULT_TEST_PIN, DEFAULT_TEST_SIGN_PASSWORD, profileFromPki } from '../mynumber/index.ts';
import { createMyNumberPki } from '../pki.ts';
import { fourDigits, triesOption } from './options.ts';
import type { SimSubcommand } from './subcommand.ts';

export const CA_FILE = 'jpki-auth-ca.pem';
export const PROFILE_FILE = 'mynumber-profile.json';

const help = `idkiosk sim pki — write a synthetic JPKI-TEST PKI and a virtual My Number card profile

Usage: idkiosk sim pki --out DIR [--expired] [--unknown-ca] [--with-signing] [--pin NNNN] [--tries N]

Writes:
  DIR/${CA_FILE}         the CA a kiosk under test should trust (synthetic; never a J-LIS key)
  DIR/${PROFILE_FILE}    the card: auth certificate, private key, issuing CA, PIN (test-only), tries;
                               load it with 'idkiosk sim mynumber --profile DIR/${PROFILE_FILE}'

Options:
  --out DIR        output directory (created if missing)
  --expired        the card's auth certificate expired yesterday
  --unknown-ca     the card's certificate is issued by an impostor CA with the same name as ${CA_FILE}
  --with-signing   also make the signing CA + signing certificate (EF 0001/0002/001A/001B), password ${DEFAULT_TEST_SIGN_PASSWORD}
  --pin NNNN       synthetic auth PIN (default ${DEFAULT_TEST_PIN})
  --tries N        auth PIN tries left (default 3)
  -h, --help       this text
`;

export const pkiCommand: SimSubcommand = {
  name: 'pki',
  summary: 'write a synthetic JPKI-TEST CA and a card profile',
  help,
  async run(argv, io) {
    const cl = parseCommandLine(argv, { ...strings('out', 'pin', 'tries'), ...flags('expired', 'unknown-ca', 'with-signing') });
    const { values } = cl;
    const outDir = cl.require('out', '--out DIR is required');
    const pin = fourDigits(values.pin, '--pin') ?? DEFAULT_TEST_PIN;
    const tries = triesOption(values.tries, '--tries', 3);
    const pki = createMyNumberPki({ expired: values.expired, unknownCa: values['unknown-ca'], withSigning: values['with-signing'] });
    const profile = profileFromPki(pki, {
      pin,
      triesLeft: tries,
      signPassword: values['with-signing'] ? DEFAULT_TEST_SIGN_PASSWORD : undefined,
    });
    mkdirSync(outDir, { recursive: true });
    const caPath = join(outDir, CA_FILE);
    const profilePath = join(outDir, PROFILE_FILE);
    writeFileSync(caPath, pki.trustedAuthCa.pem);
    // The profile holds a private key and a PIN (both synthetic): owner-only.
    writeFileSync(profilePath, JSON.stringify(profile, null, 2) + '\n', { mode: 0o600 });
    const notes = [
      values.expired && 'expired auth cert',
      values['unknown-ca'] && 'issued by an unknown CA',
      values['with-signing'] && 'with signing cert',
    ].filter(Boolean);
    io.stderr(`sim pki: wrote ${caPath} and ${profilePath}${notes.length ? ` (${notes.join(', ')})` : ''}\n`);
    io.stdout(`${caPath}\n${profilePath}\n`);
    return 0;
  },
};
