// Placeholder: the 'daemon' command is being built; see its issue.
import type { Command } from '../command.ts';

const command: Command = {
  name: 'daemon',
  summary: '(daemon: not yet available)',
  help: 'idkiosk daemon — not yet available\n',
  async run(_argv, io) {
    io.stderr('idkiosk daemon: not yet available\n');
    return 2;
  },
};
export default command;
