// The fleet benchmark's report (bench/fleet.bench.ts runs the phases): what the database holds after the
// run (nothing lost or duplicated, no alerts, heartbeat sequence numbers, table sizes) and the Markdown
// table of figures against the targets. Split from the runner so the runner only drives load.
import type pg from 'pg';
import type { Kiosk } from './fleet-load.ts';

/** CPU seconds of one phase: both collectors, PostgreSQL, this load generator, and the wall time. */
export interface PhaseCpu {
  collectorsCpuS: number;
  postgresCpuS: number;
  loadgenCpuS: number;
  wallS: number;
}
interface Rate {
  rate: number;
  p50: number;
  p99: number;
  cpu: PhaseCpu;
}

export interface StoredFigures {
  kioskUpdates: { updates: number; hot: number };
  database: {
    stored: number;
    distinct: number;
    chainsOk: boolean;
    alerts: number;
    heartbeatsAccepted: number;
    heartbeatsFailed: number;
    heartbeatSeqMatches: boolean;
    auditBytes: number;
    bytesPerMillionRecords: number;
    databaseBytes: number;
  };
}

export interface FleetSummary {
  machine: { cores: number; note: string };
  postgres: Record<string, string>;
  kiosks: number;
  concurrency: { first: number; heartbeats: number };
  provisionS: number;
  firstHeartbeats: Rate;
  maxSustainedHeartbeats: Rate & { sent: number; reusedConnections: number };
  resumedSessionHeartbeats: Rate & { sent: number; resumedSessions: number };
  kioskRowUpdates: StoredFigures['kioskUpdates'];
  nominalHeartbeatsDuringAudit: { target: number; sent: number; rate: number; p50: number; p99: number; resumedSessions: number };
  audit: {
    records: number;
    rate: number;
    batchP50: number;
    batchP99: number;
    retries: number;
    cpu: PhaseCpu;
    expected: number;
    batch: number;
    auditKiosks: number;
    sealedFraction: number;
  };
  database: StoredFigures['database'];
  loadAverage: { start: number; end: number; mean: number; max: number };
  cpuPerHeartbeatUs: number;
  cpuPerResumedHeartbeatUs: number;
  cpuPerFirstHeartbeatUs: number;
  cpuPerRecordUs: number;
}

const SIZE_QUERY = `SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) + pg_total_relation_size('audit_records') + pg_total_relation_size('audit_marks') + pg_total_relation_size('audit_chains') AS n
                   FROM pg_inherits i WHERE i.inhparent = 'audit_records'::regclass`;

/** Bytes of the audit tables (every partition of audit_records, the marks and the chains). */
export async function auditTablesBytes(db: pg.Pool): Promise<number> {
  return Number((await db.query(SIZE_QUERY)).rows[0].n);
}

/**
 * What the database holds once the collectors have stopped (call after they exit: their backends then have
 * flushed their statistics, so pg_stat_user_tables counts every heartbeat UPDATE).
 */
