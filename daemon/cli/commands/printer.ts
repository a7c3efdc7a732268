// Placeholder: the 'printer' command is being built; see its issue.
import type { Command } from '../command.ts';

const command: Command = {
  name: 'printer',
  summary: '(printer: not yet available)',
  help: 'idkiosk printer — not yet available\n',
  async run(_argv, io) {
    io.stderr('idkiosk printer: not yet available\n');
    return 2;
  },
};
export default command;
