// Everything that lets a technician install and an operator watch the kiosk, started by the composition
// root once the database, the listener and the drivers are up: the audit trail, health state, metrics,
// the loopback health server, the fleet heartbeat, and systemd READY + the health-fed watchdog.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { ReaderDriver } from '../../drivers/reader/types.ts';
import { AuditService } from '../audit/audit-service.ts';
import type { KioskConfig } from '../config/config.ts';
import type { DeviceKey } from '../device/device-key.ts';
import { readOptional } from '../device/signed-post.ts';
import type { KioskRuntime } from '../kiosk/runtime.ts';
import type { Logger } from '../../core/log.ts';
import { perBootToken } from '../server/ui-token.ts';
import { CrlStore } from '../trust/crl/store.ts';
import { ClockMonitor, type ClockProbeOptions } from './clock.ts';
import { startHealthServer, type HealthServer } from './health-server.ts';
import { HealthState, type KeypadProbe, type PrinterProbe } from './health-state.ts';
import { Heartbeat } from './heartbeat.ts';
import { LoopStallMonitor } from './loop-stall.ts';
import { createMetrics, type KioskMetrics } from './metrics.ts';
import { createNotifier, type Notifier } from './sd-notify.ts';
import { type Probe, startWatchdog, type WatchdogHandle } from './watchdog.ts';
import { StartedResources } from '../started-resources.ts';
import { Ticker } from '../../core/ticker.ts';

export interface OperationsOptions {
  config: KioskConfig;
  runtime: KioskRuntime;
  reader: ReaderDriver;
  deviceKey: DeviceKey;
  printer?: PrinterProbe | null;
  keypad?: KeypadProbe | null;
  /** Port the UI server listens on (the watchdog checks it accepts connections). */
  uiPort: number;
  uiHost: string;
  version: string;
  log: Logger;
  /** Environment for sd_notify (tests pass a fake NOTIFY_SOCKET). */
  env?: Record<string, string | undefined>;
  clock?: ClockProbeOptions;
  /** Start the /healthz + /metrics listener (default true). */
  healthServer?: boolean;
  /**
   * The daemon's shared periodic timer (core/ticker.ts): the watchdog tick, the idle loop sample and the
   * clock refresh run on it, so an idle kiosk wakes once for all of them. Default: one of its own.
   */
  ticker?: Ticker;
  /**
   * Work deferred until after READY=1 (the daemon loads its document flows here; prom-client loads after
   * it), before the clock probe, loop monitor and watchdog start; not awaited by startOperations
   * (Operations.deferred). It must not reject: a failure is the caller's to log.
   */
  afterReady?: () => Promise<void>;
}

export interface Operations {
  health: HealthState;
  metrics: KioskMetrics;
  audit: AuditService | null;
  healthServer: HealthServer | null;
  heartbeat: Heartbeat | null;
  notifier: Notifier;
  /** Set once `deferred` settles (null before, and without WATCHDOG_USEC). */
  watchdog: WatchdogHandle | null;
  /** Settles when the work deferred past READY (OperationsOptions.afterReady, prom-client) is done. */
  deferred: Promise<void>;
  stop(): Promise<void>;
}

/** The watchdog fails the event-loop probe when the loop was blocked this long. */
const BLOCKED_LOOP_MS = 5000;
/** How often the loop sampler runs while there is work (loop-stall.ts). */
const LOOP_SAMPLE_MS = 2000;
/**
 * …and while the kiosk is idle: the watchdog's tick under the unit's WatchdogSec=30s, so both share the
 * ticker's wake-up (issue 20: ≤ 1 ms CPU/s). A block is seen however long the window (loop-stall.ts).
 */
const LOOP_IDLE_SAMPLE_MS = 15_000;
/** How often the clock's sync state is refreshed (a flag-file stat; timedatectl at most every 5 min). */
const CLOCK_REFRESH_MS = 60_000;

/**
 * Whether `host:port` accepts a TCP connection: true on connect, false on an error, on `timeoutMs`, or
 * when `signal` aborts first. The watchdog passes its tick's signal and no timeout (a timer, even one
 * cleared at once, wakes an idle process when it would have fired: issue 20).
 */
