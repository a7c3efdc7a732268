// The `idkiosk crl` command line: exit codes and JSON output.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCa } from '../../harness/crl-fixtures.ts';
import { buildCrl } from '../../../core/der-build.ts';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'idkiosk.js');
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, 'crl', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('idkiosk crl CLI', () => {
  it('import / check / status with the documented exit codes', () => {
    const d = mkdtempSync(join(tmpdir(), 'idkiosk-crl-cli-'));
    const ca = makeCa({ cn: 'CLI CA' });
    writeFileSync(join(d, 'ca.pem'), ca.cert.toString());
    const day = 86400_000;
    writeFileSync(
      join(d, 'x.crl'),
      buildCrl({
        issuer: ca.name,
        signer: ca.signer,
        thisUpdate: new Date(Date.now() - day),
        nextUpdate: new Date(Date.now() + day),
        crlNumber: 5,
        entries: [{ serial: 0xa1b2n, reason: 4 }],
      }),
    );
    const db = join(d, 'db');
    const common = ['--issuer', join(d, 'ca.pem'), '--db', db];
    const imp = run('import', join(d, 'x.crl'), ...common, '--json');
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.out)).toMatchObject({ kind: 'full', crlNumber: '5', entries: 1 });
    const revoked = run('check', '0000A1B2', ...common, '--json');
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.out)).toMatchObject({ status: 'revoked', reason: 'superseded' });
    const good = run('check', 'a1b3', ...common, '--json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({ status: 'good', crlNumber: '5' });
    const other = makeCa({ cn: 'Not imported CA', slot: 5 });
    writeFileSync(join(d, 'other.pem'), other.cert.toString());
    const unknown = run('check', 'a1b2', '--issuer', join(d, 'other.pem'), '--db', db, '--json');
    expect(unknown.code).toBe(3);
    expect(JSON.parse(unknown.out)).toMatchObject({ status: 'unknown', reason: 'CRL_NOT_FOUND' });
    const st = run('status', '--db', db, '--json');
    expect(JSON.parse(st.out).issuers).toMatchObject([{ crlNumber: '5', entries: 1 }]);
    expect(run('check', 'zz', ...common).code).toBe(2);
    expect(run('import', '--help').out).toContain('crl import FILE --issuer CA.pem --db PATH');
  }, 60_000);
});
