// `idkiosk audit verify|status|wipe` through the CLI dispatcher, with the key taken from the config.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../../daemon/audit/audit-store.ts';
import { sessionFacts } from '../../../daemon/audit/record.ts';
import { runCli } from '../../../daemon/cli/run.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { CTX, result, tmp } from '../../unit/audit/helpers.ts';

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), readStdin: async () => '' } };
}

describe('idkiosk audit', () => {
  it('verify: 0 when intact, 1 with the problem named for each kind of tampering', async () => {
    const dir = tmp();
    const keyFile = join(dir, 'device.key');
    const { key } = DeviceKey.loadOrGenerate(keyFile);
    const db = join(dir, 'audit.db');
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ kioskId: 'k1', device: { keyFile }, audit: { db } }));
    const s = new AuditStore(db, key);
    for (let i = 1; i <= 6; i++) s.append(sessionFacts(i, result(i), CTX, new Date()));
    s.close();
    const base = ['audit', 'verify', '--config', config];

    let c = io();
    expect(await runCli(base, c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/OK: the audit trail is intact/);

    const cases: [string, string, RegExp][] = [
      ['edited', `UPDATE records SET body = replace(body, '"verified"', '"refused"') WHERE seq = 2`, /EDITED at 2/],
      ['deleted', 'DELETE FROM records WHERE seq = 3', /DELETED at 3/],
      ['inserted', 'INSERT INTO records SELECT 7, time, body, sealed, prev_hash, hash, sig FROM records WHERE seq = 1', /INSERTED at 7/],
      [
        'reordered',
        'UPDATE records SET seq = -1 WHERE seq = 4; UPDATE records SET seq = 4 WHERE seq = 5; UPDATE records SET seq = 5 WHERE seq = -1',
        /REORDERED at 4/,
      ],
    ];
    const ck = new Database(db);
    ck.pragma('wal_checkpoint(TRUNCATE)');
    ck.close();
    for (const [name, sql, expected] of cases) {
      const file = join(dir, `tampered-${name}.db`);
      copyFileSync(db, file);
      const d = new Database(file);
      d.exec(sql);
      d.close();
      c = io();
      expect(await runCli([...base, '--db', file], c.io)).toBe(1);
      expect(c.out.stdout).toMatch(expected);
      expect(c.out.stdout).toMatch(/TAMPERED/);
    }

    c = io();
    expect(await runCli(['audit', 'status', '--config', config, '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out.stdout)).toMatchObject({ records: 6, pendingUpload: 6, head: { seq: 6 } });

    c = io();
    expect(await runCli(['audit', 'wipe', '--config', config], c.io)).toBe(2);
    expect(c.out.stderr).toMatch(/--yes/);
    expect(await runCli(['audit', 'wipe', '--yes', '--config', config], io().io)).toBe(0);
    c = io();
    expect(await runCli(base, c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/0 records/);
  });
});
