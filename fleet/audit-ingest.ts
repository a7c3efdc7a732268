// Audit batch ingest. Order of checks: the batch on its own (kiosk verifier, signed bounds), then against
// what is stored, under a row lock on the chain so two collector instances cannot interleave one kiosk's
// chain. Storing is idempotent on (kiosk, chain, seq): a batch resent after a lost acknowledgement is
// acknowledged again without a second copy. The acknowledgement goes out only after COMMIT returned.
import type pg from 'pg';
import { raise, type Alert, type AlertKind } from './alerts.ts';
import { decodeRecord, verifyBatch, type Batch } from './audit-batch.ts';
import type { ProblemKind } from '../daemon/audit/verify.ts';
import type { Caller } from './auth.ts';
import { sameKiosk } from './auth.ts';
import { withTransaction } from './db/transaction.ts';
import { refuse, type ApiErrorCode } from './http-errors.ts';
import { defined } from '../core/checked.ts';
import { ErrorCodes } from '../core/errors.ts';

const PROBLEM: Record<ProblemKind, { alert: AlertKind; api: ApiErrorCode }> = {
  edited: { alert: 'audit-edited', api: 'AUDIT_EDITED' },
  inserted: { alert: 'audit-inserted', api: 'AUDIT_INSERTED' },
  deleted: { alert: 'audit-deleted', api: 'AUDIT_DELETED' },
  reordered: { alert: 'audit-reordered', api: 'AUDIT_REORDERED' },
  anchor: { alert: 'audit-bad-mark', api: 'AUDIT_BAD_MARK' },
  head: { alert: 'audit-bad-mark', api: 'AUDIT_BAD_MARK' },
  key: { alert: 'audit-bad-mark', api: 'AUDIT_BAD_MARK' },
};

export interface IngestResult {
  acked: number[];
  stored: number;
  duplicates: number;
}