export function tcpAccepts(host: string, port: number, o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    if (o.signal?.aborted) return resolve(false);
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      o.signal?.removeEventListener('abort', onAbort);
      s.destroy();
      resolve(ok);
    };
    const onAbort = () => done(false);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.timeoutMs) s.setTimeout(o.timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Starts them in order; if a step throws, what had started is closed (newest first) before the error goes
 * up, and stop() closes the same list.
 */
export async function startOperations(o: OperationsOptions): Promise<Operations> {
  const started = new StartedResources(o.log);
  try {
    return await startInOrder(o, started);
  } catch (e) {
    await started.closeAll();
    throw e;
  }
}

/** The device's mutual-TLS client certificate for the fleet and the audit upload, when both files are configured. */
export function deviceClientCert(cfg: KioskConfig): { cert: Buffer; key: Buffer } | undefined {
  return cfg.device.certFile && cfg.device.keyFile ? { cert: readFileSync(cfg.device.certFile), key: readFileSync(cfg.device.keyFile) } : undefined;
}

/** The audit trail the configuration asks for (null without audit.db: sessions go unrecorded, with a warning). */
export function auditFromConfig(o: Pick<OperationsOptions, 'config' | 'deviceKey' | 'version' | 'log'>): AuditService | null {
  const cfg = o.config;
  if (!cfg.audit.db) {
    o.log.warn('audit.db is not set: sessions are not recorded in an audit trail');
    return null;
  }
  return new AuditService({
    config: cfg.audit,
    key: o.deviceKey,
    context: {
      kioskId: cfg.kioskId,
      site: cfg.site,
      operator: cfg.operator,
      softwareVersion: o.version,
      revocationSource: cfg.revocation.crlDb ? 'crl' : 'none',
    },
    clientCert: deviceClientCert(cfg),
    log: o.log,
  });
}

/** Maintenance mode as the health snapshot reports it: on while the runtime is blocked for maintenance. */
export function maintenanceStatus(runtime: Pick<KioskRuntime, 'getState'>): { active: boolean; reason: string | null } {
  const s = runtime.getState() as { blockedBy?: string[] };
  const active = !!s.blockedBy?.includes('maintenance');
  return { active, reason: active ? 'maintenance' : null };
}

/** The health state over every part it watches; `audit` and `crl` absent when not configured. */
export function healthStateFor(
  o: Pick<OperationsOptions, 'config' | 'version' | 'runtime' | 'reader' | 'printer' | 'keypad'>,
  parts: { audit: AuditService | null; crl: CrlStore | null; clock: ClockMonitor },
): HealthState {
  const cfg = o.config;
  const { audit, crl, clock } = parts;
  return new HealthState({
    kioskId: cfg.kioskId,
    site: cfg.site,
    version: o.version,
    runtime: o.runtime,
    reader: o.reader,
    printer: o.printer,
    keypad: o.keypad,
    crl,
    clock: () => clock.current(),
    disk: { path: cfg.health.diskPath, minFreeMb: cfg.health.minFreeMb },
    audit: audit && {
      head: () => audit.store.headPoint(),
      pendingUpload: () => audit.store.pendingCount(),
      lastUploadError: () => audit.outbox?.lastError ?? null,
      lastWriteError: () => audit.lastWriteError,
    },
    maintenance: () => maintenanceStatus(o.runtime),
  });
}

/**
 * The loopback /healthz + /metrics listener. One that cannot bind (port taken) must not take the kiosk
 * down: logged and null, and visible to the fleet through the heartbeat, which does not depend on it.
 */
export async function startHealthListener(
  o: Pick<OperationsOptions, 'config' | 'runtime' | 'log'>,
  health: Pick<HealthState, 'snapshot'>,
  metrics: Pick<KioskMetrics, 'registry'>,
): Promise<HealthServer | null> {
  const cfg = o.config;
  const maintenanceToken = cfg.health.maintenanceTokenFile ? perBootToken(cfg.health.maintenanceTokenFile).token : null;
  return startHealthServer({
    host: cfg.health.host,
    port: cfg.health.port,
    allowRemote: cfg.health.allowRemote,
    snapshot: () => health.snapshot(),
    registry: metrics.registry,
    maintenance: maintenanceToken ? { token: maintenanceToken, set: (on) => o.runtime.block('maintenance', on) } : undefined,
    log: o.log,
  }).catch((e: Error) => {
    o.log(`health: cannot listen on ${cfg.health.host}:${cfg.health.port} (${(e as NodeJS.ErrnoException).code ?? e.message}); /healthz and /metrics are off`);
    return null;
  });
}

/** The fleet heartbeat the configuration asks for (null without fleet.url); not started. */
export function heartbeatFromConfig(o: Pick<OperationsOptions, 'config' | 'deviceKey' | 'log'>, health: Pick<HealthState, 'snapshot'>): Heartbeat | null {
  const cfg = o.config;
  if (!cfg.fleet.url) return null;
  return new Heartbeat({
    target: { url: cfg.fleet.url, ca: readOptional(cfg.fleet.caFile), clientCert: deviceClientCert(cfg) },
    key: o.deviceKey,
    intervalMs: cfg.fleet.intervalSeconds * 1000,
    snapshot: () => health.snapshot(),
    identity: { kioskId: cfg.kioskId, site: cfg.site, operator: cfg.operator },
    log: o.log,
  });
}

/**
 * What the systemd watchdog checks before each ping: the event loop was not blocked for BLOCKED_LOOP_MS
 * (when a stall monitor runs), the audit database is writable (when there is one), the screen's listener
 * accepts connections (a wildcard bind is probed on loopback).
 */
export function watchdogChecks(
  o: Pick<OperationsOptions, 'uiHost' | 'uiPort'>,
  parts: { stall: Pick<LoopStallMonitor, 'takeWorstGapMs'> | null; audit: Pick<AuditService, 'healthy'> | null },
): Probe[] {
  const { stall, audit } = parts;
  return [
    { name: 'event-loop', check: () => !stall || stall.takeWorstGapMs() < BLOCKED_LOOP_MS },
    { name: 'audit-db', check: () => audit?.healthy() ?? true },
    { name: 'ui-listener', check: (signal) => tcpAccepts(o.uiHost === '0.0.0.0' ? '127.0.0.1' : o.uiHost, o.uiPort, { signal }) },
  ];
}

async function startInOrder(o: OperationsOptions, started: StartedResources): Promise<Operations> {
  const cfg = o.config;
  const log = o.log;
  let ticker = o.ticker;
  if (!ticker) {
    const own = new Ticker((e) => log(`ticker: a periodic job threw (${(e as Error).message})`));
    started.add('ticker', () => own.stop());
    ticker = own;
  }
  const notifier = createNotifier(o.env ?? process.env, log);
  started.add('sd-notify', () => notifier.close());
  if (notifier.disabledReason) log(`sd_notify off: ${notifier.disabledReason}`);

  const audit = auditFromConfig(o);
  if (audit) {
    const offAudit = o.runtime.events.on('session-ended', ({ session, result }) => void audit.record(session, result), 'audit');
    started.add('audit', async () => {
      offAudit();
      await audit.stop();
    });
    audit.start();
  }

  const clock = new ClockMonitor(o.clock);
  started.add('clock', () => clock.stop());
  const crl = cfg.revocation.crlDb ? new CrlStore(cfg.revocation.crlDb) : null;
  if (crl) started.add('crl-store', () => crl.close());

  const health = healthStateFor(o, { audit, crl, clock });
  started.add('health', () => health.stop());
  // One loop sampler (loop-stall.ts) for the watchdog's blocked-loop probe and the event-loop lag metrics;
  // it starts after READY (below), so start-up work is neither a stall nor a lag.
  const stall = new LoopStallMonitor(LOOP_SAMPLE_MS, { idleEveryMs: LOOP_IDLE_SAMPLE_MS, every: ticker.every });
  const metrics = createMetrics({
    runtime: o.runtime,
    reader: o.reader,
    health,
    labels: { kiosk: cfg.kioskId, site: cfg.site, version: o.version },
    loop: stall,
  });
  started.add('metrics', () => metrics.stop());

  const healthServer = o.healthServer === false ? null : await startHealthListener(o, health, metrics);
  if (healthServer) {
    started.add('health-server', () => healthServer.close());
    log(`health: ${healthServer.url}/healthz and /metrics`);
  }

  const heartbeat = heartbeatFromConfig(o, health);
  if (heartbeat) {
    started.add('heartbeat', () => heartbeat.stop());
    heartbeat.start();
  }

  // READY: the database, the listener and the drivers are up (this runs after all of them started).
  await notifier.ready(`kiosk ${cfg.kioskId} ready`);
  let stopped = false;
  // STOPPING=1 once the monitors below have stopped, before anything else goes (even if stopped before they start).
  started.add('sd-notify-stopping', () => notifier.stopping());
  const ops: Operations = {
    health,
    metrics,
    audit,
    healthServer,
    heartbeat,
    notifier,
    watchdog: null,
    deferred: Promise.resolve(),
    // Newest first: watchdog, loop monitor, STOPPING=1, heartbeat, health listener, metrics, health, CRL
    // store, clock, audit trail, sd_notify socket.
    async stop() {
      stopped = true;
      await started.closeAll();
    },
  };
  // What READY does not need loads first (issue 20): the caller's (the document flows), then prom-client
  // (metrics.ts; /metrics fails, logged, if it cannot). Not awaited: start returns at READY. The monitors
  // start after it, so that start-up work counts as neither a stall nor a lag, and the first watchdog
  // ping comes after it (WatchdogSec=30 leaves far more room than a load takes on a Pi).
  ops.deferred = (async () => {
    await o.afterReady?.();
    await metrics.load().catch((e: Error) => log.error(`metrics: prom-client failed to load (${e.message}); /metrics answers 500`));
    if (stopped) return;
    // The clock's sync state is a health signal, not a precondition of verifying: it is probed after READY
    // (timedatectl is a process spawn, tens of ms on a Pi). Until that first probe answers — the flag file's
    // check is immediate — /healthz says CLOCK_SYNC_UNKNOWN ("not probed yet"), never "synchronized".
    clock.start(CLOCK_REFRESH_MS, ticker.every);
    // Blocked-loop detection for the watchdog (when systemd asks for one) and the lag metrics: a block of
    // B ms shows as ≥ B ms of loop activity in one window (loop-stall.ts), so a block ≥ 5 s always fails
    // the probe (systemd restarts only after WatchdogSec without a ping, i.e. two failing ticks in a row).
    // A card, a PIN, a session (every runtime state change) is work: the sampler takes the short period.
    const offActivity = o.runtime.events.on('state', () => stall.activity(), 'loop-stall');
    started.add('loop-stall', () => {
      offActivity();
      stall.stop();
    });
    stall.start();
    const watchdog = startWatchdog(notifier, watchdogChecks(o, { stall: notifier.watchdogMs() ? stall : null, audit }), { log, every: ticker.every });
    if (watchdog) started.add('watchdog', () => watchdog.stop());
    ops.watchdog = watchdog;
  })();
  return ops;
}
