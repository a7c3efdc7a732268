import type { CliIO } from '../../../core/cli-io.ts';

/**
 * One document of `idkiosk read <document>`: prints one JSON result. The final exit code (0 verified,
 * 3 chip-read, 1 refused, 2 error) is decided from that JSON by verdict-exit.ts; a subcommand returns 2 for
 * an error and otherwise what it believes (never more than its JSON proves).
 */
export interface ReadSubcommand {
  name: string;
  summary: string;
  /** Usage block shown by `idkiosk read <name> --help` and in `idkiosk read --help`. */
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}
