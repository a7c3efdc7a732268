// Issue 17: `idkiosk read passport` takes the MRZ data (the BAC/PACE access key) only from stdin or a file,
// never from argv (readable by every local user through ps and /proc, and kept in shell history).
// MRZ text: the TD3 specimen of ICAO Doc 9303 Part 4 (Appendix A), with one check digit altered where the
// test needs a refusal that proves the file was read and parsed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../core/cli-io.ts';
import { passportRead } from '../../../daemon/cli/read/passport.ts';
import { KioskError } from '../../../core/errors.ts';

const LINE1 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<';
const LINE2_BAD_CHECK = 'L898902C36UTO7408121F1204159ZE184226B<<<<<10'; // birth check digit 2 → 1
const dir = mkdtempSync(join(tmpdir(), 'idkiosk-mrz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = (stdin = ''): CliIO => ({ stdout: () => {}, stderr: () => {}, readStdin: async () => stdin });

async function refusal(argv: string[], stdin = ''): Promise<KioskError> {
  try {
    await passportRead.run(argv, io(stdin));
  } catch (e) {
    if (e instanceof KioskError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('read passport: MRZ data never on the command line', () => {
  it.each([
    [['--doc-number', 'L898902C3', '--birth', '740812', '--expiry', '120415']],
    [['--doc-number', 'L898902C3']],
    [['--birth', '740812', '--mrz-stdin']],
    [['--expiry', '120415']],
  ])('argv form %j: USAGE naming --mrz-stdin and --mrz-file', async (argv) => {
    const e = await refusal(argv);
    expect(e.code).toBe('USAGE');
    expect(e.message).toContain('--mrz-stdin');
    expect(e.message).toContain('--mrz-file FILE');
    expect(e.message).not.toContain('L898902C3');
  });

  it('neither or both of --mrz-stdin / --mrz-file: USAGE', async () => {
    expect((await refusal([])).code).toBe('USAGE');
    const file = join(dir, 'both.mrz');
    writeFileSync(file, `${LINE1}\n${LINE2_BAD_CHECK}\n`, { mode: 0o600 });
    expect((await refusal(['--mrz-stdin', '--mrz-file', file])).code).toBe('USAGE');
  });

  it('--mrz-file is read and parsed: a wrong check digit in it refuses before any card access', async () => {
    const file = join(dir, 'bad.mrz');
    writeFileSync(file, `${LINE1}\n${LINE2_BAD_CHECK}\n`, { mode: 0o600 });
    const e = await refusal(['--mrz-file', file]);
    expect(e.code).toBe('PASSPORT_ACCESS_KEY_FORMAT');
    expect(e.message).toMatch(/check digit/);
  });

  it('--mrz-stdin is read and parsed the same way', async () => {
    const e = await refusal(['--mrz-stdin'], `${LINE1}\n${LINE2_BAD_CHECK}\n`);
    expect(e.code).toBe('PASSPORT_ACCESS_KEY_FORMAT');
  });

  it('an unreadable --mrz-file is USAGE; the help names only the safe forms', async () => {
    expect((await refusal(['--mrz-file', join(dir, 'missing.mrz')])).code).toBe('USAGE');
    expect(passportRead.usage).toMatch(/--mrz-stdin \| --mrz-file FILE/);
    expect(passportRead.usage).not.toMatch(/--doc-number X|--birth YYMMDD/);
  });
});
