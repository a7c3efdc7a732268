// Every subcommand of `idkiosk`. Add a line here when a module gains a command.
import type { Command } from './command.ts';

export async function loadCommands(): Promise<Command[]> {
  const modules = await Promise.all([
    import('./commands/daemon.ts'),
    import('./commands/read.ts'),
    import('./commands/sim.ts'),
    import('./commands/crl.ts'),
    import('./commands/printer.ts'),
    import('./commands/keypad.ts'),
    import('./commands/audit.ts'),
    import('./commands/provision.ts'),
  ]);
  return modules.map((m) => m.default);
}
