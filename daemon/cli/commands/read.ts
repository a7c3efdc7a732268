// `idkiosk read <document>`: one verification on the card in a real PC/SC reader, printed as JSON.
// Exit codes: 0 verified, 3 chip-read, 1 refused, 2 error (daemon/cli/read/verdict-exit.ts decides them
// from the printed result). Secrets come from stdin, never from argv.
import { READ_SUBCOMMANDS } from '../read/index.ts';
import { runReadWithVerdictExit } from '../read/verdict-exit.ts';
import type { Command } from '../command.ts';

const width = Math.max(...READ_SUBCOMMANDS.map((s) => s.name.length));
/** One line for every document's --help (the full text is in `idkiosk read --help` and docs/verdicts.md). */
const EXIT_CODES = 'Exit code: 0 verified (data proven), 3 chip-read (read from the chip, NOT proven), 1 refused, 2 error.';
const help = `Usage: idkiosk read <document> [options]

Runs one verification on the card in a PC/SC reader and prints one JSON object with "verdict",
"authenticity" (proven | chip-read | failed | null), "holderBinding" (pin | password | printed-number-only |
mrz-only | none | null) and "checks" (every check made and its result). Secrets (PIN, password, card
number) are read from stdin.

Exit code:
  0  verified   the document's data is proven (signature to a configured anchor + the chip's anti-clone
                proof where the document has one) and every check held
  3  chip-read  read from the chip, every other check held, but the data is NOT proven (e.g. no licence
                EF07 key configured): do not treat as verified
  1  refused    a check failed, the data was forged or cloned (authenticity failed), or it is not proven
  2  error      usage, reader or card I/O error: no verdict
See docs/verdicts.md for what each document and mode can reach.

Documents:
${READ_SUBCOMMANDS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n')}

${READ_SUBCOMMANDS.map((s) => s.usage).join('\n')}`;

const command: Command = {
  name: 'read',
  help,
  async run(argv, io) {
    const [doc, ...rest] = argv;
    if (!doc || doc === '--help' || doc === '-h') {
      io.stdout(help);
      return doc ? 0 : 2;
    }
    const sub = READ_SUBCOMMANDS.find((s) => s.name === doc);
    if (!sub) {
      io.stderr(`idkiosk read: unknown document '${doc}' (known: ${READ_SUBCOMMANDS.map((s) => s.name).join(', ')})\n`);
      return 2;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`Usage: ${sub.usage}\n${EXIT_CODES}\n`);
      return 0;
    }
    return runReadWithVerdictExit(sub, rest, io);
  },
};
export default command;
