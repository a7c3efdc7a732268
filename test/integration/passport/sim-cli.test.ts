// `idkiosk sim passport` as a developer runs it: a separate process on vpcd, read in process through pcscd.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCard } from '../../../daemon/cli/card-access.ts';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import { readPassport } from '../../../daemon/documents/passport/passport-read.ts';
import { assessPassport } from '../../../daemon/documents/passport/passport-verdict.ts';
import { startSimProcess } from '../../harness/cli.ts';
import { startPcscd, type PcscdInstance } from '../../harness/pcscd.ts';

let pcscd: PcscdInstance;
let sim: ChildProcess | null = null;

beforeAll(async () => {
  pcscd = await startPcscd();
});
afterAll(async () => {
  sim?.kill('SIGTERM');
  await pcscd?.stop();
});

describe('idkiosk sim passport', () => {
  it('a BAC-only virtual passport on vpcd reads as verified under the CSCA it wrote', async () => {
    const csca = join(mkdtempSync(join(tmpdir(), 'idkiosk-simpp-')), 'csca.pem');
    sim = (
      await startSimProcess(
        [
          'passport',
          '--doc-number',
          'tz7654321',
          '--birth',
          '021129',
          '--expiry',
          '320101',
          '--no-pace',
          '--face-bytes',
          '1500',
          '--vpcd',
          `127.0.0.1:${pcscd.port}`,
          '--csca-out',
          csca,
        ],
        { ready: () => existsSync(csca) },
      )
    ).process;
    const key = { documentNumber: Buffer.from('TZ7654321'), dateOfBirth: Buffer.from('021129'), dateOfExpiry: Buffer.from('320101') };
    const r = await withCard({ waitMs: 5000 }, async (s) =>
      assessPassport(await readPassport(s, { accessKey: key }), { csca: CscaStore.fromFiles([csca]), at: new Date() }),
    );
    expect(r).toMatchObject({
      verdict: 'verified',
      access: 'BAC',
      dg1: { documentNumber: 'TZ7654321' },
      chipAuthentication: { status: 'verified' },
      activeAuthentication: { status: 'verified' },
    });
  });
});
