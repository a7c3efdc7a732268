// One way for every CLI in the project (the daemon's subcommands, fleet, provisioning, the virtual
// cards) to read its command line: node:util parseArgs, strict, with every mistake — an unknown or
// malformed option, an argument where none is taken, a missing required option, a number out of range —
// a KioskError USAGE (exit 2 through daemon/cli/run.ts), never a TypeError reported as INTERNAL.
// Lives in core/ so drivers/sim/cli may use it without importing daemon/.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIO } from './cli-io.ts';
import { ErrorCodes, KioskError } from './errors.ts';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Usage = (message: string) => KioskError;

/** The USAGE error of a command: `idkiosk audit` adds "(see idkiosk audit --help)"; without a name, the message alone. */
export function usageError(command?: string): Usage {
  return (message) => new KioskError(ErrorCodes.USAGE, command ? `${message} (see idkiosk ${command} --help)` : message);
}

const declare =
  <D extends object>(d: D) =>
  <const N extends string>(...names: N[]): { [K in N]: D } =>
    Object.fromEntries(names.map((n) => [n, d])) as { [K in N]: D };

/** Options that take a value: `strings('db', 'config')`. */
export const strings = declare({ type: 'string' } as const);
/** Options that take a value and may be repeated (an array). */
export const lists = declare({ type: 'string', multiple: true } as const);
/** On/off options (undefined when absent). */
export const flags = declare({ type: 'boolean' } as const);
/** `-h`/`--help`. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export interface CommandLineOptions {
  /** The command named in USAGE messages ("audit" → "… (see idkiosk audit --help)"); none: the bare message. */
  command?: string;
  /** Whether positional arguments are taken (default: no — one is a USAGE error). */
  positionals?: boolean;
}

const isParseArgsError = (e: unknown): e is Error => e instanceof TypeError && String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');

/** Parses `argv` against `options`; every parse error is a USAGE KioskError. */
export function parseCommandLine<const O extends OptionsConfig>(argv: readonly string[], options: O, o: CommandLineOptions = {}) {
  const usage = usageError(o.command);
  const parse = () => {
    try {
      return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    } catch (e) {
      throw isParseArgsError(e) ? usage(e.message) : e;
    }
  };
  const { values, positionals } = parse();
  if (!o.positionals && positionals.length) throw usage(`unexpected argument '${positionals[0]}': this command takes no positional arguments`);
  return {
    values,
    positionals,
    usage,
    /** The option's value; a USAGE error (`message`, default "--NAME is required") when it is absent or empty. */
    require<K extends keyof typeof values & string>(name: K, message = `--${name} is required`): NonNullable<(typeof values)[K]> {
      const v = values[name];
      if (v === undefined || v === '' || v === false || (Array.isArray(v) && v.length === 0)) throw usage(message);
      return v as NonNullable<(typeof values)[K]>;
    },
  };
}

/**
 * The help gate of a command with subcommands: the subcommand named, or — when help was asked for or no
 * subcommand was named — `help` printed and the exit code to return (0 asked for, 2 missing).
 */
export function subcommandOrHelp(io: CliIO, help: string, asked: boolean | undefined, sub: string | undefined): string | number {
  if (!asked && sub) return sub;
  io.stdout(help);
  return asked ? 0 : 2;
}

/**
 * A whole number option within [min, max]; undefined when absent. `message` replaces the default
 * "NAME must be a whole number MIN..MAX".
 */
export function intOption(v: string | undefined, name: string, min: number, max: number, usage: Usage = usageError(), message?: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^[0-9]{1,15}$/.test(v) || n < min || n > max) throw usage(message ?? `${name} must be a whole number ${min}..${max}`);
  return n;
}

/** A string option that must be one of `allowed` (or undefined when absent). */
export function oneOf<const A extends string>(v: string | undefined, allowed: readonly A[], usage: Usage, message: string): A | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw usage(message);
  return v as A;
}

/** A command's result: `data` as one JSON line (`space`: pretty-printed) with --json, else the human `text`. */
export function printResult(io: CliIO, asJson: boolean | undefined, data: unknown, text: string, space?: number): void {
  io.stdout(asJson ? JSON.stringify(data, null, space) + '\n' : text);
}
