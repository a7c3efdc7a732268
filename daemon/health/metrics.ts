// Prometheus metrics (prom-client, a registry of our own): sessions by document and outcome, APDU-level
// errors, reader reconnects, printer state, CRL age, clock, disk, audit backlog, event-loop lag (from the
// default Node metrics). Label values are codes and ids only.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReaderDriver } from '../../drivers/reader/types.ts';
import type { KioskRuntime } from '../kiosk/runtime.ts';
import type { HealthState } from './health-state.ts';

/** Reason codes that mean the card conversation itself failed (transport or protocol), not a refusal. */
export const APDU_ERROR_CODES = new Set([
  'READER_TIMEOUT',
  'READER_TRANSMIT_FAILED',
  'CARD_MALFORMED_RESPONSE',
  'CARD_UNEXPECTED_STATUS',
  'CARD_SM_FAILED',
  'CARD_CONNECT_FAILED',
]);

export const PRINTER_STATES = ['ready', 'paper-near-end', 'paper-end', 'cover-open', 'error', 'offline', 'disconnected', 'unknown'];

export interface KioskMetrics {
  registry: Registry;
  stop(): void;
}

export function createMetrics(o: {
  runtime: KioskRuntime;
  reader: ReaderDriver;
  health: HealthState;
  labels: { kiosk: string; site: string | null; version: string };
}): KioskMetrics {
  const registry = new Registry();
  // The event-loop lag histogram samples a timer of this period, waking the daemon for it: 2 s, not 20 ms,
  // keeps an idle kiosk idle (issue 20: ≤ 1 ms CPU/s). The lags that matter on a kiosk (a stalled screen)
  // are seconds long; nodejs_eventloop_lag_seconds is measured at each scrape regardless.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 2000 });
  const sessions = new Counter({
    name: 'idkiosk_sessions_total',
    help: 'Ended sessions by document and outcome',
    labelNames: ['document', 'outcome'],
    registers: [registry],
  });
  const reasons = new Counter({ name: 'idkiosk_session_reasons_total', help: 'Reason codes of ended sessions', labelNames: ['code'], registers: [registry] });
  const apdu = new Counter({
    name: 'idkiosk_apdu_errors_total',
    help: 'Sessions ended by a transport/protocol error talking to the card',
    labelNames: ['code'],
    registers: [registry],
  });
  const reconnects = new Counter({
    name: 'idkiosk_reader_reconnects_total',
    help: 'Times the PC/SC service came back after being lost',
    registers: [registry],
  });
  new Gauge({ name: 'idkiosk_build_info', help: 'Version and identity of this kiosk', labelNames: ['kiosk', 'site', 'version'], registers: [registry] })
    .labels(o.labels.kiosk, o.labels.site ?? '', o.labels.version)
    .set(1);

  let snap: ReturnType<HealthState['snapshot']> | null = null;
  let snapAt = 0;
  const snapshot = () => {
    // one snapshot per scrape (the collect callbacks below run back to back)
    if (!snap || Date.now() - snapAt > 500) {
      snap = o.health.snapshot();
      snapAt = Date.now();
    }
    return snap;
  };
  new Gauge({
    name: 'idkiosk_reader_available',
    help: 'PC/SC service reachable and a reader present (1/0)',
    registers: [registry],
    collect() {
      const s = snapshot();
      this.set(s.reader.service && s.reader.readers.length > 0 ? 1 : 0);
    },
  });
  new Gauge({
    name: 'idkiosk_printer_state',
    help: 'Printer state (one-hot; absent when no printer is configured)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      const p = snapshot().printer;
      if (p) for (const st of PRINTER_STATES) this.labels(st).set(p.state === st ? 1 : 0);
    },
  });
  new Gauge({
    name: 'idkiosk_keypad_ready',
    help: 'Keypad ready without stuck keys (1/0; absent without keypad)',
    registers: [registry],
    collect() {
      this.reset();
      const k = snapshot().keypad;
      if (k) this.set(k.status === 'ready' && k.stuckKeys === 0 ? 1 : 0);
    },
  });
  new Gauge({
    name: 'idkiosk_crl_age_seconds',
    help: 'Seconds since the thisUpdate of the CRL in force, per issuer',
    labelNames: ['issuer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of snapshot().crl) this.labels(c.issuerId).set(c.ageSeconds);
    },
  });
  new Gauge({
    name: 'idkiosk_crl_next_update_seconds',
    help: 'Seconds until the nextUpdate of the CRL in force (negative = stale)',
    labelNames: ['issuer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of snapshot().crl) this.labels(c.issuerId).set(c.secondsUntilNextUpdate);
    },
  });
  new Gauge({
    name: 'idkiosk_clock_synchronized',
    help: 'System clock synchronised: 1 yes, 0 no, -1 unknown',
    registers: [registry],
    collect() {
      const c = snapshot().clock.synchronized;
      this.set(c === null ? -1 : c ? 1 : 0);
    },
  });
  new Gauge({
    name: 'idkiosk_disk_free_bytes',
    help: 'Free bytes on the state file system',
    registers: [registry],
    collect() {
      const d = snapshot().disk;
      if (d) this.set(d.freeBytes);
    },
  });
  new Gauge({
    name: 'idkiosk_audit_pending_records',
    help: 'Audit records waiting for the operator acknowledgement',
    registers: [registry],
    collect() {
      const a = snapshot().audit;
      if (a) this.set(a.pendingUpload);
    },
  });
  new Gauge({
    name: 'idkiosk_maintenance',
    help: 'Maintenance mode active (1/0)',
    registers: [registry],
    collect() {
      this.set(snapshot().maintenance.active ? 1 : 0);
    },
  });
  new Gauge({
    name: 'idkiosk_last_session_timestamp_seconds',
    help: 'When the last session ended',
    registers: [registry],
    collect() {
      const l = snapshot().lastSession;
      if (l) this.set(Date.parse(l.time) / 1000);
    },
  });

  // A card forgotten in the reader (issue 19): reminders fired by escalation level (3 = 3 and more), and the
  // level in force now (0: no card being reminded about).
  const cardLeftAlerts = new Counter({
    name: 'idkiosk_card_left_alerts_total',
    help: 'Card-left reminders fired, by escalation level (3: third and later)',
    labelNames: ['level'],
    registers: [registry],
  });
  new Gauge({
    name: 'idkiosk_card_left_level',
    help: 'Escalation level of the card-left reminder in force (0: none)',
    registers: [registry],
    collect() {
      this.set(o.health.cardLeft()?.level ?? 0);
    },
  });

  let serviceUp = o.reader.serviceAvailable();
  const offs = [
    o.runtime.events.on(
      'session-ended',
      ({ result }) => {
        sessions.labels(result.document ?? 'unknown', result.outcome).inc();
        for (const r of result.reasons) {
          reasons.labels(r).inc();
          if (APDU_ERROR_CODES.has(r)) apdu.labels(r).inc();
        }
      },
      'metrics',
    ),
    o.runtime.events.on(
      'alert',
      ({ kind, level }) => {
        if (kind === 'card-left') cardLeftAlerts.labels(String(Math.min(level ?? 1, 3))).inc();
      },
      'metrics',
    ),
    o.reader.on('service', (e) => {
      if (e.available && !serviceUp) reconnects.inc();
      serviceUp = e.available;
    }),
  ];
  return {
    registry,
    stop: () => {
      for (const f of offs) f();
      registry.clear();
    },
  };
}
