// `idkiosk sim <card>`: virtual cards for development and tests. Each card is a SimSubcommand in the map
// below (drivers/sim/cli/); a new document emulator adds one entry.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { wantsHelp, type Command } from '../command.ts';
import { mynumberCommand } from '../../../drivers/sim/cli/mynumber-command.ts';
import { pkiCommand } from '../../../drivers/sim/cli/pki-command.ts';
import { licenseCommand } from '../../../drivers/sim/cli/license-command.ts';
import { passportCommand } from '../../../drivers/sim/cli/passport-command.ts';
import { residenceCommand } from '../../../drivers/sim/cli/residence-command.ts';
import { LINK_OPTIONS_HELP, runSimSubcommand, type SimSubcommand } from '../../../drivers/sim/cli/subcommand.ts';

const subcommands: ReadonlyMap<string, SimSubcommand> = new Map(
  [mynumberCommand, pkiCommand, licenseCommand, passportCommand, residenceCommand].map((s) => [s.name, s]),
);

const width = Math.max(...[...subcommands.keys()].map((k) => k.length));
const help = `idkiosk sim — virtual cards that appear in the real pcscd through the vsmartcard-vpcd reader

Usage: idkiosk sim <card> [options]   (idkiosk sim <card> --help for details)

Cards and tools:
${[...subcommands.values()].map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n')}

All keys, certificates and PINs are synthetic test data.
`;

const command: Command = {
  name: 'sim',
  help,
  async run(argv, io) {
    const [name, ...rest] = argv;
    if (!name || name === '--help' || name === '-h') {
      io.stdout(help);
      return name ? 0 : 2;
    }
    const sub = subcommands.get(name);
    if (!sub) throw new KioskError(ErrorCodes.USAGE, `unknown sim card '${name}' (one of: ${[...subcommands.keys()].join(', ')})`);
    if (wantsHelp(rest)) {
      io.stdout(sub.name === 'pki' ? sub.help : sub.help + LINK_OPTIONS_HELP);
      return 0;
    }
    return runSimSubcommand(sub, rest, io);
  },
};
export default command;
