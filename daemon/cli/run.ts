// Dispatch to a subcommand, map errors to exit code 2 with a stable error code.
import { isKioskError } from '../../core/errors.ts';
import type { CliIO } from '../../core/cli-io.ts';
import { wantsHelp } from './command.ts';
import { COMMANDS } from './registry.ts';

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const commands = COMMANDS;
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const width = Math.max(...commands.map((c) => c.name.length));
    io.stdout(
      'idkiosk — identity-verification kiosk for Japanese ID documents\n\n' +
        'Usage: idkiosk <command> [options]   (idkiosk <command> --help for details)\n\nCommands:\n' +
        commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n') +
        '\n',
    );
    return name ? 0 : 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`idkiosk: unknown command '${name}' (see idkiosk --help)\n`);
    return 2;
  }
  const command = (await entry.load()).default;
  if (wantsHelp(rest) && rest.length === 1) {
    io.stdout(command.help.endsWith('\n') ? command.help : command.help + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (isKioskError(e)) {
      io.stderr(`idkiosk ${name}: ${e.code}: ${e.message}\n`);
    } else {
      io.stderr(`idkiosk ${name}: INTERNAL: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
    return 2;
  }
}
