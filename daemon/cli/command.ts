// A CLI subcommand. Each lives in daemon/cli/commands/<name>.ts and is listed in daemon/cli/registry.ts.
// Commands return their exit code; they print through `io` (core/cli-io.ts) so tests can capture output.
import type { CliIO } from '../../core/cli-io.ts';

export interface Command {
  /** e.g. "read", "sim", "crl" */
  name: string;
  /** Full help text for `idkiosk <name> --help` (and for its subcommands). */
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: async () => {
    if (process.stdin.isTTY) return '';
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** True when argv asks for help (`-h`/`--help` anywhere). */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