export async function readStored(
  db: pg.Pool,
  o: { quota: ReadonlyArray<{ id: string; records: number }>; chains: Record<string, string>; kiosks: readonly Kiosk[]; sizeBefore: number },
): Promise<StoredFigures> {
  await db.query('CHECKPOINT');
  const upd = (await db.query<{ upd: string; hot: string }>(`SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'kiosks'`))
    .rows[0]!;
  const sizeAfter = await auditTablesBytes(db);
  const rec = (await db.query(`SELECT count(*) AS n, count(DISTINCT (kiosk_id, chain, seq)) AS d FROM audit_records`)).rows[0];
  const chainRows = (
    await db.query<{ kiosk_id: string; chain: string; last_seq: string; records: string }>('SELECT kiosk_id, chain, last_seq, records FROM audit_chains')
  ).rows;
  const chainsOk =
    o.quota.every((q) =>
      chainRows.some((c) => c.kiosk_id === q.id && c.chain === o.chains[q.id] && Number(c.last_seq) === q.records && Number(c.records) === q.records),
    ) && chainRows.length === o.quota.length;
  const alerts = Number((await db.query('SELECT count(*) AS n FROM alerts')).rows[0].n);
  const hb = (await db.query<{ k: string; s: string }>(`SELECT kiosk_id AS k, hb_seq AS s FROM kiosks`)).rows;
  const hbSeq = new Map(hb.map((r) => [r.k, Number(r.s)]));
  // No acknowledged heartbeat lost: each kiosk's stored sequence number is at least that of its last beat
  // answered 200 (a beat that timed out may or may not have been stored) and never more than it sent.
  const hbConsistent = o.kiosks.every((k) => (hbSeq.get(k.id) ?? 0) >= k.lastAccepted && (hbSeq.get(k.id) ?? 0) <= k.seq);
  const dbBytes = Number((await db.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n);
  return {
    kioskUpdates: { updates: Number(upd.upd), hot: Number(upd.hot) },
    database: {
      stored: Number(rec.n),
      distinct: Number(rec.d),
      chainsOk,
      alerts,
      heartbeatsAccepted: o.kiosks.reduce((a, k) => a + k.accepted, 0),
      heartbeatsFailed: o.kiosks.reduce((a, k) => a + k.failed, 0),
      heartbeatSeqMatches: hbConsistent,
      auditBytes: sizeAfter - o.sizeBefore,
      bytesPerMillionRecords: ((sizeAfter - o.sizeBefore) / Math.max(1, Number(rec.n))) * 1e6,
      databaseBytes: dbBytes,
    },
  };
}

/** A record lost or duplicated, a chain that does not add up, an alert, or an acknowledged beat not stored. */
export function lostAnything(s: FleetSummary): boolean {
  const d = s.database;
  return d.stored !== s.audit.expected || d.distinct !== s.audit.expected || !d.chainsOk || d.alerts !== 0 || !d.heartbeatSeqMatches;
}

/** The Markdown table of the figures against the targets, then the load and per-phase CPU lines. */
export function fleetTable(s: FleetSummary): string[] {
  const { firstHeartbeats: first, maxSustainedHeartbeats: maxRate, resumedSessionHeartbeats: resumedRate, audit, database: d } = s;
  const nominalHb = s.nominalHeartbeatsDuringAudit;
  const nominal = nominalHb.target;
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  const f0 = (x: number) => x.toFixed(0);
  const f1 = (x: number) => x.toFixed(1);
  const cpu = (c: PhaseCpu) =>
    `CPU s: collectors ${f1(c.collectorsCpuS)}, PostgreSQL ${f1(c.postgresCpuS)}, load generator ${f1(c.loadgenCpuS)} in ${f1(c.wallS)} s wall`;
  // Projection: the rate if both cores were the fleet's alone (2 CPU-seconds per second).
  const projected = (us: number) => 2e6 / us;
  return [
    `| fleet (2 collector instances, 1 PostgreSQL, ${s.kiosks} kiosks, loopback) | figure | target | met |`,
    '|---|---|---|---|',
    `| first heartbeat of each kiosk (TLS handshake + new boot, ${s.concurrency.first} in flight) | ${f0(first.rate)}/s, p50 ${f1(first.p50)} ms, p99 ${f1(first.p99)} ms | — | |`,
    `| max sustained heartbeats (closed loop, ${s.concurrency.heartbeats} in flight, keep-alive, ${f0(maxRate.cpu.wallS)} s) | ${f0(maxRate.rate)}/s, p50 ${f1(maxRate.p50)} ms, p99 ${f1(maxRate.p99)} ms | ≥ 1,000/s | ${maxRate.rate >= 1000 ? 'yes' : 'no'} |`,
    `| heartbeats on a new connection each, TLS session resumed, alternating instances (closed loop, ${s.concurrency.heartbeats} in flight, ${f0(resumedRate.cpu.wallS)} s) | ${f0(resumedRate.rate)}/s, p50 ${f1(resumedRate.p50)} ms, p99 ${f1(resumedRate.p99)} ms, ${resumedRate.resumedSessions} of ${resumedRate.sent} resumed | ≥ 1,000/s | ${resumedRate.rate >= 1000 ? 'yes' : 'no'} |`,
    `| kiosks row updates that were HOT (pg_stat_user_tables) | ${s.kioskRowUpdates.hot} of ${s.kioskRowUpdates.updates} | — | |`,
    `| audit records ingested (${audit.records} in batches of ${audit.batch} from ${audit.auditKiosks} kiosks, fleet heartbeating meanwhile) | ${f0(audit.rate)}/s, batch p50 ${f0(audit.batchP50)} ms, p99 ${f0(audit.batchP99)} ms, ${audit.retries} retries | ≥ 5,000/s | ${audit.rate >= 5000 ? 'yes' : 'no'} |`,
    `| heartbeats during the audit phase (nominal ${f1(nominal)}/s open loop, kept-alive connections) | ${f1(nominalHb.rate)}/s, p50 ${f1(nominalHb.p50)} ms, p99 ${f1(nominalHb.p99)} ms | ≥ ${f1(nominal)}/s | ${nominalHb.rate >= nominal * 0.95 ? 'yes' : 'no'} |`,
    `| PostgreSQL size of the audit tables per million records (${audit.sealedFraction * 100}% with a 320-byte sealed blob) | ${mb(d.bytesPerMillionRecords)} MiB | — | |`,
    `| in the database: records stored / distinct / expected; alerts; heartbeats answered 200 (not answered: timeout or error), stored sequence ≥ last acknowledged | ${d.stored} / ${d.distinct} / ${audit.expected}; ${d.alerts}; ${d.heartbeatsAccepted} (${d.heartbeatsFailed}), ${d.heartbeatSeqMatches ? 'yes' : 'NO'} | none lost or duplicated | ${lostAnything(s) ? 'NO' : 'yes'} |`,
    `| collector + PostgreSQL CPU per heartbeat, kept-alive connection (max phase) → projection: rate if both cores were the fleet's alone | ${f1(s.cpuPerHeartbeatUs)} µs → ${f0(projected(s.cpuPerHeartbeatUs))}/s | ≥ 1,000/s | ${projected(s.cpuPerHeartbeatUs) >= 1000 ? 'yes' : 'no'} |`,
    `| collector + PostgreSQL CPU per heartbeat, new connection with resumed TLS session → projection | ${f1(s.cpuPerResumedHeartbeatUs)} µs → ${f0(projected(s.cpuPerResumedHeartbeatUs))}/s | ≥ 1,000/s | ${projected(s.cpuPerResumedHeartbeatUs) >= 1000 ? 'yes' : 'no'} |`,
    `| collector + PostgreSQL CPU per first heartbeat (full mutual-TLS handshake + new boot) → projection | ${f1(s.cpuPerFirstHeartbeatUs)} µs → ${f0(projected(s.cpuPerFirstHeartbeatUs))}/s | — | |`,
    `| collector + PostgreSQL CPU per audit record → rate if both cores were the fleet's alone | ${f1(s.cpuPerRecordUs)} µs → ${f0(projected(s.cpuPerRecordUs))}/s | ≥ 5,000/s | ${projected(s.cpuPerRecordUs) >= 5000 ? 'yes' : 'no'} |`,
    '',
    `load average (1 min, sampled every 5 s) at start ${s.loadAverage.start.toFixed(1)}, mean ${s.loadAverage.mean.toFixed(1)}, max ${s.loadAverage.max.toFixed(1)}, at end ${s.loadAverage.end.toFixed(1)} on ${s.machine.cores} cores: the wall-clock rates above are what this share of the machine gave`,
    `first heartbeats: ${cpu(first.cpu)}`,
    `max heartbeats:   ${cpu(maxRate.cpu)}`,
    `resumed sessions: ${cpu(resumedRate.cpu)}`,
    `audit phase:      ${cpu(audit.cpu)}`,
  ];
}
