// Prometheus text for the whole fleet: each kiosk's last heartbeat health re-exported under the same metric
// names the kiosk itself serves, with a `kiosk` label — so daemon/health/monitoring/idkiosk-alerts.yml and
// the per-kiosk dashboard work across the fleet unchanged — plus the collector's own series
// (last heartbeat, silent, audit records and alerts). Everything comes from the database at scrape time,
// so any instance answers for the whole fleet.
import type pg from 'pg';
import { PRINTER_STATES } from '../daemon/health/metrics.ts';

type Sample = [labels: Record<string, string>, value: number];

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const fin = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

class Text {
  private out: string[] = [];
  family(name: string, help: string, samples: Sample[]): void {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels)
        .map(([k, v]) => `${k}="${esc(v)}"`)
        .join(',');
      this.out.push(`${name}{${l}} ${value}`);
    }
  }
  toString(): string {
    return this.out.join('\n') + '\n';
  }
}

interface Row {
  kiosk_id: string;
  status: string;
  site: string | null;
  last_seen: Date | null;
  health: Record<string, any> | null;
}

export async function renderMetrics(pool: pg.Pool, o: { silentAfterSeconds: number; now?: Date }): Promise<string> {
  const now = (o.now ?? new Date()).getTime();
  const kiosks = (await pool.query<Row>(`SELECT kiosk_id, status, site, last_seen, health FROM kiosks WHERE status <> 'pending' ORDER BY kiosk_id`)).rows;
  const alerts = (
    await pool.query<{ kiosk_id: string; kind: string; n: string }>('SELECT kiosk_id, kind, count(*) AS n FROM alerts GROUP BY kiosk_id, kind ORDER BY 1, 2')
  ).rows;
  const audit = (
    await pool.query<{ kiosk_id: string; records: string; last_seq: string }>(
      'SELECT kiosk_id, sum(records) AS records, max(last_seq) AS last_seq FROM audit_chains GROUP BY kiosk_id ORDER BY 1',
    )
  ).rows;
  const t = new Text();
  const each = (f: (h: Record<string, any>, k: string) => Sample[]) =>
    kiosks.flatMap((r) => (r.health && r.status === 'approved' ? f(r.health, r.kiosk_id) : []));
  const one = (k: string, v: unknown, extra: Record<string, string> = {}): Sample[] => (fin(v) ? [[{ kiosk: k, ...extra }, v]] : []);

  t.family(
    'idkiosk_fleet_last_heartbeat_timestamp_seconds',
    'When the collector last accepted a heartbeat from the kiosk',
    kiosks.flatMap((r) => (r.last_seen ? one(r.kiosk_id, r.last_seen.getTime() / 1000) : [])),
  );
  t.family(
    'idkiosk_fleet_kiosk_silent',
    `1 when an approved kiosk sent no heartbeat for ${o.silentAfterSeconds} s (or never)`,
    kiosks
      .filter((r) => r.status === 'approved')
      .map((r) => [{ kiosk: r.kiosk_id }, !r.last_seen || now - r.last_seen.getTime() > o.silentAfterSeconds * 1000 ? 1 : 0]),
  );
  t.family(
    'idkiosk_fleet_kiosk_revoked',
    '1 when the kiosk is revoked',
    kiosks.map((r) => [{ kiosk: r.kiosk_id }, r.status === 'revoked' ? 1 : 0]),
  );
  t.family(
    'idkiosk_fleet_audit_records',
    'Audit records stored for the kiosk (all chains)',
    audit.map((a) => [{ kiosk: a.kiosk_id }, Number(a.records)]),
  );
  t.family(
    'idkiosk_fleet_audit_last_seq',
    'Highest acknowledged audit sequence number',
    audit.map((a) => [{ kiosk: a.kiosk_id }, Number(a.last_seq)]),
  );
  t.family(
    'idkiosk_fleet_alerts',
    'Named findings about the kiosk (audit gaps, edits, reorders, rollbacks, replays…)',
    alerts.map((a) => [{ kiosk: a.kiosk_id, kind: a.kind }, Number(a.n)]),
  );

  t.family(
    'idkiosk_build_info',
    'Version and identity of this kiosk',
    each((h, k) => [[{ kiosk: k, site: String(h.site ?? ''), version: String(h.version ?? '') }, 1]]),
  );
  t.family(
    'idkiosk_reader_available',
    'PC/SC service reachable and a reader present (1/0)',
    each((h, k) => (h.reader ? [[{ kiosk: k }, h.reader.service && Array.isArray(h.reader.readers) && h.reader.readers.length > 0 ? 1 : 0]] : [])),
  );
  t.family(
    'idkiosk_printer_state',
    'Printer state (one-hot; absent when no printer is configured)',
    each((h, k) =>
      h.printer && typeof h.printer.state === 'string' ? PRINTER_STATES.map((s): Sample => [{ kiosk: k, state: s }, h.printer.state === s ? 1 : 0]) : [],
    ),
  );
  t.family(
    'idkiosk_keypad_ready',
    'Keypad ready without stuck keys (1/0; absent without keypad)',
    each((h, k) => (h.keypad ? [[{ kiosk: k }, h.keypad.status === 'ready' && h.keypad.stuckKeys === 0 ? 1 : 0]] : [])),
  );
  const crl = (field: string) =>
    each((h, k) => (Array.isArray(h.crl) ? h.crl.flatMap((c: any) => (typeof c?.issuerId === 'string' ? one(k, c[field], { issuer: c.issuerId }) : [])) : []));
  t.family('idkiosk_crl_age_seconds', 'Seconds since the thisUpdate of the CRL in force, per issuer', crl('ageSeconds'));
  t.family('idkiosk_crl_next_update_seconds', 'Seconds until the nextUpdate of the CRL in force (negative = stale)', crl('secondsUntilNextUpdate'));
  t.family(
    'idkiosk_clock_synchronized',
    'System clock synchronised: 1 yes, 0 no, -1 unknown',
    each((h, k) => (h.clock ? [[{ kiosk: k }, h.clock.synchronized === true ? 1 : h.clock.synchronized === false ? 0 : -1]] : [])),
  );
  t.family(
    'idkiosk_disk_free_bytes',
    'Free bytes on the state file system',
    each((h, k) => one(k, h.disk?.freeBytes)),
  );
  t.family(
    'idkiosk_audit_pending_records',
    'Audit records waiting for the operator acknowledgement',
    each((h, k) => one(k, h.audit?.pendingUpload)),
  );
  t.family(
    'idkiosk_maintenance',
    'Maintenance mode active (1/0)',
    each((h, k) => (h.maintenance ? [[{ kiosk: k }, h.maintenance.active ? 1 : 0]] : [])),
  );
  t.family(
    'idkiosk_last_session_timestamp_seconds',
    'When the last session ended',
    each((h, k) => (h.lastSession ? one(k, Date.parse(h.lastSession.time) / 1000) : [])),
  );
  return t.toString();
}
