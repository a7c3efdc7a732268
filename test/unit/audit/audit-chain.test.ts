import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../../daemon/audit/audit-store.ts';
import { recordHash } from '../../../daemon/audit/chain.ts';
import { sessionFacts } from '../../../daemon/audit/record.ts';
import { verifyAudit, type ProblemKind } from '../../../daemon/audit/verify.ts';
import { DeviceKey, verifyEs256 } from '../../../daemon/device/device-key.ts';
import { CTX, result, tmp } from './helpers.ts';
import '../../../daemon/documents/registry.ts'; // registers the built-in documents' result types (the method names below)

let dir: string;
let file: string;
const key = DeviceKey.ephemeral();

function fill(n: number, now = () => new Date('2025-01-01T00:00:00Z')): AuditStore {
  const s = new AuditStore(file, key, now);
  for (let i = 1; i <= n; i++) s.append(sessionFacts(i, result(i), CTX, new Date(Date.UTC(2025, 0, 1, 0, i))));
  return s;
}

function tamper(sql: (db: Database.Database) => void): ReturnType<typeof verifyAudit> {
  const db = new Database(file);
  sql(db);
  db.close();
  const ro = new Database(file, { readonly: true });
  try {
    return verifyAudit(ro, key.publicKey);
  } finally {
    ro.close();
  }
}

const kinds = (r: ReturnType<typeof verifyAudit>): ProblemKind[] => r.problems.map((p) => p.kind);

beforeEach(() => {
  dir = tmp();
  file = join(dir, 'audit.db');
});
afterEach(() => {});

