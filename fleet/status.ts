// `fleet status`: one row per kiosk from the last heartbeat and the audit tables — what an operator
// looks at first (silent kiosks, failing health, stale CRLs, printer trouble, audit backlog, alerts).
import type pg from 'pg';

export interface KioskStatus {
  kiosk: string;
  state: 'pending' | 'approved' | 'revoked';
  lastSeen: string | null;
  silent: boolean;
  health: string | null;
  faults: string[];
  /** Largest CRL age reported (seconds) and whether any CRL is past nextUpdate. */
  crlAgeSeconds: number | null;
  crlStale: boolean | null;
  printer: string | null;
  auditBacklog: number | null;
  auditLastSeq: number | null;
  alerts: number;
}

export async function fleetStatus(pool: pg.Pool, o: { silentAfterSeconds: number; now?: Date }): Promise<KioskStatus[]> {
  const now = (o.now ?? new Date()).getTime();
  const r = await pool.query<{ kiosk_id: string; status: KioskStatus['state']; last_seen: Date | null; health: any; last_seq: string | null; alerts: string }>(
    `SELECT k.kiosk_id, k.status, k.last_seen, k.health,
            (SELECT max(last_seq) FROM audit_chains c WHERE c.kiosk_id = k.kiosk_id) AS last_seq,
            (SELECT count(*) FROM alerts a WHERE a.kiosk_id = k.kiosk_id) AS alerts
     FROM kiosks k ORDER BY k.kiosk_id`,
  );
  return r.rows.map((row) => {
    const h = row.health ?? null;
    const crls: any[] = Array.isArray(h?.crl) ? h.crl : [];
    const ages = crls.map((c) => c?.ageSeconds).filter((v): v is number => typeof v === 'number');
    return {
      kiosk: row.kiosk_id,
      state: row.status,
      lastSeen: row.last_seen ? row.last_seen.toISOString() : null,
      silent: row.status === 'approved' && (!row.last_seen || now - row.last_seen.getTime() > o.silentAfterSeconds * 1000),
      health: typeof h?.status === 'string' ? h.status : null,
      faults: Array.isArray(h?.faults) ? h.faults.filter((f: unknown) => typeof f === 'string') : [],
      crlAgeSeconds: ages.length ? Math.max(...ages) : null,
      crlStale: crls.length ? crls.some((c) => c?.stale === true) : null,
      printer: typeof h?.printer?.state === 'string' ? h.printer.state : null,
      auditBacklog: typeof h?.audit?.pendingUpload === 'number' ? h.audit.pendingUpload : null,
      auditLastSeq: row.last_seq === null ? null : Number(row.last_seq),
      alerts: Number(row.alerts),
    };
  });
}

const age = (s: number | null) =>
  s === null ? '-' : s < 3600 ? `${Math.round(s / 60)}m` : s < 172_800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;

export function formatStatus(rows: KioskStatus[], now = new Date()): string {
  const head = ['KIOSK', 'STATE', 'LAST SEEN', 'HEALTH', 'CRL AGE', 'PRINTER', 'AUDIT BACKLOG', 'ALERTS'];
  const body = rows.map((r) => [
    r.kiosk,
    r.state,
    r.lastSeen
      ? `${age(Math.round((now.getTime() - Date.parse(r.lastSeen)) / 1000))} ago${r.silent ? ' SILENT' : ''}`
      : r.state === 'approved'
        ? 'never SILENT'
        : '-',
    r.health ? `${r.health}${r.faults.length ? ` (${r.faults.join(',')})` : ''}` : '-',
    r.crlAgeSeconds === null ? '-' : `${age(r.crlAgeSeconds)}${r.crlStale ? ' STALE' : ''}`,
    r.printer ?? '-',
    r.auditBacklog === null ? '-' : String(r.auditBacklog),
    String(r.alerts),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]?.length ?? 0)));
  return (
    [head, ...body]
      .map((cols) =>
        cols
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
