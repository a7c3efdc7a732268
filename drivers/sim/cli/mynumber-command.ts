// `idkiosk sim mynumber`: a virtual マイナンバーカード (JPKI-AP) in the real pcscd through vpcd.
import { readFileSync, writeFileSync } from 'node:fs';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { flags, oneOf, parseCommandLine, strings } from '../../../core/cli-options.ts';
import {
  checkCodeB,
  DEFAULT_TEST_PIN,
  DEFAULT_TEST_SIGN_PASSWORD,
  JPKI_AUTH_PIN_MAX_TRIES,
  MyNumberCard,
  specFromProfile,
  SYNTHETIC_HOLDER,
  virtualCardTrustConfig,
  virtualCvIssuers,
  type CvForgery,
} from '../mynumber/index.ts';
import type { JpkiApSpec } from '../mynumber/jpki-ap.ts';
import { createMyNumberPki } from '../pki.ts';
import { VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from '../vpcd-client.ts';
import { runVirtualCard } from './run-card.ts';
import { fourDigits, simUsage as usage, triesOption, vpcdAddress } from './options.ts';
import type { SimSubcommand } from './subcommand.ts';

const FORGERIES: readonly CvForgery[] = ['unknown-ca', 'forged-cv', 'bad-signature', 'edited-data', 'edited-rehashed', 'clone'];

const help = `idkiosk sim mynumber — run a virtual My Number card in pcscd via vsmartcard-vpcd: JPKI-AP
(authentication and signing), 券面事項入力補助AP (4 basic info, PIN) and 券面AP (images, 照合番号B)

Usage: idkiosk sim mynumber [--vpcd HOST:PORT] [--profile FILE | --ca-out FILE] [--pin NNNN] [--tries N]
                            [--sign-ca-out FILE] [--text-pin NNNN] [--cv-ca-out FILE] [--forgery KIND]
                            [--bad-signature] [--t0] [--no-extended] [--trace]

Synthetic holder: born 1990-01-01 (平成2年), card expiry 2035, security code 4321 →
照合番号B ${checkCodeB(SYNTHETIC_HOLDER)}; signing password ${DEFAULT_TEST_SIGN_PASSWORD}. The 券面 data is signed under synthetic
CV CA keys in the JPKI test hierarchy's layout (6100033 / 6100023), generated per run: pass --cv-ca-out and
give the file to 'idkiosk read mynumber-info|mynumber-face --test-cards --cv-ca FILE' (or put its cvCaKeys
into the daemon's config mynumber.cvCaKeys with mynumber.testCards: true).

The card connects to vpcd (the pcscd reader driver) and stays until killed. Control:
  stdin lines   remove | insert | quit
  signals       SIGUSR1 = remove, SIGUSR2 = insert, SIGINT/SIGTERM = stop

Options:
  --vpcd HOST:PORT   vpcd address (default ${VPCD_DEFAULT_HOST}:${VPCD_DEFAULT_PORT}, slot 0)
  --profile FILE     card personalisation written by 'idkiosk sim pki' (certificates, key, PIN, tries)
  --ca-out FILE      without --profile a throwaway JPKI-TEST PKI is generated; write its CA PEM here
  --pin NNNN         synthetic auth PIN, 4 digits (default: the profile's, else ${DEFAULT_TEST_PIN}); test use only
  --tries N          auth PIN tries left, 0..${JPKI_AUTH_PIN_MAX_TRIES} (0 = locked)
  --sign-ca-out FILE without --profile: write the throwaway JPKI signing CA PEM here (signing password
                     ${DEFAULT_TEST_SIGN_PASSWORD}; with --profile, signing comes from 'idkiosk sim pki --with-signing')
  --text-pin NNNN    券面事項入力補助用暗証番号, 4 digits (default ${DEFAULT_TEST_PIN})
  --cv-ca-out FILE   write the run's CV CA public keys (JSON {testCards, cvCaKeys}) here
  --forgery KIND     forged 券面 data the kiosk must refuse: ${FORGERIES.join(', ')}
  --bad-signature    COMPUTE SIGNATURE returns a corrupted signature
  --t0               T=0 behaviour: answers come as 61xx + GET RESPONSE, wrong Le gets 6Cxx
  --no-extended      refuse extended-length APDUs (6700)
  --trace            print each APDU and status word (VERIFY data redacted)
  -h, --help         this text
`;

export const mynumberCommand: SimSubcommand = {
  name: 'mynumber',
  summary: 'virtual My Number card (JPKI-AP, 券面事項入力補助AP, 券面AP)',
  help,
  async run(argv, io) {
    const { values } = parseCommandLine(argv, {
      ...strings('vpcd', 'profile', 'ca-out', 'pin', 'tries', 'text-pin', 'cv-ca-out', 'sign-ca-out', 'forgery'),
      ...flags('bad-signature', 't0', 'no-extended', 'trace'),
    });
    const addr = vpcdAddress(values.vpcd);
    const pin = fourDigits(values.pin, '--pin');
    const tries = triesOption(values.tries, '--tries', JPKI_AUTH_PIN_MAX_TRIES);
    if (values.profile && (values['ca-out'] || values['sign-ca-out'])) throw usage('--ca-out/--sign-ca-out only apply without --profile');
    const textPin = fourDigits(values['text-pin'], '--text-pin') ?? DEFAULT_TEST_PIN;
    const forgery = oneOf(values.forgery, FORGERIES, usage, `--forgery must be one of ${FORGERIES.join(', ')}`);

    let spec: JpkiApSpec;
    let origin: string;
    if (values.profile) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(values.profile, 'utf8'));
      } catch (e) {
        throw new KioskError(ErrorCodes.CONFIG_INVALID, `cannot read profile ${values.profile}: ${(e as Error).message}`);
      }
      spec = specFromProfile(json);
      origin = `profile ${values.profile}`;
    } else {
      const pki = createMyNumberPki({ withSigning: true });
      spec = { auth: { cert: pki.authCert.der, caCert: pki.authCa.der, privateKey: pki.authCert.privateKey, pin: DEFAULT_TEST_PIN } };
      if (pki.signCert && pki.signCa) {
        spec.sign = { cert: pki.signCert.der, caCert: pki.signCa.der, privateKey: pki.signCert.privateKey, password: DEFAULT_TEST_SIGN_PASSWORD };
        if (values['sign-ca-out']) writeFileSync(values['sign-ca-out'], pki.signCa.pem);
      }
      if (values['ca-out']) writeFileSync(values['ca-out'], pki.authCa.pem);
      origin = values['ca-out'] ? `throwaway PKI, CA written to ${values['ca-out']}` : 'throwaway PKI (CA not saved)';
    }
    if (pin !== undefined) spec.auth.pin = pin;
    if (tries !== undefined) spec.auth.triesLeft = tries;
    const issuers = virtualCvIssuers();
    if (values['cv-ca-out']) writeFileSync(values['cv-ca-out'], JSON.stringify(virtualCardTrustConfig(issuers), null, 2) + '\n');
    const holder = { ...SYNTHETIC_HOLDER };
    const card = new MyNumberCard({
      ...spec,
      text: { holder, pin: textPin, forgery, issuers },
      visual: { holder, forgery, issuers },
      quirks: { getResponse: values.t0, wrongLe: values.t0, rejectExtended: values['no-extended'] },
      faults: { badSignature: values['bad-signature'] },
      logLimit: 1000,
    });
    const notes = [origin, `auth PIN tries left ${card.authPin.triesLeft}/${card.authPin.maxTries}`, `照合番号B ${checkCodeB(holder)}`];
    if (values['cv-ca-out']) notes.push(`CV CA keys written to ${values['cv-ca-out']}`);
    if (forgery) notes.push(`FORGERY ${forgery}`);
    if (values['bad-signature']) notes.push('FAULT bad-signature');
    if (values.t0) notes.push('T=0 quirks');
    if (values['no-extended']) notes.push('no extended APDUs');
    io.stderr(`sim: ${notes.join('; ')}\n`);
    return runVirtualCard(card, {
      ...addr,
      label: 'virtual My Number card (JPKI-AP, 券面事項入力補助AP, 券面AP)',
      io,
      trace: values.trace ? card.log : undefined,
    });
  },
};
