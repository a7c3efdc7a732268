// Applies fleet/db/migrations/NNN_*.sql in order, each once, each in its own transaction. An advisory
// lock makes concurrent starts of several collector instances safe: one migrates, the others wait and
// then find nothing to do.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { inTransaction } from './transaction.ts';

// From the sources this module sits beside migrations/; from the bundle (dist/) they are in the tree.
const HERE = dirname(fileURLToPath(import.meta.url));
const DIR = [join(HERE, 'migrations'), join(HERE, '..', 'fleet', 'db', 'migrations')].find((d) => existsSync(d)) ?? join(HERE, 'migrations');
/** Arbitrary constant naming "idkiosk fleet schema migration" among advisory locks. */
const LOCK = 0x1dc1_0001;

export function migrationFiles(dir = DIR): { version: number; name: string; sql: string }[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: readFileSync(join(dir, f), 'utf8') }));
}

/** Returns the names of the migrations it applied (empty when the schema was current). */
export async function migrate(pool: pg.Pool, dir = DIR): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of migrationFiles(dir)) {
      if (done.has(m.version)) continue;
      await inTransaction(client, async (tx) => {
        await tx.query(m.sql);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      });
      applied.push(m.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
