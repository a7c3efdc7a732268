// Prometheus metrics (prom-client, a registry of our own): sessions by document and outcome, APDU-level
// errors, reader reconnects, printer state, CRL age, clock, disk, audit backlog, event-loop lag (from the
// default Node metrics). Label values are codes and ids only.
// prom-client (with the OpenTelemetry API it loads) is imported by load(), which the daemon calls right
// after READY: ~180 kB of code a start need not compile first (issue 20). Events before that are counted
// when it loads; a scrape before that waits for it.
import type { Counter, Gauge as GaugeType, Registry } from 'prom-client';
type PromClient = typeof import('prom-client');
import type { LoopStallMonitor } from './loop-stall.ts';
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

/**
 * prom-client's default event-loop lag metrics run perf_hooks.monitorEventLoopDelay, a timer of their own:
 * at the 2 s it once had here it woke an idle kiosk every 2 s besides the watchdog's loop sampler, and on
 * node 20 its histogram records the whole interval (≈ 2 s), not the lateness, so _p99 sat at ~2 s and the
 * IdkioskEventLoopLag alert (> 0.5 s) could never clear. That monitor is given a period it never reaches
 * (the largest a timer takes, ~24.8 days; prom-client offers no way to leave it out) and its metrics are
 * replaced by eventLoopLagMetrics, fed by the loop sampler the daemon runs anyway.
 */
const EVENT_LOOP_MONITOR_OFF_MS = 2 ** 31 - 1;
const LAG_STATS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;

/**
 * The nodejs_eventloop_lag_* metrics under prom-client's names and meaning (the event loop's delay, in
 * seconds): _seconds is measured at each scrape (the wait for a setImmediate, as prom-client does); the
 * _min … _p99 statistics are of the loop sampler's lateness since the previous scrape (each sample's gap
 * beyond its 2 s period, so a block of B ≥ 2 s shows as ≥ B − 2 s, and a loop that keeps stalling shows up
 * in the percentiles). With no sample since the previous scrape (or no sampler) they are NaN (Prometheus'
 * "no value"; an alert comparing it is false): nothing measured is never reported as no lag.
 */
export function eventLoopLagMetrics(pc: PromClient, registry: Registry, loop: Pick<LoopStallMonitor, 'lateness'> | null): void {
  const { Gauge } = pc;
  for (const name of ['nodejs_eventloop_lag_seconds', ...LAG_STATS.map((st) => `nodejs_eventloop_lag_${st}_seconds`)]) registry.removeSingleMetric(name);
  // registered first: a scrape collects in registration order, and this one's collect sets the others
  const stats = new Map<(typeof LAG_STATS)[number], GaugeType>();
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    registers: [registry],
    async collect() {
      const h = loop?.lateness;
      if (h && h.count > 0) {
        const value = { min: h.min, max: h.max, mean: h.mean, stddev: h.stddev, p50: h.percentile(50), p90: h.percentile(90), p99: h.percentile(99) };
        for (const [st, g] of stats) g.set(value[st] / 1e9);
        h.reset();
      } else for (const g of stats.values()) g.set(Number.NaN);
      const t0 = process.hrtime.bigint();
      await new Promise((r) => setImmediate(r));
      this.set(Number(process.hrtime.bigint() - t0) / 1e9);
    },
  });
  for (const st of LAG_STATS) {
    stats.set(
      st,
      new Gauge({
        name: `nodejs_eventloop_lag_${st}_seconds`,
        help: `The ${st} of the event loop delays sampled since the last scrape.`,
        registers: [registry],
      }),
    );
  }
}

/** What /metrics serves (the prom-client registry once loaded). */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface KioskMetrics {
  /** A scrape before load() waits for it. */
  registry: MetricsSource;
  /** Imports prom-client and builds the registry (once); events since createMetrics are counted then. */
  load(): Promise<void>;
  stop(): void;
}

interface MetricsOptions {
  runtime: KioskRuntime;
  reader: ReaderDriver;
  health: HealthState;
  labels: { kiosk: string; site: string | null; version: string };
  /** The loop sampler whose lateness histogram gives nodejs_eventloop_lag_{min,…,p99}_seconds (absent: not reported). */
  loop?: Pick<LoopStallMonitor, 'lateness'> | null;
}

/** The counters events update. */
interface EventCounters {
  sessions: Counter<'document' | 'outcome'>;
  reasons: Counter<'code'>;
  apdu: Counter<'code'>;
  reconnects: Counter;
  cardLeftAlerts: Counter<'level'>;
}

export function createMetrics(o: MetricsOptions): KioskMetrics {
  // Subscribed now, counted once prom-client is loaded: updates until then wait here (a few at most).
  let counters: EventCounters | null = null;
  const pending: ((c: EventCounters) => void)[] = [];
  const count = (f: (c: EventCounters) => void) => {
    if (counters) f(counters);
    else pending.push(f);
  };
  let serviceUp = o.reader.serviceAvailable();
  const offs = [
    o.runtime.events.on(
      'session-ended',
      ({ result }) =>
        count((c) => {
          c.sessions.labels(result.document ?? 'unknown', result.outcome).inc();
          for (const r of result.reasons) {
            c.reasons.labels(r).inc();
            if (APDU_ERROR_CODES.has(r)) c.apdu.labels(r).inc();
          }
        }),
      'metrics',
    ),
    o.runtime.events.on(
      'alert',
      ({ kind, level }) => {
        if (kind === 'card-left') count((c) => c.cardLeftAlerts.labels(String(Math.min(level ?? 1, 3))).inc());
      },
      'metrics',
    ),
    o.reader.on('service', (e) => {
      if (e.available && !serviceUp) count((c) => c.reconnects.inc());
      serviceUp = e.available;
    }),
  ];
  let registry: Registry | null = null;
  let loading: Promise<Registry> | undefined;
  const load = () =>
    (loading ??= import('prom-client').then((pc) => {
      const built = buildRegistry(pc, o);
      registry = built.registry;
      counters = built.counters;
      for (const f of pending.splice(0)) f(built.counters);
      return built.registry;
    }));
  return {
    registry: {
      metrics: async () => (await load()).metrics(),
      get contentType() {
        return registry?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8';
      },
    },
    load: async () => {
      await load();
    },
    stop: () => {
      for (const f of offs) f();
      registry?.clear();
    },
  };
}

function buildRegistry(pc: PromClient, o: MetricsOptions): { registry: Registry; counters: EventCounters } {
  const { Counter, Gauge, Registry, collectDefaultMetrics } = pc;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_MONITOR_OFF_MS });
  eventLoopLagMetrics(pc, registry, o.loop ?? null);
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

  return { registry, counters: { sessions, reasons, apdu, reconnects, cardLeftAlerts } };
}