describe('audit chain', () => {
  it('an untouched chain verifies, with WAL and synchronous=FULL', () => {
    const s = fill(10);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    s.close();
    const r = tamper(() => {});
    expect(r).toMatchObject({ ok: true, records: 10, firstSeq: 1, lastSeq: 10, keySource: 'external' });
  });

  it('records carry the session facts and no personal data', () => {
    const s = fill(1);
    const body = JSON.parse((s.db.prepare('SELECT body FROM records').get() as { body: string }).body);
    s.close();
    expect(body).toMatchObject({
      seq: 1,
      kioskId: 'kiosk-t1',
      site: 'site-a',
      document: 'mynumber-jpki-auth',
      method: 'jpki-auth',
      verdict: 'verified',
      certificate: { serial: '1001' },
      revocation: { status: 'good', source: 'crl' },
      softwareVersion: '9.9.9',
      sealed: null,
    });
  });

  it('detects an edited record (verdict flipped)', () => {
    fill(10).close();
    const r = tamper((db) => db.prepare(`UPDATE records SET body = replace(body, '"refused"', '"verified"') WHERE seq = 6`).run());
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ kind: 'edited', seq: 6 });
  });

  it('detects an edit that recomputes the hash without the key', () => {
    fill(5).close();
    const r = tamper((db) => {
      const row = db.prepare('SELECT prev_hash, body FROM records WHERE seq = 2').get() as { prev_hash: Buffer; body: string };
      const body = row.body.replace('"good"', '"revoked"');
      // the attacker re-hashes; the signature no longer matches
      db.prepare('UPDATE records SET body = ?, hash = ? WHERE seq = 2').run(body, recordHash(row.prev_hash, body));
    });
    expect(r.ok).toBe(false);
    expect(kinds(r)).toContain('inserted');
  });

  it('detects a deleted record in the middle, at the start and at the end', () => {
    fill(10).close();
    expect(tamper((db) => db.prepare('DELETE FROM records WHERE seq = 4').run()).problems).toContainEqual(expect.objectContaining({ kind: 'deleted', seq: 4 }));
    expect(kinds(tamper((db) => db.prepare('DELETE FROM records WHERE seq = 1').run()))).toContain('deleted');
    const end = tamper((db) => db.prepare('DELETE FROM records WHERE seq >= 9').run());
    expect(end.ok).toBe(false);
    expect(end.problems).toContainEqual(expect.objectContaining({ kind: 'deleted', seq: 9 }));
  });

  it('detects an inserted (forged) record, even with a valid-looking hash and another key', () => {
    fill(5).close();
    const other = DeviceKey.ephemeral();
    const r = tamper((db) => {
      const last = db.prepare('SELECT hash, body FROM records WHERE seq = 5').get() as { hash: Buffer; body: string };
      const body = JSON.stringify({ ...JSON.parse(last.body), seq: 6, verdict: 'verified' });
      const hash = recordHash(last.hash, body);
      db.prepare('INSERT INTO records VALUES (6, ?, ?, NULL, ?, ?, ?)').run('2025-01-02', body, last.hash, hash, other.sign(hash));
    });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ kind: 'inserted', seq: 6 });
  });

  it('detects a copy of an authentic record inserted at the end', () => {
    fill(5).close();
    const r = tamper((db) => db.prepare('INSERT INTO records SELECT 6, time, body, sealed, prev_hash, hash, sig FROM records WHERE seq = 2').run());
    expect(r.ok).toBe(false);
    expect(kinds(r)).toContain('inserted');
  });

  it('detects reordered records (two rows swapped)', () => {
    fill(8).close();
    const r = tamper((db) => {
      db.exec('UPDATE records SET seq = -3 WHERE seq = 3; UPDATE records SET seq = 3 WHERE seq = 4; UPDATE records SET seq = 4 WHERE seq = -3;');
    });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ kind: 'reordered', seq: 3 });
    expect(new Set(kinds(r))).toEqual(new Set(['reordered']));
    expect(r.problems.map((p) => p.seq)).toEqual([3, 4, 5]); // 5 no longer follows the record before it
  });

  it('detects a wholesale re-signing with another key (external key pinned)', () => {
    fill(3).close();
    const forged = DeviceKey.ephemeral();
    const r = tamper((db) => db.prepare(`UPDATE meta SET v = ? WHERE k = 'publicKey'`).run(forged.publicKeyPem()));
    expect(r.ok).toBe(true); // the external key is what counts, the stored copy is ignored
    const db = new Database(file, { readonly: true });
    expect(verifyAudit(db, forged.publicKey).ok).toBe(false);
    db.close();
  });

  it('detects a rolled-back head (an old head and the newest records removed)', () => {
    const s = fill(3);
    const oldHead = (s.db.prepare(`SELECT v FROM meta WHERE k='head'`).get() as { v: string }).v;
    for (let i = 4; i <= 6; i++) s.append(sessionFacts(i, result(i), CTX, new Date()));
    s.close();
    // Without the old head the truncation is caught; with a replayed signed head it is not, which is why
    // the head travels in every heartbeat and upload (docs/operations.md).
    expect(kinds(tamper((db) => db.prepare('DELETE FROM records WHERE seq > 3').run()))).toContain('deleted');
    expect(tamper((db) => db.prepare(`UPDATE meta SET v = ? WHERE k='head'`).run(oldHead)).ok).toBe(true);
  });

  it('a forged head is refused', () => {
    fill(3).close();
    const r = tamper((db) => db.prepare(`UPDATE meta SET v = json_set(v, '$.seq', 2) WHERE k='head'`).run());
    expect(kinds(r)).toContain('head');
  });

  it('retention prunes only acknowledged records and keeps the chain verifiable', () => {
    let now = new Date('2025-01-01T00:00:00Z');
    const s = new AuditStore(file, key, () => now);
    for (let i = 1; i <= 10; i++) s.append(sessionFacts(i, result(i), CTX, new Date(Date.UTC(2025, 0, i))));
    s.acknowledge([1, 2, 3, 4, 5, 6]);
    now = new Date('2025-03-01T00:00:00Z');
    const r = s.prune(30, 0);
    expect(r.removed).toBe(6); // 7–10 are still in the outbox
    s.close();
    const v = tamper(() => {});
    expect(v).toMatchObject({ ok: true, firstSeq: 7, lastSeq: 10 });
    // removing the first retained record is still caught (the anchor is signed)
    expect(kinds(tamper((db) => db.prepare('DELETE FROM records WHERE seq = 7').run()))).toContain('deleted');
  });

  it('appending continues the chain across reopen, and wipe starts a new chain', () => {
    fill(3).close();
    const s = new AuditStore(file, key);
    s.append(sessionFacts(4, result(4), CTX, new Date()));
    expect(s.headPoint().seq).toBe(4);
    const before = s.chainId();
    expect(s.wipe()).not.toBe(before);
    expect(s.headPoint().seq).toBe(0);
    s.append(sessionFacts(1, result(1), CTX, new Date()));
    s.close();
    expect(tamper(() => {})).toMatchObject({ ok: true, records: 1 });
  });

  it('property: any single-byte change to any stored body is detected', async () => {
    const fc = await import('fast-check');
    fill(6).close();
    const orig = new Database(file, { readonly: true });
    const rows = orig.prepare('SELECT seq, body FROM records').all() as { seq: number; body: string }[];
    orig.close();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: rows.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 94 }), (ri, pos, delta) => {
        const row = rows[ri]!;
        const p = pos % row.body.length;
        const ch = String.fromCharCode(((row.body.charCodeAt(p) - 32 + delta) % 95) + 32);
        const edited = row.body.slice(0, p) + ch + row.body.slice(p + 1);
        const r = tamper((db) => db.prepare('UPDATE records SET body = ? WHERE seq = ?').run(edited, row.seq));
        tamper((db) => db.prepare('UPDATE records SET body = ? WHERE seq = ?').run(row.body, row.seq));
        return !r.ok && r.problems.some((x) => x.seq === row.seq);
      }),
      { numRuns: 40 },
    );
  });
});

describe('device key', () => {
  it('signature from the device key verifies; P-256 only', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const Ctor = DeviceKey as unknown as new (k: typeof privateKey) => DeviceKey;
    expect(() => new Ctor(privateKey)).toThrow(/P-256/);
    const k = DeviceKey.ephemeral();
    expect(verifyEs256(k.publicKey, 'x', k.sign('x'))).toBe(true);
    expect(verifyEs256(k.publicKey, 'y', k.sign('x'))).toBe(false);
  });
});
