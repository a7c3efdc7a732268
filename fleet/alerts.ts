// Named findings about a kiosk (gaps, edits, reorders, rollbacks, refused uploads). One row per distinct
// (kiosk, kind, chain, seq), so a kiosk retrying the same bad batch does not flood the table; the metric
// idkiosk_fleet_alerts{kiosk,kind} counts them.
import type pg from 'pg';

export type AlertKind =
  | 'audit-edited'
  | 'audit-inserted'
  | 'audit-deleted'
  | 'audit-reordered'
  | 'audit-gap'
  | 'audit-rollback'
  | 'audit-bad-mark'
  | 'audit-new-chain'
  | 'heartbeat-replayed'
  | 'heartbeat-stale-boot'
  | 'bad-signature'
  | 'wrong-key';

export interface Alert {
  kioskId: string;
  kind: AlertKind;
  chain?: string | null;
  seq?: number | null;
  detail: string;
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export async function raise(db: Queryable, alerts: Alert[]): Promise<void> {
  for (const a of alerts) {
    await db.query('INSERT INTO alerts (kiosk_id, kind, chain, seq, detail) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
      a.kioskId,
      a.kind,
      a.chain ?? '',
      a.seq ?? -1,
      a.detail,
    ]);
  }
}