export async function ingestBatch(pool: pg.Pool, caller: Caller, batch: Batch): Promise<IngestResult> {
  sameKiosk(caller, batch.kioskId);
  if (batch.key.toUpperCase() !== caller.keyFingerprint) throw refuse('WRONG_KEY', 'the batch names another device key');
  const report = verifyBatch(batch, caller.publicKey);
  if (!report.ok) {
    const alerts: Alert[] = report.problems.map((p) => ({
      kioskId: caller.kioskId,
      kind: PROBLEM[p.kind].alert,
      chain: batch.chain,
      seq: p.seq,
      detail: p.message,
    }));
    await raise(pool, alerts);
    const first = defined(report.problems[0], ErrorCodes.INTERNAL, 'the problem of a batch that did not verify');
    throw refuse(PROBLEM[first.kind].api, first.message, { seq: first.seq });
  }
  const records = [...batch.records].sort((a, b) => a.seq - b.seq);
  // parseBatch refuses an empty batch (MALFORMED_BODY)
  const first = defined(records[0], ErrorCodes.INTERNAL, 'first record of the batch');
  const last = defined(records.at(-1), ErrorCodes.INTERNAL, 'last record of the batch');
  const alerts: Alert[] = [];
  let refusal: Error | null = null;
  let stored = 0;
  let duplicates = 0;
  // A refusal ends the transaction with ROLLBACK; its alerts are raised after it, outside.
  await withTransaction(
    pool,
    async (client) => {
      await client.query(
        `INSERT INTO audit_chains (kiosk_id, chain, public_key_pem, first_seq, last_seq, last_hash, records) VALUES ($1, $2, $3, $4, 0, $5, 0) ON CONFLICT DO NOTHING`,
        [caller.kioskId, batch.chain, caller.publicKey.export({ type: 'spki', format: 'pem' }), first.seq, Buffer.from(first.prevHash, 'hex')],
      );
      const c = defined(
        (
          await client.query<{ first_seq: string; last_seq: string; last_hash: Buffer; records: string }>(
            'SELECT first_seq, last_seq, last_hash, records FROM audit_chains WHERE kiosk_id = $1 AND chain = $2 FOR UPDATE',
            [caller.kioskId, batch.chain],
          )
        ).rows[0],
        ErrorCodes.INTERNAL,
        'the audit chain row just inserted',
      );
      const lastSeq = Number(c.last_seq);
      if (lastSeq === 0) {
        // First batch of this chain: anything before its first record never reached us.
        if (first.seq !== 1)
          alerts.push({
            kioskId: caller.kioskId,
            kind: 'audit-gap',
            chain: batch.chain,
            seq: 1,
            detail: `chain first seen at record ${first.seq}: records 1–${first.seq - 1} never arrived`,
          });
        const others = await client.query('SELECT 1 FROM audit_chains WHERE kiosk_id = $1 AND chain <> $2 LIMIT 1', [caller.kioskId, batch.chain]);
        if (others.rowCount)
          alerts.push({
            kioskId: caller.kioskId,
            kind: 'audit-new-chain',
            chain: batch.chain,
            seq: first.seq,
            detail: 'the kiosk started a new audit chain (audit wipe, or a replaced database)',
          });
      }
      // Records the collector already holds must be byte-identical: a different record signed for a seq
      // already acknowledged means the kiosk's trail was rolled back and rewritten.
      const old = records.filter((r) => r.seq <= lastSeq);
      const have = new Map<number, Buffer>();
      if (old.length) {
        const q = await client.query<{ seq: string; hash: Buffer }>(
          'SELECT seq, hash FROM audit_records WHERE kiosk_id = $1 AND chain = $2 AND seq = ANY($3::bigint[])',
          [caller.kioskId, batch.chain, old.map((r) => r.seq)],
        );
        for (const row of q.rows) have.set(Number(row.seq), row.hash);
      }
      for (const r of old) {
        const h = have.get(r.seq);
        if (h && h.toString('hex') !== r.hash) {
          refusal = refuse('AUDIT_ROLLBACK', `record ${r.seq} differs from the one already acknowledged: the kiosk's audit trail was rolled back`, {
            seq: r.seq,
          });
          alerts.push({ kioskId: caller.kioskId, kind: 'audit-rollback', chain: batch.chain, seq: r.seq, detail: refusal.message });
          break;
        }
      }
      const fresh = records.filter((r) => r.seq > lastSeq || !have.has(r.seq));
      duplicates = records.length - fresh.length;
      const next = records.find((r) => r.seq > lastSeq);
      if (!refusal && next && lastSeq > 0) {
        if (next.seq > lastSeq + 1) {
          alerts.push({
            kioskId: caller.kioskId,
            kind: 'audit-gap',
            chain: batch.chain,
            seq: lastSeq + 1,
            detail: `records ${lastSeq + 1}–${next.seq - 1} never arrived (deleted on the kiosk?)`,
          });
        } else if (next.prevHash !== c.last_hash.toString('hex')) {
          refusal = refuse('AUDIT_ROLLBACK', `record ${next.seq} does not chain to acknowledged record ${lastSeq}: the kiosk's trail forked`, {
            seq: next.seq,
          });
          alerts.push({ kioskId: caller.kioskId, kind: 'audit-rollback', chain: batch.chain, seq: next.seq, detail: refusal.message });
        }
      }
      if (refusal) return;
      if (fresh.length) {
        const d = fresh.map(decodeRecord);
        const ins = await client.query(
          `INSERT INTO audit_records (kiosk_id, chain, seq, time, body, sealed, prev_hash, hash, sig)
           SELECT $1, $2, * FROM unnest($3::bigint[], $4::timestamptz[], $5::text[], $6::bytea[], $7::bytea[], $8::bytea[], $9::bytea[])
           ON CONFLICT DO NOTHING`,
          [
            caller.kioskId,
            batch.chain,
            d.map((r) => r.seq),
            d.map((r) => r.time),
            d.map((r) => r.body),
            d.map((r) => r.sealed),
            d.map((r) => r.prevHash),
            d.map((r) => r.hash),
            d.map((r) => r.sig),
          ],
        );
        stored = ins.rowCount ?? 0;
      }
      if (last.seq > lastSeq) {
        await client.query(
          'UPDATE audit_chains SET last_seq = $3, last_hash = $4, records = records + $5, last_ingest = now() WHERE kiosk_id = $1 AND chain = $2',
          [caller.kioskId, batch.chain, last.seq, Buffer.from(last.hash, 'hex'), stored],
        );
      } else if (stored) {
        await client.query('UPDATE audit_chains SET records = records + $3, last_ingest = now() WHERE kiosk_id = $1 AND chain = $2', [
          caller.kioskId,
          batch.chain,
          stored,
        ]);
      }
      await client.query(
        `INSERT INTO audit_marks (kiosk_id, chain, kind, seq, hash, sig) VALUES ($1, $2, 'anchor', $3, $4, $5), ($1, $2, 'head', $6, $7, $8) ON CONFLICT DO NOTHING`,
        [
          caller.kioskId,
          batch.chain,
          batch.anchor.seq,
          Buffer.from(batch.anchor.hash, 'hex'),
          Buffer.from(batch.anchor.sig, 'base64'),
          batch.head.seq,
          Buffer.from(batch.head.hash, 'hex'),
          Buffer.from(batch.head.sig, 'base64'),
        ],
      );
      await raise(client, alerts);
    },
    { rollbackIf: () => refusal !== null },
  );
  if (refusal) {
    await raise(pool, alerts);
    throw refusal;
  }
  return { acked: records.map((r) => r.seq), stored, duplicates };
}
