// The one way the fleet runs a transaction: BEGIN, the caller's steps, COMMIT; ROLLBACK when a step
// throws (the error goes on to the caller unchanged) or when the caller's result says so. The client
// goes back to the pool in every case.
import type pg from 'pg';

export interface TransactionOptions<T> {
  /** Ends the transaction with ROLLBACK instead of COMMIT when this says so of the result (a refusal). */
  rollbackIf?: (result: T) => boolean;
}

/** On a client the caller holds (under an advisory lock, say); the caller releases it. */
export async function inTransaction<T>(client: pg.ClientBase, fn: (client: pg.ClientBase) => Promise<T>, o: TransactionOptions<T> = {}): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn(client);
    await client.query(o.rollbackIf?.(result) ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (e) {
    // A failed ROLLBACK (connection gone) must not hide the error that caused it.
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** On a client of its own from the pool. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.ClientBase) => Promise<T>, o: TransactionOptions<T> = {}): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, fn, o);
  } finally {
    client.release();
  }
}
