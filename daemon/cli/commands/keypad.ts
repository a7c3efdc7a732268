// Placeholder: the 'keypad' command is being built; see its issue.
import type { Command } from '../command.ts';

const command: Command = {
  name: 'keypad',
  summary: '(keypad: not yet available)',
  help: 'idkiosk keypad — not yet available\n',
  async run(_argv, io) {
    io.stderr('idkiosk keypad: not yet available\n');
    return 2;
  },
};
export default command;
