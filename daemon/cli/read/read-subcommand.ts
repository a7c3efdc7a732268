import type { CliIO } from '../command.ts';

/** One document of `idkiosk read <document>`. Exit codes: 0 verified, 1 refused, 2 error. */
export interface ReadSubcommand {
  name: string;
  summary: string;
  /** Usage block shown by `idkiosk read <name> --help` and in `idkiosk read --help`. */
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}
