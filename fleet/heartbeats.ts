// Heartbeat ingest. The kiosk numbers its heartbeats per boot (a random id per daemon start): within the
// current boot the sequence must rise, and a boot the collector has already seen replaced is over — so a
// replayed or delayed heartbeat cannot make a dead kiosk look alive or roll its health back. The common
// case is one conditional UPDATE, written in groups (HeartbeatWriter); only a new boot or a refusal takes
// the slower transaction.
import type pg from 'pg';
import type { HeartbeatPayload } from '../daemon/health/heartbeat.ts';
import { raise } from './alerts.ts';
import type { Caller } from './auth.ts';
import { sameKiosk } from './auth.ts';
import { withTransaction } from './db/transaction.ts';
import { refuse } from './http-errors.ts';

/** The kiosk's heartbeat (one wire contract); its health snapshot is stored as the kiosk sent it, not typed here. */
export type Heartbeat = Omit<HeartbeatPayload, 'kind' | 'health'> & { health: Record<string, unknown> };

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

/** The audit head a heartbeat reports, when it names one exactly (seq + hash). */
function auditHead(hb: Heartbeat): { seq: number; hash: string } | null {
  const audit = hb.health.audit as { headSeq?: unknown; headHash?: unknown } | null | undefined;
  if (!audit || !Number.isSafeInteger(audit.headSeq) || typeof audit.headHash !== 'string' || !/^[0-9a-f]{64}$/i.test(audit.headHash)) return null;
  return { seq: audit.headSeq as number, hash: audit.headHash.toLowerCase() };
}

interface Pending {
  caller: Caller;
  hb: Heartbeat;
  resolve: (r: FastResult) => void;
  reject: (e: unknown) => void;
}

/** `stored`: the UPDATE changed the row; `rolledBack`: the reported audit head is older than what was acknowledged. */
export interface FastResult {
  stored: boolean;
  rolledBack: boolean;
}

// The common case as one statement for many kiosks: the heartbeat's conditions (same boot, higher
// sequence) and the authentication conditions (approved, this certificate, this key) in the WHERE, and the
// audit-rollback probe in RETURNING — one round trip and one commit for a whole group of heartbeats.
const GROUP_UPDATE = `
  UPDATE kiosks k SET hb_seq = u.seq, last_seen = now(), health = u.health::jsonb, site = u.site, operator = u.operator
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bytea[])
       AS u(kiosk_id, boot, seq, health, site, operator, serial, fp, head_seq, head_hash)
  WHERE k.kiosk_id = u.kiosk_id AND k.boot = u.boot AND k.hb_seq < u.seq
    AND k.status = 'approved' AND k.cert_serial = u.serial AND k.key_fingerprint = u.fp
  RETURNING k.kiosk_id, u.head_seq IS NOT NULL AND EXISTS (
    SELECT 1 FROM audit_chains c WHERE c.kiosk_id = k.kiosk_id AND c.last_seq > u.head_seq
      AND EXISTS (SELECT 1 FROM audit_records r WHERE r.kiosk_id = c.kiosk_id AND r.chain = c.chain AND r.seq = u.head_seq AND r.hash = u.head_hash)
  ) AS rolled_back`;

/**
 * Group commit of the heartbeat fast path, per collector instance. A heartbeat waits only while an earlier
 * group is being written (at most `parallel` groups in flight); everything that arrived meanwhile goes out
 * as the next group, in one UPDATE … FROM unnest(…), which is one transaction. Each caller's promise
 * settles after that statement committed (PostgreSQL's synchronous_commit: on disk), so "200" still means
 * "stored". Two heartbeats of one kiosk never share a group (the second waits for the next one), so the
 * sequence check sees them in order — nor two groups in flight at once (two connections: PostgreSQL
 * could run the later group first).
 */
