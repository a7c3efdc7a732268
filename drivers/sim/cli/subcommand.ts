// One `idkiosk sim <card>` subcommand. daemon/cli/commands/sim.ts keeps them in a map, so a new card
// (licence, residence card, passport) is one module and one map entry.
import type { CliIO } from '../../../daemon/cli/command.ts';

export interface SimSubcommand {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}
