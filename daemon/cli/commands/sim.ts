// Placeholder: the 'sim' command is being built; see its issue.
import type { Command } from '../command.ts';

const command: Command = {
  name: 'sim',
  summary: '(sim: not yet available)',
  help: 'idkiosk sim — not yet available\n',
  async run(_argv, io) {
    io.stderr('idkiosk sim: not yet available\n');
    return 2;
  },
};
export default command;
