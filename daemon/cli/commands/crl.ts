// Placeholder: the 'crl' command is being built; see its issue.
import type { Command } from '../command.ts';

const command: Command = {
  name: 'crl',
  summary: '(crl: not yet available)',
  help: 'idkiosk crl — not yet available\n',
  async run(_argv, io) {
    io.stderr('idkiosk crl: not yet available\n');
    return 2;
  },
};
export default command;
