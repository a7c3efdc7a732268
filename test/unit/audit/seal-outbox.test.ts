import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditService } from '../../../daemon/audit/audit-service.ts';
import { AuditStore, sealAad } from '../../../daemon/audit/audit-store.ts';
import { AuditOutbox, type AuditBatch } from '../../../daemon/audit/outbox.ts';
import { sessionFacts } from '../../../daemon/audit/record.ts';
import { parseOperatorKey, seal, unseal } from '../../../daemon/audit/seal.ts';
import { verifyAudit } from '../../../daemon/audit/verify.ts';
import { Backoff } from '../../../daemon/device/backoff.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { DEFAULT_AUDIT } from '../../../daemon/device/operations-config.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { CTX, result, tmp } from './helpers.ts';

const operator = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('sealing personal data to the operator', () => {
  it('round-trips with the operator private key, bound to its record', () => {
    const aad = sealAad('c', 1);
    const blob = seal(operator.publicKey, Buffer.from('山田 太郎'), aad);
    expect(unseal(operator.privateKey, blob, aad).toString()).toBe('山田 太郎');
    expect(() => unseal(operator.privateKey, blob, sealAad('c', 2))).toThrow(/authentication/);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => unseal(other.privateKey, blob, aad)).toThrow();
    const flipped = Buffer.from(blob);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => unseal(operator.privateKey, flipped, aad)).toThrow();
    expect(blob.includes(Buffer.from('山田'))).toBe(false);
    // fresh ephemeral key each time
    expect(seal(operator.publicKey, Buffer.from('x'), aad).equals(seal(operator.publicKey, Buffer.from('x'), aad))).toBe(false);
  });

  it('accepts a P-256 SPKI or certificate, refuses RSA', () => {
    const pem = operator.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(parseOperatorKey(Buffer.from(pem)).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => parseOperatorKey(Buffer.from(rsa))).toThrow(/P-256/);
  });

  it('the service seals holder data only when enabled; the record keeps only the hash; retention erases the blob', () => {
    const dir = tmp();
    const opFile = join(dir, 'operator.pem');
    writeFileSync(opFile, operator.publicKey.export({ type: 'spki', format: 'pem' }));
    const withHolder: ResultView = { ...result(1), holder: { name: '山田 太郎', address: '東京都千代田区1-1', dateOfBirth: '1990-01-01', sex: 'male' } };
    const key = DeviceKey.ephemeral();
    const off = new AuditService({ config: { ...DEFAULT_AUDIT, db: join(dir, 'off.db') }, key, context: CTX });
    off.record(1, withHolder);
    const offRow = off.store.db.prepare('SELECT body, sealed FROM records').get() as { body: string; sealed: Buffer | null };
    expect(offRow.sealed).toBeNull();
    expect(offRow.body).not.toMatch(/山田|千代田|1990/);
    off.store.close();

    let now = new Date('2025-01-01T00:00:00Z');
    const on = new AuditService({
      config: { ...DEFAULT_AUDIT, db: join(dir, 'on.db'), personalData: true, operatorKey: opFile },
      key,
      context: CTX,
      now: () => now,
    });
    expect(on.record(7, withHolder)).toBe(true);
    const row = on.store.db.prepare('SELECT body, sealed FROM records').get() as { body: string; sealed: Buffer };
    expect(row.body).not.toMatch(/山田|千代田|1990/);
    expect(JSON.parse(row.body).sealed.alg).toBe('ECIES-P256-HKDF-SHA256-AES256GCM');
    const opened = JSON.parse(unseal(operator.privateKey, row.sealed, sealAad(on.store.chainId(), 1)).toString());
    expect(opened).toEqual({ name: '山田 太郎', dateOfBirth: '1990-01-01', address: '東京都千代田区1-1' });
    on.store.acknowledge([1]);
    now = new Date('2025-03-01T00:00:00Z');
    expect(on.store.prune(400, 30)).toEqual({ removed: 0, erased: 1 });
    const v = verifyAudit(on.store.db, key.publicKey);
    expect(v).toMatchObject({ ok: true, sealedErased: 1 });
    on.store.close();
  });
});

describe('audit outbox', () => {
  function setup(n: number) {
    // RAM-backed when available: this test is about the outbox logic, not about fsync latency.
    const dir = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/idkiosk-outbox-') : tmp();
    const key = DeviceKey.ephemeral();
    const store = new AuditStore(join(dir, 'a.db'), key);
    for (let i = 1; i <= n; i++) store.append(sessionFacts(i, result(i), CTX, new Date()));
    return { store, key };
  }

  it('deletes only what the endpoint acknowledged, and only from the batch it sent', async () => {
    const { store, key } = setup(5);
    const seen: number[][] = [];
    const ob = new AuditOutbox({
      store,
      key,
      kioskId: 'k',
      batchSize: 3,
      send: async (b) => {
        seen.push(b.records.map((r) => r.seq));
        return [1, 3, 99]; // partial ack plus a seq that was never sent
      },
    });
    const r = await ob.flushOnce();
    expect(r).toEqual({ sent: 3, acked: 2, error: null });
    expect(store.pending(10).map((x) => x.seq)).toEqual([2, 4, 5]);
    store.close();
  });

  it('a day with the endpoint down: nothing is lost, nothing sent twice once it is back', async () => {
    const { store, key } = setup(0);
    let up = false;
    const received = new Map<number, number>();
    const ob = new AuditOutbox({
      store,
      key,
      kioskId: 'k',
      batchSize: 100,
      send: async (b: AuditBatch) => {
        if (!up) throw new Error('ECONNREFUSED');
        for (const r of b.records) received.set(r.seq, (received.get(r.seq) ?? 0) + 1);
        return b.records.map((r) => r.seq);
      },
    });
    // A busy day: 1440 sessions (one a minute), an upload attempt after each, all failing.
    const backoff = new Backoff({ baseMs: 2000, maxMs: 900_000, random: () => 1 });
    let waited = 0;
    for (let i = 1; i <= 1440; i++) {
      store.append(sessionFacts(i, result(i), CTX, new Date()));
      const r = await ob.flushOnce();
      expect(r.error).toMatch(/ECONNREFUSED/);
      waited += backoff.fail();
    }
    expect(backoff.fail()).toBe(900_000); // backoff capped at 15 min
    expect(waited).toBeGreaterThan(86400_000 / 2);
    expect(store.pendingCount()).toBe(1440);
    up = true;
    const d = await ob.drain();
    expect(d).toMatchObject({ sent: 1440, acked: 1440, error: null });
    expect(received.size).toBe(1440);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    expect(store.pendingCount()).toBe(0);
    store.close();
  });

  it('backoff doubles with jitter and resets on success', () => {
    const b = new Backoff({ baseMs: 1000, maxMs: 8000, random: () => 0 });
    expect([b.fail(), b.fail(), b.fail(), b.fail(), b.fail()]).toEqual([500, 1000, 2000, 4000, 4000]);
    b.succeed();
    expect(b.fail()).toBe(500);
  });

  it('an outbox row survives in the same transaction as its record (no record without a queue entry)', () => {
    const { store } = setup(3);
    const db = new Database(store.file, { readonly: true });
    expect(db.prepare('SELECT count(*) n FROM records r LEFT JOIN outbox o USING (seq) WHERE o.seq IS NULL').get()).toEqual({ n: 0 });
    db.close();
    store.close();
  });
});