export class HeartbeatWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Kiosks with a heartbeat in a group being written: their next one waits for that group's end. */
  private readonly writing = new Set<string>();
  constructor(
    private readonly pool: pg.Pool,
    private readonly o: { parallel?: number; maxGroup?: number } = {},
  ) {}

  write(caller: Caller, hb: Heartbeat): Promise<FastResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ caller, hb, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled || this.inFlight >= (this.o.parallel ?? 2) || !this.queue.length) return;
    // Gather what arrives in this turn of the event loop before writing.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight >= (this.o.parallel ?? 2) || !this.queue.length) return;
    const max = this.o.maxGroup ?? 500;
    const group: Pending[] = [];
    const rest: Pending[] = [];
    const kiosks = new Set<string>();
    for (const p of this.queue) {
      if (group.length < max && !kiosks.has(p.hb.kioskId) && !this.writing.has(p.hb.kioskId)) {
        kiosks.add(p.hb.kioskId);
        group.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    if (!group.length) return;
    for (const id of kiosks) this.writing.add(id);
    this.inFlight++;
    const heads = group.map((p) => auditHead(p.hb));
    this.pool
      .query<{ kiosk_id: string; rolled_back: boolean }>(GROUP_UPDATE, [
        group.map((p) => p.hb.kioskId),
        group.map((p) => p.hb.boot),
        group.map((p) => p.hb.seq),
        group.map((p) => JSON.stringify(p.hb.health)),
        group.map((p) => p.hb.site),
        group.map((p) => p.hb.operator),
        group.map((p) => p.caller.certSerial),
        group.map((p) => p.caller.keyFingerprint),
        heads.map((h) => h?.seq ?? null),
        heads.map((h) => (h ? Buffer.from(h.hash, 'hex') : null)),
      ])
      .then(
        (r) => {
          const done = new Map(r.rows.map((x) => [x.kiosk_id, x.rolled_back]));
          for (const p of group) p.resolve({ stored: done.has(p.hb.kioskId), rolledBack: done.get(p.hb.kioskId) === true });
        },
        (e) => {
          for (const p of group) p.reject(e);
        },
      )
      .finally(() => {
        for (const id of kiosks) this.writing.delete(id);
        this.inFlight--;
        this.kick();
      });
    this.kick();
  }
}

export async function ingestHeartbeat(
  pool: pg.Pool,
  caller: Caller,
  hb: Heartbeat,
  o: { writer?: HeartbeatWriter; reauthenticate?: () => Promise<Caller> } = {},
): Promise<void> {
  sameKiosk(caller, hb.kioskId);
  if (hb.key.toUpperCase() !== caller.keyFingerprint) throw refuse('WRONG_KEY', 'the heartbeat names another device key');
  const fast = await (o.writer ?? new HeartbeatWriter(pool, { parallel: 1 })).write(caller, hb);
  if (fast.stored) {
    if (fast.rolledBack) await checkAuditHead(pool, hb);
    return;
  }
  // Not the common case: a new boot, a replay, or a kiosk whose row changed since it was authenticated
  // (revoked, re-keyed): authenticate again against the database before anything else.
  if (o.reauthenticate) {
    caller = await o.reauthenticate();
    sameKiosk(caller, hb.kioskId);
    if (hb.key.toUpperCase() !== caller.keyFingerprint) throw refuse('WRONG_KEY', 'the heartbeat names another device key');
  }
  const health = JSON.stringify(hb.health);
  // A replay or a stale boot is answered after the transaction (an alert, then the refusal): it comes back
  // as the result and ends the transaction with ROLLBACK.
  const refusal = await withTransaction(
    pool,
    async (client): Promise<Error | null> => {
      const k = await client.query<{ boot: string | null; hb_seq: string | null; status: string; cert_serial: string | null; key_fingerprint: string }>(
        'SELECT boot, hb_seq, status, cert_serial, key_fingerprint FROM kiosks WHERE kiosk_id = $1 FOR UPDATE',
        [hb.kioskId],
      );
      const cur = k.rows[0];
      // The row as it is now, under the lock: a revocation committed after authentication still wins.
      if (!cur) throw refuse('KIOSK_UNKNOWN', `kiosk ${hb.kioskId} is not enrolled here`);
      if (cur.status === 'revoked') throw refuse('KIOSK_REVOKED', `kiosk ${hb.kioskId} is revoked`);
      if (cur.status !== 'approved') throw refuse('KIOSK_NOT_APPROVED', `kiosk ${hb.kioskId} waits for approval`);
      if (cur.cert_serial !== caller.certSerial) throw refuse('CERT_MISMATCH', 'the client certificate is not the one issued to this kiosk');
      if (cur.key_fingerprint !== caller.keyFingerprint) throw refuse('WRONG_KEY', 'the heartbeat names another device key');
      if (cur.boot === hb.boot) return refuse('HEARTBEAT_REPLAYED', `heartbeat ${hb.seq} of this boot is not newer than ${cur.hb_seq}`);
      const seen = await client.query('SELECT 1 FROM heartbeat_boots WHERE kiosk_id = $1 AND boot = $2', [hb.kioskId, hb.boot]);
      if (seen.rowCount) return refuse('HEARTBEAT_STALE_BOOT', `boot ${hb.boot} was already replaced by a newer one`);
      await client.query('INSERT INTO heartbeat_boots (kiosk_id, boot, last_seq) VALUES ($1, $2, $3)', [hb.kioskId, hb.boot, hb.seq]);
      await client.query(`UPDATE kiosks SET boot = $2, hb_seq = $3, last_seen = now(), health = $4, site = $5, operator = $6 WHERE kiosk_id = $1`, [
        hb.kioskId,
        hb.boot,
        hb.seq,
        health,
        hb.site,
        hb.operator,
      ]);
      return null;
    },
    { rollbackIf: (r) => r !== null },
  );
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
  const head = auditHead(hb);
  if (!head) return;
  const audit = { headSeq: head.seq, headHash: head.hash };
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
