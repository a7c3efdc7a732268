// Monthly partitions of audit_records. Partitions are created ahead of time (this month and the next
// two), so ingest never waits on DDL; a record whose signed time falls outside them (a kiosk clock far
// off) lands in the default partition rather than being refused. Retention drops whole months, which is
// cheap and leaves no dead rows behind.
import type pg from 'pg';
import { inTransaction } from './transaction.ts';

const LOCK = 0x1dc1_0002;

const monthStart = (d: Date, add = 0) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1));
const ym = (d: Date) => `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

export async function ensurePartitions(pool: pg.Pool, now = new Date(), ahead = 2): Promise<string[]> {
  const client = await pool.connect();
  const made: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK]);
    for (let i = 0; i <= ahead; i++) {
      const from = monthStart(now, i);
      const name = `audit_records_${ym(from)}`;
      const exists = await client.query('SELECT 1 FROM pg_class WHERE relname = $1', [name]);
      if (exists.rowCount) continue;
      // Rows already in the default partition for that month must move into the new one.
      await inTransaction(client, async (tx) => {
        await tx.query(`CREATE TABLE ${name} (LIKE audit_records INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
        await tx.query(`WITH moved AS (DELETE FROM audit_records_default WHERE time >= $1 AND time < $2 RETURNING *) INSERT INTO ${name} SELECT * FROM moved`, [
          from,
          monthStart(from, 1),
        ]);
        await tx.query(
          `ALTER TABLE audit_records ATTACH PARTITION ${name} FOR VALUES FROM ('${from.toISOString()}') TO ('${monthStart(from, 1).toISOString()}')`,
        );
      });
      made.push(name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK]).catch(() => undefined);
    client.release();
  }
  return made;
}

/** Drops months that ended more than `months` ago (and default-partition rows that old). */
export async function applyRetention(pool: pg.Pool, months: number, now = new Date()): Promise<{ dropped: string[]; deletedFromDefault: number }> {
  const cutoff = monthStart(now, -months);
  const parts = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'audit_records' AND c.relname ~ '^audit_records_[0-9]{6}$'`,
  );
  const dropped: string[] = [];
  for (const { name } of parts.rows) {
    const y = Number(name.slice(-6, -2));
    const m = Number(name.slice(-2));
    if (new Date(Date.UTC(y, m, 1)) <= cutoff) {
      await pool.query(`DROP TABLE ${name}`);
      dropped.push(name);
    }
  }
  const del = await pool.query('DELETE FROM audit_records_default WHERE time < $1', [cutoff]);
  return { dropped, deletedFromDefault: del.rowCount ?? 0 };
}
