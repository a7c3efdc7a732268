// `idkiosk read …` exit codes and printed verdict, from the documented contract (issue #14, README):
// 0 verified (proven), 3 chip-read, 1 refused, 2 error; a missing authenticity never exits 0.
import { describe, expect, it } from 'vitest';
import { gateReadResult, runReadWithVerdictExit } from '../../../daemon/cli/read/verdict-exit.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from '../../../daemon/cli/read/read-subcommand.ts';

function fakeSub(print: string | null, code: number, fail?: Error): ReadSubcommand {
  return {
    name: 'license',
    summary: '',
    usage: '',
    async run(_argv, io) {
      if (print !== null) io.stdout(print);
      if (fail) throw fail;
      return code;
    },
  };
}

async function run(sub: ReadSubcommand) {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: async () => '',
  };
  const code = await runReadWithVerdictExit(sub, [], io);
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(out) as Record<string, unknown>;
  } catch {
    /* not JSON: the test looks at `out` */
  }
  return { code, out, err, json };
}

const line = (o: object) => JSON.stringify(o) + '\n';

describe('idkiosk read: exit codes from the verdict model', () => {
  it('0 only for verified + proven + a holder binding; the JSON carries the three fields', async () => {
    const r = await run(
      fakeSub(
        line({ document: 'license', verdict: 'verified', authenticity: 'proven', holderBinding: 'pin', checks: { 'ef07-signature': 'valid' }, reasons: [] }),
        0,
      ),
    );
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ verdict: 'verified', authenticity: 'proven', holderBinding: 'pin', checks: { 'ef07-signature': 'valid' } });
  });

  it('3 for chip-read (also when a document still says verified with chip-read authenticity)', async () => {
    for (const verdict of ['chip-read', 'verified']) {
      const r = await run(
        fakeSub(
          line({ document: 'license', verdict, authenticity: 'chip-read', holderBinding: 'pin', checks: { 'ef07-signature': 'no-key' }, reasons: [] }),
          1,
        ),
      );
      expect(r.code).toBe(3);
      expect(r.json).toMatchObject({ verdict: 'chip-read', authenticity: 'chip-read' });
    }
  });

  it('fail closed: verified without authenticity, with failed authenticity or without binding exits 1, refused, DOCUMENT_NOT_PROVEN', async () => {
    for (const extra of [
      {},
      { authenticity: 'failed', holderBinding: 'pin' },
      { authenticity: 'proven' },
      { authenticity: 'chip-read', holderBinding: null },
    ]) {
      const r = await run(fakeSub(line({ document: 'passport', verdict: 'verified', reasons: [], ...extra }), 0));
      expect(r.code).toBe(1);
      expect(r.json!.verdict).toBe('refused');
      expect(r.json!.reasons).toEqual([expect.objectContaining({ code: 'DOCUMENT_NOT_PROVEN' })]);
      expect(r.json).toHaveProperty('authenticity');
      expect(r.json).toHaveProperty('holderBinding');
      expect(r.json!.checks).toEqual({});
    }
  });

  it('refused stays 1 and keeps its reasons; a subcommand that returned 1 is never turned into 0 by its JSON', async () => {
    const refused = await run(
      fakeSub(line({ document: 'license', verdict: 'refused', authenticity: 'failed', holderBinding: 'pin', reasons: [{ code: 'PIN_WRONG' }] }), 1),
    );
    expect(refused).toMatchObject({ code: 1, json: { verdict: 'refused', reasons: [{ code: 'PIN_WRONG' }], authenticity: 'failed' } });
    const odd = await run(fakeSub(line({ verdict: 'verified', authenticity: 'proven', holderBinding: 'pin' }), 1));
    expect(odd.code).toBe(1);
  });

  it('2 passes through with what was printed; no JSON object is an error, never a verdict; throws propagate', async () => {
    expect(await run(fakeSub('partial', 2))).toMatchObject({ code: 2, out: 'partial' });
    const none = await run(fakeSub('', 0));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no result/);
    expect((await run(fakeSub('[1]', 0))).code).toBe(2);
    let out = '';
    const io: CliIO = {
      stdout: (t) => {
        out += t;
      },
      stderr: () => {},
      readStdin: async () => '',
    };
    await expect(runReadWithVerdictExit(fakeSub('x', 0, new Error('boom')), [], io)).rejects.toThrow('boom');
    expect(out).toBe('x');
  });

  it('gateReadResult never invents authenticity: absent fields print as null / {}', () => {
    expect(gateReadResult({ verdict: 'refused' }).json).toEqual({ verdict: 'refused', authenticity: null, holderBinding: null, checks: {} });
  });
});

describe('idkiosk read --help documents the exit codes', () => {
  it('the command help and every document help name 0, 3, 1 and 2', async () => {
    const { default: read } = await import('../../../daemon/cli/commands/read.ts');
    const { READ_SUBCOMMANDS } = await import('../../../daemon/cli/read/index.ts');
    const helpOf = async (argv: string[]) => {
      let out = '';
      const code = await read.run(argv, {
        stdout: (t) => {
          out += t;
        },
        stderr: () => {},
        readStdin: async () => '',
      });
      expect(code).toBe(0);
      return out;
    };
    const top = await helpOf(['--help']);
    for (const line of [/0\s+verified/, /3\s+chip-read/, /1\s+refused/, /2\s+error/]) expect(top).toMatch(line);
    for (const sub of READ_SUBCOMMANDS) {
      expect(await helpOf([sub.name, '--help'])).toMatch(/Exit code: 0 verified .*3 chip-read .*1 refused, 2 error/);
    }
  });
});
