// `idkiosk sim mynumber`: a virtual マイナンバーカード (JPKI-AP) in the real pcscd through vpcd.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ErrorCodes, KioskError } from '../../../daemon/errors.ts';
import { JPKI_AUTH_PIN_MAX_TRIES, MyNumberCard, specFromProfile, DEFAULT_TEST_PIN } from '../mynumber/index.ts';
import type { JpkiApSpec } from '../mynumber/jpki-ap.ts';
import { createMyNumberPki } from '../pki.ts';
import { VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from '../vpcd-client.ts';
import { parseHostPort, runVirtualCard } from './run-card.ts';
import type { SimSubcommand } from './subcommand.ts';

const help = `idkiosk sim mynumber — run a virtual My Number card (JPKI-AP) in pcscd via vsmartcard-vpcd

Usage: idkiosk sim mynumber [--vpcd HOST:PORT] [--profile FILE | --ca-out FILE] [--pin NNNN] [--tries N]
                            [--bad-signature] [--t0] [--no-extended] [--trace]

The card connects to vpcd (the pcscd reader driver) and stays until killed. Control:
  stdin lines   remove | insert | quit
  signals       SIGUSR1 = remove, SIGUSR2 = insert, SIGINT/SIGTERM = stop

Options:
  --vpcd HOST:PORT   vpcd address (default ${VPCD_DEFAULT_HOST}:${VPCD_DEFAULT_PORT}, slot 0)
  --profile FILE     card personalisation written by 'idkiosk sim pki' (certificates, key, PIN, tries)
  --ca-out FILE      without --profile a throwaway JPKI-TEST PKI is generated; write its CA PEM here
  --pin NNNN         synthetic auth PIN, 4 digits (default: the profile's, else ${DEFAULT_TEST_PIN}); test use only
  --tries N          auth PIN tries left, 0..${JPKI_AUTH_PIN_MAX_TRIES} (0 = locked)
  --bad-signature    COMPUTE SIGNATURE returns a corrupted signature
  --t0               T=0 behaviour: answers come as 61xx + GET RESPONSE, wrong Le gets 6Cxx
  --no-extended      refuse extended-length APDUs (6700)
  --trace            print each APDU and status word (VERIFY data redacted)
  -h, --help         this text
`;

const usage = (msg: string) => new KioskError(ErrorCodes.USAGE, msg);

export const mynumberCommand: SimSubcommand = {
  name: 'mynumber',
  summary: 'virtual My Number card (JPKI-AP)',
  help,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        vpcd: { type: 'string' },
        profile: { type: 'string' },
        'ca-out': { type: 'string' },
        pin: { type: 'string' },
        tries: { type: 'string' },
        'bad-signature': { type: 'boolean' },
        t0: { type: 'boolean' },
        'no-extended': { type: 'boolean' },
        trace: { type: 'boolean' },
      },
    });
    const addr = parseHostPort(values.vpcd, { host: VPCD_DEFAULT_HOST, port: VPCD_DEFAULT_PORT });
    if (!addr) throw usage('--vpcd must be HOST:PORT');
    if (values.pin !== undefined && !/^[0-9]{4}$/.test(values.pin)) throw usage('--pin must be 4 digits');
    let tries: number | undefined;
    if (values.tries !== undefined) {
      tries = Number(values.tries);
      if (!/^[0-9]+$/.test(values.tries) || tries > JPKI_AUTH_PIN_MAX_TRIES) throw usage(`--tries must be 0..${JPKI_AUTH_PIN_MAX_TRIES}`);
    }
    if (values.profile && values['ca-out']) throw usage('--ca-out only applies without --profile');

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
      const pki = createMyNumberPki();
      spec = { auth: { cert: pki.authCert.der, caCert: pki.authCa.der, privateKey: pki.authCert.privateKey, pin: DEFAULT_TEST_PIN } };
      if (values['ca-out']) writeFileSync(values['ca-out'], pki.authCa.pem);
      origin = values['ca-out'] ? `throwaway PKI, CA written to ${values['ca-out']}` : 'throwaway PKI (CA not saved)';
    }
    if (values.pin !== undefined) spec.auth.pin = values.pin;
    if (tries !== undefined) spec.auth.triesLeft = tries;
    const card = new MyNumberCard({
      ...spec,
      quirks: { getResponse: values.t0, wrongLe: values.t0, rejectExtended: values['no-extended'] },
      faults: { badSignature: values['bad-signature'] },
      logLimit: 1000,
    });
    const notes = [origin, `auth PIN tries left ${card.authPin.triesLeft}/${card.authPin.maxTries}`];
    if (values['bad-signature']) notes.push('FAULT bad-signature');
    if (values.t0) notes.push('T=0 quirks');
    if (values['no-extended']) notes.push('no extended APDUs');
    io.stderr(`sim: ${notes.join('; ')}\n`);
    return runVirtualCard(card, {
      ...addr,
      label: 'virtual My Number card (JPKI-AP)',
      io,
      trace: values.trace ? card.log : undefined,
    });
  },
};
