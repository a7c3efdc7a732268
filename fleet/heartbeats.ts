// Heartbeat ingest. The kiosk numbers its heartbeats per boot (a random id per daemon start): within the
// current boot the sequence must rise, and a boot the collector has already seen replaced is over — so a
// replayed or delayed heartbeat cannot make a dead kiosk look alive or roll its health back. The common
// case is one conditional UPDATE; only a new boot or a refusal takes the slower transaction.
import type pg from 'pg';
import { raise } from './alerts.ts';
import type { Caller } from './auth.ts';
import { sameKiosk } from './auth.ts';
import { refuse } from './http-errors.ts';

export interface Heartbeat {
  kioskId: string;
  site: string | null;
  operator: string | null;
  boot: string;
  seq: number;
  key: string;
  health: Record<string, unknown>;
}

const nullableStr = (v: unknown, max: number) => v === null || (typeof v === 'string' && v.length <= max);

export function parseHeartbeat(body: Buffer): Heartbeat {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw refuse('MALFORMED_BODY', 'the heartbeat is not JSON');
  }
  if (!o || typeof o !== 'object' || Array.isArray(o) || o.kind !== 'idkiosk-heartbeat') throw refuse('MALFORMED_BODY', 'not an idkiosk-heartbeat');
  if (typeof o.kioskId !== 'string' || typeof o.boot !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(o.boot))
    throw refuse('MALFORMED_BODY', 'kioskId/boot missing or malformed');
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) throw refuse('MALFORMED_BODY', 'seq must be a positive integer');
  if (typeof o.key !== 'string' || !nullableStr(o.site, 200) || !nullableStr(o.operator, 200)) throw refuse('MALFORMED_BODY', 'key/site/operator malformed');
  if (!o.health || typeof o.health !== 'object' || Array.isArray(o.health)) throw refuse('MALFORMED_BODY', 'health must be an object');
  return {
    kioskId: o.kioskId,
    site: (o.site as string | null) ?? null,
    operator: (o.operator as string | null) ?? null,
    boot: o.boot,
    seq: o.seq as number,
    key: o.key,
    health: o.health as Record<string, unknown>,
  };
}

export async function ingestHeartbeat(pool: pg.Pool, caller: Caller, hb: Heartbeat): Promise<void> {
  sameKiosk(caller, hb.kioskId);
  if (hb.key.toUpperCase() !== caller.keyFingerprint) throw refuse('WRONG_KEY', 'the heartbeat names another device key');
  const health = JSON.stringify(hb.health);
  const fast = await pool.query(
    `UPDATE kiosks SET hb_seq = $3, last_seen = now(), health = $4, site = $5, operator = $6
     WHERE kiosk_id = $1 AND boot = $2 AND hb_seq < $3`,
    [hb.kioskId, hb.boot, hb.seq, health, hb.site, hb.operator],
  );
  if (fast.rowCount) {
    await checkAuditHead(pool, hb);
    return;
  }
  const client = await pool.connect();
  let refusal: Error | null = null;
  try {
    await client.query('BEGIN');
    const k = await client.query<{ boot: string | null; hb_seq: string | null }>('SELECT boot, hb_seq FROM kiosks WHERE kiosk_id = $1 FOR UPDATE', [
      hb.kioskId,
    ]);
    const cur = k.rows[0]!;
    if (cur.boot === hb.boot) {
      refusal = refuse('HEARTBEAT_REPLAYED', `heartbeat ${hb.seq} of this boot is not newer than ${cur.hb_seq}`);
    } else {
      const seen = await client.query('SELECT 1 FROM heartbeat_boots WHERE kiosk_id = $1 AND boot = $2', [hb.kioskId, hb.boot]);
      if (seen.rowCount) refusal = refuse('HEARTBEAT_STALE_BOOT', `boot ${hb.boot} was already replaced by a newer one`);
    }
    if (refusal) {
      await client.query('ROLLBACK');
    } else {
      await client.query('INSERT INTO heartbeat_boots (kiosk_id, boot, last_seq) VALUES ($1, $2, $3)', [hb.kioskId, hb.boot, hb.seq]);
      await client.query(`UPDATE kiosks SET boot = $2, hb_seq = $3, last_seen = now(), health = $4, site = $5, operator = $6 WHERE kiosk_id = $1`, [
        hb.kioskId,
        hb.boot,
        hb.seq,
        health,
        hb.site,
        hb.operator,
      ]);
      await client.query('COMMIT');
    }
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
  if (refusal) {
    const kind = (refusal as { detail?: { reason?: string } }).detail?.reason === 'HEARTBEAT_REPLAYED' ? 'heartbeat-replayed' : 'heartbeat-stale-boot';
    await raise(pool, [{ kioskId: hb.kioskId, kind, chain: hb.boot, seq: hb.seq, detail: refusal.message }]);
    throw refusal;
  }
  await checkAuditHead(pool, hb);
}

/**
 * Rollback: the kiosk reports an audit head older than records the collector already acknowledged for the
 * same chain (its database was restored from an old copy). Recognised by the head's hash, which names one
 * record exactly.
 */
async function checkAuditHead(pool: pg.Pool, hb: Heartbeat): Promise<void> {
  const audit = hb.health.audit as { headSeq?: unknown; headHash?: unknown } | null | undefined;
  if (!audit || !Number.isSafeInteger(audit.headSeq) || typeof audit.headHash !== 'string' || !/^[0-9a-f]{64}$/i.test(audit.headHash)) return;
  const r = await pool.query<{ chain: string; last_seq: string }>(
    `SELECT c.chain, c.last_seq FROM audit_chains c WHERE c.kiosk_id = $1 AND c.last_seq > $2
       AND EXISTS (SELECT 1 FROM audit_records r WHERE r.kiosk_id = c.kiosk_id AND r.chain = c.chain AND r.seq = $2 AND r.hash = $3) LIMIT 1`,
    [hb.kioskId, audit.headSeq, Buffer.from(audit.headHash, 'hex')],
  );
  const row = r.rows[0];
  if (row) {
    await raise(pool, [
      {
        kioskId: hb.kioskId,
        kind: 'audit-rollback',
        chain: row.chain,
        seq: audit.headSeq as number,
        detail: `the kiosk reports audit head ${audit.headSeq}, but records up to ${row.last_seq} were already acknowledged`,
      },
    ]);
  }
}
