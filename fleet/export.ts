// `fleet audit export`: a kiosk-format audit database for an auditor, checked offline with
// `idkiosk audit verify --db FILE --public-key KIOSK.pub.pem` — the kiosk's own verifier, no second one.
// The requested time window is widened to the nearest signed batch bounds (an anchor at or before its
// first record, a head at or after its last), because only the device can sign a chain's ends.
import type pg from 'pg';
import { ErrorCodes, KioskError } from '../core/errors.ts';
import { writeAuditDb } from './audit-batch.ts';

export interface ExportResult {
  file: string;
  chain: string;
  firstSeq: number;
  lastSeq: number;
  records: number;
  publicKeyPem: string;
}

export async function exportAudit(pool: pg.Pool, o: { kioskId: string; from: Date; to: Date; out: string; chain?: string }): Promise<ExportResult> {
  const chains = await pool.query<{ chain: string; public_key_pem: string }>(
    `SELECT chain, public_key_pem FROM audit_chains WHERE kiosk_id = $1 ${o.chain ? 'AND chain = $2' : ''} ORDER BY last_ingest DESC`,
    o.chain ? [o.kioskId, o.chain] : [o.kioskId],
  );
  for (const c of chains.rows) {
    const span = await pool.query<{ lo: string | null; hi: string | null }>(
      'SELECT min(seq) AS lo, max(seq) AS hi FROM audit_records WHERE kiosk_id = $1 AND chain = $2 AND time >= $3 AND time < $4',
      [o.kioskId, c.chain, o.from, o.to],
    );
    if (span.rows[0]?.lo == null) continue;
    const lo = Number(span.rows[0].lo);
    const hi = Number(span.rows[0].hi);
    const anchor = (
      await pool.query<{ seq: string; hash: Buffer; sig: Buffer }>(
        `SELECT seq, hash, sig FROM audit_marks WHERE kiosk_id = $1 AND chain = $2 AND kind = 'anchor' AND seq <= $3 ORDER BY seq DESC LIMIT 1`,
        [o.kioskId, c.chain, lo],
      )
    ).rows[0];
    const head = (
      await pool.query<{ seq: string; hash: Buffer; sig: Buffer }>(
        `SELECT seq, hash, sig FROM audit_marks WHERE kiosk_id = $1 AND chain = $2 AND kind = 'head' AND seq >= $3 ORDER BY seq LIMIT 1`,
        [o.kioskId, c.chain, hi],
      )
    ).rows[0];
    if (!anchor || !head) throw new KioskError(ErrorCodes.AUDIT_CHAIN_BROKEN, `no signed batch bounds around records ${lo}–${hi} of chain ${c.chain}`);
    const rows = await pool.query<{ seq: string; time: Date; body: string; sealed: Buffer | null; prev_hash: Buffer; hash: Buffer; sig: Buffer }>(
      'SELECT seq, time, body, sealed, prev_hash, hash, sig FROM audit_records WHERE kiosk_id = $1 AND chain = $2 AND seq BETWEEN $3 AND $4 ORDER BY seq',
      [o.kioskId, c.chain, anchor.seq, head.seq],
    );
    const db = writeAuditDb(o.out, {
      chain: c.chain,
      publicKeyPem: c.public_key_pem,
      anchor: { seq: Number(anchor.seq), hash: anchor.hash.toString('hex'), sig: anchor.sig.toString('base64') },
      head: { seq: Number(head.seq), hash: head.hash.toString('hex'), sig: head.sig.toString('base64') },
      records: rows.rows.map((r) => ({
        seq: Number(r.seq),
        time: r.time.toISOString(),
        body: r.body,
        sealed: r.sealed,
        prevHash: r.prev_hash,
        hash: r.hash,
        sig: r.sig,
      })),
    });
    db.close();
    return {
      file: o.out,
      chain: c.chain,
      firstSeq: Number(anchor.seq),
      lastSeq: Number(head.seq),
      records: rows.rowCount ?? 0,
      publicKeyPem: c.public_key_pem,
    };
  }
  throw new KioskError(ErrorCodes.USAGE, `no audit records of kiosk ${o.kioskId} between ${o.from.toISOString()} and ${o.to.toISOString()}`);
}
