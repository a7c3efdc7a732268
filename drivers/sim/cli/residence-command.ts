// `idkiosk sim residence`: a virtual 在留カード / 特別永住者証明書 (1st or 2nd generation) in the real pcscd
// through vpcd, with a synthetic ISA CA and fault injection.
import { writeFileSync } from 'node:fs';
import { flags, parseCommandLine, strings } from '../../../core/cli-options.ts';
import { createVirtualResidenceCard, DEFAULT_TEST_CARD_NUMBER } from '../residence/index.ts';
import type { VirtualCard } from '../virtual-card.ts';
import { VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from '../vpcd-client.ts';
import { runVirtualCard } from './run-card.ts';
import { simUsage as usage, vpcdAddress } from './options.ts';
import type { SimSubcommand } from './subcommand.ts';

const help = `idkiosk sim residence — run a virtual 在留カード / 特別永住者証明書 in pcscd via vsmartcard-vpcd

Usage: idkiosk sim residence --generation 1|2 [--card-number AA12345678BB] [--card-type T] [--vpcd HOST:PORT]
                             [--ca-out FILE] [faults…] [--t0] [--no-extended] [--trace]

The card connects to vpcd and stays until killed. Control: stdin lines remove | insert | quit;
SIGUSR1 = remove, SIGUSR2 = insert, SIGINT/SIGTERM = stop.

Options:
  --generation 1|2     1st gen (3DES + retail MAC, RSA check code) or 2nd gen (AES + CMAC, ECDSA P-384)
  --card-number NUM    synthetic card number (default ${DEFAULT_TEST_CARD_NUMBER}, the official example's)
  --card-type T        1 or 2 (1st gen), 05 or 06 (2nd gen), 07 or 08 (My Number-integrated: kiosks must refuse)
  --vpcd HOST:PORT     vpcd address (default ${VPCD_DEFAULT_HOST}:${VPCD_DEFAULT_PORT})
  --ca-out FILE        write the synthetic ISA CA certificate (PEM) a kiosk under test should trust
Faults:
  --corrupt-mac        MUTUAL AUTHENTICATE answers with a corrupted MAC
  --corrupt-sm         SM READ BINARY answers with a corrupted ciphertext
  --bad-signature      the check code (issuer signature) has one bit flipped
  --tampered-data      card data changed after signing (signature mismatch)
  --der-signature      2nd gen: ECDSA signature in DER instead of raw r‖s (valid)
  --present-type T     adversarial: MF/EF02 answers card type T although the card was issued (and signed)
                       as --card-type (the type byte is not signed: 1→2, 05→06 must never verify as T)
  --full-length-images 2nd gen: D0/D1 NUL-padded to 2500/3000 bytes as in the ISA Appendix 2 example
  --unknown-ca         card certificate issued by an impostor CA with the trusted CA's name
  --expired-cert       card certificate expired yesterday
  --expired-card       2nd gen: card expiry date yesterday
  --expired-stay       2nd gen: period of stay ended yesterday
  --pull-during-sm     the card is pulled right after its first secure-messaging READ BINARY answer
  --t0                 T=0 behaviour (61xx + GET RESPONSE, 6Cxx)
  --no-extended        refuse extended-length APDUs (the host must read in chunks)
  --trace              print each APDU and status word (VERIFY data redacted)
  -h, --help           this text

All keys, certificates, numbers and images are synthetic test data.
`;

/** 2 letters, 8 digits, 2 letters: the form of the number printed on the card (docs/reference/residence.md). */
const CARD_NUMBER = /^[A-Z]{2}[0-9]{8}[A-Z]{2}$/;

/** The on/off options (faults and link behaviour). */
const FLAGS = [
  'full-length-images',
  'corrupt-mac',
  'corrupt-sm',
  'bad-signature',
  'tampered-data',
  'der-signature',
  'unknown-ca',
  'expired-cert',
  'expired-card',
  'expired-stay',
  'pull-during-sm',
  't0',
  'no-extended',
  'trace',
] as const;

export const residenceCommand: SimSubcommand = {
  name: 'residence',
  summary: 'virtual 在留カード / 特別永住者証明書 (1st or 2nd generation)',
  help,
  async run(argv, io) {
    const { values: v } = parseCommandLine(argv, {
      ...strings('generation', 'card-number', 'card-type', 'vpcd', 'ca-out', 'present-type'),
      ...flags(...FLAGS),
    });
    const generation = v.generation === '1' ? 1 : v.generation === '2' ? 2 : null;
    if (!generation) throw usage('--generation 1 or 2 is required');
    const cardNumber = v['card-number'] ?? DEFAULT_TEST_CARD_NUMBER;
    if (!CARD_NUMBER.test(cardNumber)) throw usage('--card-number must look like AA12345678BB');
    const cardType = v['card-type'];
    const allowed = generation === 1 ? ['1', '2'] : ['05', '06', '07', '08'];
    if (cardType !== undefined && !allowed.includes(cardType)) throw usage(`--card-type for generation ${generation}: ${allowed.join(', ')}`);
    const presentType = v['present-type'];
    if (presentType !== undefined && !/^[0-9]{1,2}$/.test(presentType)) throw usage('--present-type must be a card type code such as 2 or 06');
    const addr = vpcdAddress(v.vpcd);

    const { card, pki } = createVirtualResidenceCard({
      generation,
      cardNumber,
      cardType: cardType as '1' | undefined,
      presentedCardType: presentType,
      fullLengthImages: !!v['full-length-images'],
      unknownCa: !!v['unknown-ca'],
      expiredCert: !!v['expired-cert'],
      expiredCard: !!v['expired-card'],
      expiredStay: !!v['expired-stay'],
      quirks: { getResponse: !!v.t0, wrongLe: !!v.t0, rejectExtended: !!v['no-extended'] },
      faults: {
        corruptMac: !!v['corrupt-mac'],
        corruptSmData: !!v['corrupt-sm'],
        badSignature: !!v['bad-signature'],
        tamperedData: !!v['tampered-data'],
        derSignature: !!v['der-signature'],
      },
      logLimit: 1000,
    });
    if (v['ca-out']) writeFileSync(v['ca-out'], pki.trustedCa.pem);

    let inserted: VirtualCard = card;
    if (v['pull-during-sm']) {
      // run-card.ts removes the card on SIGUSR1; raising that event right after the first SM answer has
      // gone out makes the host lose the card between secure-messaging reads.
      let armed = true;
      inserted = {
        atr: card.atr,
        reset: () => card.reset(),
        process(apdu) {
          const res = card.process(apdu);
          if (armed && apdu[0] === 0x08 && apdu[1] === 0xb0) {
            armed = false;
            setImmediate(() => process.emit('SIGUSR1' as 'SIGINT'));
          }
          return res;
        },
      };
    }
    const notes = [`generation ${generation}`, `card type ${cardType ?? (generation === 1 ? '1' : '05')}`];
    if (presentType !== undefined) notes.push(`presents card type ${presentType} (unsigned byte edited)`);
    for (const f of FLAGS) if (v[f] && f !== 'trace') notes.push(f);
    notes.push(v['ca-out'] ? `CA written to ${v['ca-out']}` : 'throwaway CA (not saved; use --ca-out)');
    io.stderr(`sim: ${notes.join('; ')}\n`);
    return runVirtualCard(inserted, { ...addr, label: `virtual residence card (generation ${generation})`, io, trace: v.trace ? card.log : undefined });
  },
};
