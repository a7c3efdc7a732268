// Placeholder: the 'read' command is being built; see its issue.
import type { Command } from '../command.ts';

const command: Command = {
  name: 'read',
  summary: '(read: not yet available)',
  help: 'idkiosk read — not yet available\n',
  async run(_argv, io) {
    io.stderr('idkiosk read: not yet available\n');
    return 2;
  },
};
export default command;
