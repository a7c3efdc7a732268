// The command-line I/O of every CLI in the project (the daemon's subcommands, the virtual cards' and
// drivers' tools): commands print through it so tests can capture output.

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whole standard input as a string (used for --pin-stdin and friends; never argv for secrets). */
  readStdin: () => Promise<string>;
}
