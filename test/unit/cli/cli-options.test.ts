// core/cli-options.ts: the one option parser of every CLI. Each mistake on a command line is a USAGE
// KioskError (exit 2 through daemon/cli/run.ts) with the command's "see --help" pointer, never a TypeError.
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../core/cli-io.ts';
import {
  flags,
  HELP_OPTION,
  intOption,
  lists,
  oneOf,
  parseCommandLine,
  printResult,
  strings,
  subcommandOrHelp,
  usageError,
} from '../../../core/cli-options.ts';
import { isKioskError } from '../../../core/errors.ts';

function thrown(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isKioskError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('nothing was thrown');
}

const OPTIONS = { ...strings('db', 'out'), ...lists('root'), ...flags('json'), ...HELP_OPTION };

/** An in-memory CliIO: what the command wrote to stdout, read back with out(). */
function captureIo(): { io: CliIO; out: () => string } {
  let written = '';
  const io: CliIO = {
    stdout: (t) => {
      written += t;
    },
    stderr: () => {},
    readStdin: async () => '',
  };
  return { io, out: () => written };
}

describe('parseCommandLine', () => {
  it('reads values, repeated options, flags, -h and positionals', () => {
    const r = parseCommandLine(['verify', '--db', 'a.db', '--root', 'r1', '--root=r2', '--json', '-h'], OPTIONS, { positionals: true });
    expect(r.values).toEqual({ db: 'a.db', root: ['r1', 'r2'], json: true, help: true });
    expect(r.positionals).toEqual(['verify']);
  });

  it('a required option that is missing is USAGE naming it, with the command help pointer', () => {
    const r = parseCommandLine(['--db', 'a.db'], OPTIONS, { command: 'audit' });
    expect(r.require('db')).toBe('a.db');
    expect(thrown(() => r.require('out'))).toEqual({ code: 'USAGE', message: '--out is required (see idkiosk audit --help)' });
    expect(thrown(() => r.require('root', '--root CERT is required'))).toEqual({
      code: 'USAGE',
      message: '--root CERT is required (see idkiosk audit --help)',
    });
  });

  it('an unknown option, a missing value and an unwanted argument are USAGE, not TypeError', () => {
    expect(thrown(() => parseCommandLine(['--nope'], OPTIONS)).code).toBe('USAGE');
    expect(thrown(() => parseCommandLine(['--nope'], OPTIONS)).message).toMatch(/--nope/);
    expect(thrown(() => parseCommandLine(['--db'], OPTIONS, { command: 'crl' })).message).toMatch(/--db.*\(see idkiosk crl --help\)$/);
    expect(thrown(() => parseCommandLine(['extra'], OPTIONS))).toEqual({
      code: 'USAGE',
      message: "unexpected argument 'extra': this command takes no positional arguments",
    });
  });
});

describe('the shared checks', () => {
  const usage = usageError();
  it('intOption: whole numbers in range only', () => {
    expect(intOption(undefined, '--n', 0, 3)).toBeUndefined();
    expect(intOption('3', '--n', 0, 3)).toBe(3);
    for (const bad of ['4', '-1', '1.5', '', 'x', '1e2'])
      expect(thrown(() => intOption(bad, '--n', 0, 3))).toEqual({ code: 'USAGE', message: '--n must be a whole number 0..3' });
    expect(thrown(() => intOption('9', '--tries', 0, 3, usage, '--tries must be 0..3')).message).toBe('--tries must be 0..3');
  });

  it('oneOf: one of the listed words', () => {
    expect(oneOf('odd', ['none', 'even', 'odd'], usage, 'bad')).toBe('odd');
    expect(oneOf(undefined, ['none'], usage, 'bad')).toBeUndefined();
    expect(thrown(() => oneOf('Odd', ['none', 'even', 'odd'], usage, '--parity must be none, even or odd')).message).toBe('--parity must be none, even or odd');
  });

  it('subcommandOrHelp: the help text and 0 when asked, 2 when no subcommand, else the subcommand', () => {
    const { io, out } = captureIo();
    expect(subcommandOrHelp(io, 'HELP\n', undefined, 'status')).toBe('status');
    expect(out()).toBe('');
    expect(subcommandOrHelp(io, 'HELP\n', true, 'status')).toBe(0);
    expect(subcommandOrHelp(io, 'HELP\n', undefined, undefined)).toBe(2);
    expect(out()).toBe('HELP\nHELP\n');
  });

  it('printResult: one JSON line with --json, else the text', () => {
    const { io, out } = captureIo();
    printResult(io, true, { a: 1 }, 'text\n');
    printResult(io, false, { a: 1 }, 'text\n');
    printResult(io, true, { a: 1 }, 'text\n', 2);
    expect(out()).toBe('{"a":1}\ntext\n{\n  "a": 1\n}\n');
  });
});
