// `idkiosk sim license`: a virtual IC 運転免許証 in the real pcscd through vpcd.
import { writeFileSync } from 'node:fs';
import { flags, parseCommandLine, strings } from '../../../core/cli-options.ts';
import { DEFAULT_TEST_PIN1, DEFAULT_TEST_PIN2, LICENSE_SIM_PIN_MAX_TRIES as LICENSE_PIN_MAX_TRIES, createVirtualLicense } from '../license/index.ts';
import { VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from '../vpcd-client.ts';
import { runVirtualCard } from './run-card.ts';
import { fourDigits, simUsage as usage, triesOption, vpcdAddress } from './options.ts';
import type { SimSubcommand } from './subcommand.ts';

const help = `idkiosk sim license — run a virtual IC 運転免許証 (driver's licence) in pcscd via vsmartcard-vpcd

Usage: idkiosk sim license [--pin1 NNNN --pin2 NNNN | --default-pin] [--vpcd HOST:PORT] [--expired]
                           [--no-address-change] [--name-change] [--malformed-change]
                           [--tries1 N] [--tries2 N] [--key-out FILE]
                           [--bad-signature | --foreign-key | --garbage-ef07] [--t0] [--trace]

The synthetic holder 「髙山 見本子」 has an external glyph (外字 髙) in the name, an address change recorded
in DF1/EF04 (新住所, one TLV per change in the public layout), 本籍 and a synthetic photo (JPEG 2000).
EF07 signs DF1/EF01 ‖ DF1/EF02 ‖ DF2/EF01 with a synthetic key (never the police key). Control:
  stdin lines   remove | insert | quit
  signals       SIGUSR1 = remove, SIGUSR2 = insert, SIGINT/SIGTERM = stop

Options:
  --vpcd HOST:PORT      vpcd address (default ${VPCD_DEFAULT_HOST}:${VPCD_DEFAULT_PORT}, slot 0)
  --pin1 NNNN           holder-set PIN1, 4 digits (default ${DEFAULT_TEST_PIN1}); test use only
  --pin2 NNNN           holder-set PIN2, 4 digits (default ${DEFAULT_TEST_PIN2}); test use only
  --default-pin         the holder set no PIN: MF/EF02 = 00, PIN1 = PIN2 = "****"
  --expired             the licence's last valid day was yesterday (JST)
  --no-address-change   EF04 carries no 新住所 record
  --name-change         EF04 also carries a 新氏名 record (髙山 変更子)
  --malformed-change    EF04 also carries a record too short for the public layout
  --tries1 N, --tries2 N   tries left, 0..${LICENSE_PIN_MAX_TRIES} (0 = locked)
  --key-out FILE        write the synthetic EF07 signing key's certificate (PEM) here, for trust purpose "license"
  --bad-signature       forged: EF07's signature has one bit flipped
  --foreign-key         forged: EF07 is signed by another key than the one --key-out writes
  --garbage-ef07        forged: EF07 is random bytes (not a TLV sequence)
  --t0                  T=0 behaviour: answers come as 61xx + GET RESPONSE, wrong Le gets 6Cxx
  --trace               print each APDU and status word (VERIFY data redacted)
  -h, --help            this text
`;

export const licenseCommand: SimSubcommand = {
  name: 'license',
  summary: 'virtual IC 運転免許証 (PIN1/PIN2, 外字, EF04 changes, photo, forged-EF07 options)',
  help,
  async run(argv, io) {
    const { values } = parseCommandLine(argv, {
      ...strings('vpcd', 'pin1', 'pin2', 'tries1', 'tries2', 'key-out'),
      ...flags('default-pin', 'expired', 'no-address-change', 'bad-signature', 'foreign-key', 'garbage-ef07', 'name-change', 'malformed-change', 't0', 'trace'),
    });
    const addr = vpcdAddress(values.vpcd);
    if (values['default-pin'] && (values.pin1 !== undefined || values.pin2 !== undefined)) throw usage('--default-pin excludes --pin1/--pin2');
    if ([values['bad-signature'], values['foreign-key'], values['garbage-ef07']].filter(Boolean).length > 1) {
      throw usage('--bad-signature, --foreign-key and --garbage-ef07 exclude each other');
    }
    const pin1 = fourDigits(values.pin1, '--pin1') ?? DEFAULT_TEST_PIN1;
    const pin2 = fourDigits(values.pin2, '--pin2') ?? DEFAULT_TEST_PIN2;
    const card = createVirtualLicense({
      pins: values['default-pin'] ? 'default' : { pin1, pin2 },
      pin1TriesLeft: triesOption(values.tries1, '--tries1', LICENSE_PIN_MAX_TRIES),
      pin2TriesLeft: triesOption(values.tries2, '--tries2', LICENSE_PIN_MAX_TRIES),
      expired: values.expired,
      addressChange: !values['no-address-change'],
      nameChange: values['name-change'],
      malformedChange: values['malformed-change'],
      corruptSignature: values['bad-signature'],
      foreignKey: values['foreign-key'],
      garbageEf07: values['garbage-ef07'],
      quirks: { getResponse: values.t0, wrongLe: values.t0 },
      logLimit: 1000,
    });
    if (values['key-out']) writeFileSync(values['key-out'], card.signingKey.pem);
    const notes = [
      values['default-pin'] ? 'no PIN set (default ****)' : 'holder-set PINs',
      `PIN1 tries ${card.pin1.triesLeft}/${card.pin1.maxTries}`,
      `PIN2 tries ${card.pin2.triesLeft}/${card.pin2.maxTries}`,
      `expires ${card.holder.expiryDate}${values.expired ? ' (EXPIRED)' : ''}`,
      card.holder.changes.length ? `EF04 ${card.holder.changes.map((c) => c.kind).join(', ')}` : 'no EF04 change',
    ];
    if (values['key-out']) notes.push(`EF07 key certificate written to ${values['key-out']}`);
    if (values['bad-signature']) notes.push('FAULT bad-signature');
    if (values['foreign-key']) notes.push('FAULT foreign-key');
    if (values['garbage-ef07']) notes.push('FAULT garbage-ef07');
    if (values['malformed-change']) notes.push('FAULT malformed change record');
    if (values.t0) notes.push('T=0 quirks');
    io.stderr(`sim: ${notes.join('; ')}\n`);
    return runVirtualCard(card, { ...addr, label: 'virtual IC 運転免許証', io, trace: values.trace ? card.log : undefined });
  },
};
