// `idkiosk read <document>`: one verification on the card in a real PC/SC reader, printed as JSON.
// Exit codes: 0 verified, 1 refused, 2 error. Secrets come from stdin, never from argv.
import { READ_SUBCOMMANDS } from '../read/index.ts';
import type { Command } from '../command.ts';

const width = Math.max(...READ_SUBCOMMANDS.map((s) => s.name.length));
const help = `Usage: idkiosk read <document> [options]

Runs one verification on the card in a PC/SC reader and prints one JSON object.
Exit code: 0 verified, 1 refused, 2 error. Secrets (PIN, password, card number) are read from stdin.

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
      io.stdout(`Usage: ${sub.usage}`);
      return 0;
    }
    return sub.run(rest, io);
  },
};
export default command;
