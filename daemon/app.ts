// The composition root: builds the drivers named in the configuration (or simulated ones), the trust
// material, the document flow, the kiosk runtime and the UI server, and tears them down in order. Each
// started resource is registered as it starts (started-resources.ts): stop closes them newest first, and
// so does a start that fails at a later step, which then throws DAEMON_START_FAILED naming the step.
import { PcscReaderDriver } from '../drivers/reader/pcsc-binding.ts';
import { SimulatedReaderDriver } from '../drivers/reader/simulated-binding.ts';
import type { ReaderDriver } from '../drivers/reader/types.ts';
import type { KioskConfig } from './config/config.ts';
import type { DemoCards } from './demo/demo-cards.ts';
import type { VirtualCardSource } from './demo/virtual-card-source.ts';
import { demoSessionConfig, demoSessionView, type DemoSessionChoice } from './demo/demo-session.ts';
import { DOCUMENTS } from './documents/registry.ts';
import { routingFlow } from './documents/router.ts';
import type { DocumentHandler } from './documents/document-handler.ts';
import { KioskRuntime } from './kiosk/runtime.ts';
import type { DocumentFlow } from './kiosk/document-flow.ts';
import type { TimerHost } from './kiosk/timer-host.ts';
import { startPeripherals, type Peripherals } from './kiosk/peripherals.ts';
import type { ApiServer } from './api/api-server.ts';
import { DeviceKey } from './device/device-key.ts';
import { perBootToken } from './server/ui-token.ts';
import { startOperations, type Operations, type OperationsOptions } from './health/operations.ts';
import { asLogger, type Logger, type LogSink } from '../core/log.ts';
import { ErrorCodes, KioskError, toKioskError } from '../core/errors.ts';
import { StartedResources } from './started-resources.ts';
import { Ticker } from '../core/ticker.ts';
import { startUiServer, type UiServer } from './server/ui-server.ts';
import type { RevocationChecker } from './trust/revocation.ts';
import { revocationFromConfig } from './trust/revocation-source.ts';
import { TrustStore } from './trust/trust-store.ts';
import { policyFlow } from './policy/policy-flow.ts';
import { policyRegistry, runnableDocuments, type PolicyRegistry } from './policy/policy.ts';
import { statusCheckFromConfig } from './policy/status-check-config.ts';
import { FallbackRevocationChecker } from './trust/ocsp/fallback-checker.ts';
import { PlatformRevocationChecker, type PlatformStatusApi } from './trust/ocsp/platform-status.ts';

export interface StartOptions {
  config: KioskConfig;
  /** Simulated hardware wherever the configuration names no real device. */
  simulated?: boolean;
  /**
   * Demo panel on the screen: these virtual cards on the simulated reader (the caller's card set, e.g.
   * drivers/sim/demo's DemoCardSet; the daemon never imports the emulators). Implies simulated.
   */
  demo?: VirtualCardSource | null;
  version?: string;
  /** The daemon's Logger (core/log.ts); a plain line function (tests) is wrapped by asLogger. */
  log?: LogSink;
  /** Override the revocation source (tests, demo). */
  revocation?: RevocationChecker;
  /** A platform operator's certificate-status API (daemon/trust/ocsp/platform-status.ts): asked first, then OCSP/CRL. */
  platformStatus?: PlatformStatusApi;
  /** Override the device key (tests); otherwise device.keyFile, or an in-memory key when simulated. */
  deviceKey?: DeviceKey;
  /** Reuse this screen token (tests restarting the daemon); otherwise server.tokenFile or a fresh one. */
  uiToken?: string;
  /** Audit trail, health server, heartbeat, sd_notify: test overrides (fake NOTIFY_SOCKET, no listener). */
  operations?: Pick<OperationsOptions, 'env' | 'healthServer' | 'clock'>;
  /** The session runtime's timers (tests drive entry warnings, timeouts and card-left reminders by hand). */
  timers?: TimerHost;
  /** Test seam: called after each start step; a throw here is handled as that step failing. */
  afterStep?: (step: StartStep) => void | Promise<void>;
}

/** The start steps, in order (DAEMON_START_FAILED's detail.step names the one that failed). */
export const START_STEPS = [
  'reader',
  'trust',
  'documents',
  'runtime',
  'device-key',
  'peripherals',
  'runtime-start',
  'ui-server',
  'api-server',
  'operations',
] as const;
export type StartStep = (typeof START_STEPS)[number];

export interface Kiosk {
  runtime: KioskRuntime;
  reader: ReaderDriver;
  server: UiServer;
  demo: DemoCards | null;
  peripherals: Peripherals;
  api: ApiServer | null;
  deviceKey: DeviceKey;
  /** Audit trail, health, metrics, heartbeat, systemd notify/watchdog (daemon/health/operations.ts). */
  operations: Operations;
  /** Maintenance mode (provisioning, selftest): the screen says so and no session starts. */
  setMaintenance(on: boolean): void;
  stop(): Promise<void>;
}

export async function startKiosk(o: StartOptions): Promise<Kiosk> {
  const log = asLogger(o.log);
  const started = new StartedResources(log);
  let step: StartStep = START_STEPS[0]; // the step running now
  const timing = new StartTiming();
  const done = async (s: StartStep) => {
    timing.mark(s);
    await o.afterStep?.(s);
    step = START_STEPS[START_STEPS.indexOf(s) + 1] ?? s;
  };
  try {
    const kiosk = await startSteps(o, log, started, done, timing);
    void kiosk.operations.deferred.then(() => {
      timing.mark('loaded after READY');
      log.debug(timing.summary());
    });
    return kiosk;
  } catch (e) {
    const failedToClose = await started.closeAll();
    const cause = e instanceof KioskError ? e.code : e instanceof Error ? (((e as { code?: unknown }).code as string | undefined) ?? e.name) : typeof e;
    log.error(
      `start failed at ${step} (${cause}); closed ${[...started.names()].reverse().join(', ') || 'nothing'}${failedToClose.length ? `; failed to close ${failedToClose.join(', ')}` : ''}`,
    );
    throw new KioskError(
      ErrorCodes.DAEMON_START_FAILED,
      `start failed at ${step}: ${e instanceof Error ? e.message : String(e)}`,
      { step, cause: String(cause) },
      { cause: e },
    );
  }
}

/**
 * What each start step cost, for IDKIOSK_LOG_LEVEL=debug (issue 20: where a start's time goes): CPU and
 * wall ms since the process started, so the first figure is node, the modules and the configuration.
 */
class StartTiming {
  private readonly marks: { name: string; cpu: number; wall: number }[] = [];
  constructor() {
    this.mark('modules+config');
  }
  mark(name: string): void {
    const c = process.cpuUsage();
    this.marks.push({ name, cpu: (c.user + c.system) / 1000, wall: performance.now() });
  }
  summary(): string {
    const parts = this.marks.map((m, i) => {
      const prev = this.marks[i - 1];
      const cpu = prev ? m.cpu - prev.cpu : m.cpu;
      const wall = prev ? m.wall - prev.wall : m.wall;
      return `${m.name} ${cpu.toFixed(0)}/${wall.toFixed(0)}`;
    });
    return `start, ms CPU/wall per step since the process started: ${parts.join(', ')}`;
  }
}

async function startSteps(o: StartOptions, log: Logger, started: StartedResources, done: (s: StartStep) => Promise<void>, timing: StartTiming): Promise<Kiosk> {
  // A demo daemon runs the My Number card by mode (the panel switches mode and policy, demo-session.ts).
  const cfg = o.demo ? demoSessionConfig(o.config, { mode: o.config.mynumber.mode, policy: o.config.policy.walkUpPolicy }) : o.config;
  const simulated = o.simulated || o.demo;
  const backend = o.demo ? 'simulated' : (cfg.reader.backend ?? (simulated ? 'simulated' : 'pcsc'));
  const transmitTimeoutMs = cfg.reader.cardTimeoutMs;
  const reader: ReaderDriver =
    backend === 'simulated' ? new SimulatedReaderDriver(undefined, { transmitTimeoutMs }) : new PcscReaderDriver({ log, transmitTimeoutMs });
  const offReaderLog = reader.on('service', (e) => log(`reader service ${e.available ? 'available' : `unavailable (${e.reason ?? ''})`}`));

  // What only some kiosks use loads only there (issue 20): the demo's cards, the passport's master lists
  // (CMS), the integration API.
  const demo = o.demo && reader instanceof SimulatedReaderDriver ? new (await import('./demo/demo-cards.ts')).DemoCards(reader, o.demo) : null;
  started.add('reader', async () => {
    await reader.stop();
    offReaderLog();
    demo?.dispose();
  });
  await done('reader');
  const stores = new Map<string, TrustStore>();
  for (const [purpose, files] of Object.entries(cfg.trust)) {
    // CSCA entries may be ICAO master lists as well as certificates (lists only from configured signers);
    // the CMS code that reads lists loads only when there are CSCA entries (~250 ms CPU here).
    const anchors =
      purpose === 'csca' && files.length > 0
        ? (await import('./documents/passport/pki/csca-store.ts')).loadCscaFiles(files, cfg.passport)
        : TrustStore.fromFiles(files).anchors;
    const extra = demo?.anchors(purpose) ?? [];
    const store = new TrustStore([...anchors, ...extra]);
    stores.set(purpose, store);
    for (const a of store.describe()) log(`trust anchor [${purpose}] ${a.fingerprintSha256} ${a.subject.replace(/\n/g, ', ')}`);
  }
  const trust = (purpose: string) => stores.get(purpose) ?? new TrustStore([]);
  await done('trust');

  const baseRevocation =
    o.revocation ??
    (demo && !cfg.revocation.crlDb ? demo.revocation : revocationFromConfig(cfg.revocation.crlDb, cfg.revocation.graceSeconds, cfg.revocation.ocsp));
  const revocation = o.platformStatus ? new FallbackRevocationChecker([new PlatformRevocationChecker(o.platformStatus), baseRevocation]) : baseRevocation;
  const setupEnv = { trust, revocation, demo, log };
  let session = sessionSetup(cfg, setupEnv);
  // The runtime runs whichever session setup is current when a card arrives (a demo switch replaces it
  // while idle; a session in progress keeps the flow it started with).
  const flow: DocumentFlow = { run: (ctx) => session.flow.run(ctx) };
  await done('documents');
  const runtime = new KioskRuntime({
    reader,
    flow,
    timeouts: cfg.timeouts,
    cardSession: { extended: cfg.reader.extendedApdu },
    log,
    timers: o.timers,
  });
  started.add('runtime', () => runtime.stop());
  runtime.events.on('session-ended', ({ session, result }) =>
    log(`session ${session} ended: ${result.outcome}${result.reasons.length ? ` (${result.reasons.join(', ')})` : ''}`),
  );
  await done('runtime');
  const deviceKey = o.deviceKey ?? loadDeviceKey(cfg.device.keyFile, log);
  await done('device-key');
  // One timer for the periodic jobs of an idle kiosk (printer poll, watchdog, loop sample, clock: issue 20).
  // It goes with the peripherals (the first part that uses it; operations, stopped before them, is the other).
  const ticker = new Ticker((e) => log.error(`ticker: a periodic job threw (${e instanceof Error ? e.message : String(e)})`));
  const peripherals = await startPeripherals({ config: cfg, runtime, simulated: !!simulated, deviceKey, log, every: ticker.every }).catch((e: unknown) => {
    ticker.stop();
    throw e;
  });
  started.add('peripherals', async () => {
    await peripherals.stop();
    ticker.stop();
  });
  await done('peripherals');
  runtime.start();
  await done('runtime-start');

  // Demo only: the panel's mode/policy switch, while idle, through the same sessionSetup as the start.
  const switchSession = (choice: DemoSessionChoice): { code: string; message: string } | undefined => {
    const phase = runtime.getState().phase;
    if (phase !== 'idle') return { code: ErrorCodes.SESSION_BUSY, message: `demo: switch refused while ${phase}` };
    try {
      const next = sessionSetup(demoSessionConfig(cfg, choice), setupEnv);
      if (choice.policy !== null && next.idleDocuments.length === 0) {
        return { code: ErrorCodes.CONFIG_INVALID, message: `demo: policy ${choice.policy} has no document this kiosk reads in My Number mode ${choice.mode}` };
      }
      session = next;
    } catch (e) {
      const err = toKioskError(e);
      return { code: err.code, message: err.message };
    }
    log(`demo: My Number mode ${choice.mode}, walk-up policy ${choice.policy ?? 'none'}`);
    server.setDocuments(session.idleDocuments);
    return undefined;
  };
  const uiToken = o.uiToken ?? (cfg.server.tokenFile ? perBootToken(cfg.server.tokenFile).token : undefined);
  const server = await startUiServer({
    runtime,
    host: cfg.server.host,
    port: cfg.server.port,
    kioskId: cfg.kioskId,
    version: o.version ?? '0.0.0',
    // The idle screen lists the walk-up policy's documents (all enabled documents without one).
    documents: session.idleDocuments,
    token: uiToken,
    devices: peripherals.devices,
    health: peripherals.health,
    log,
    demo: demo
      ? {
          onAction: (m) => {
            if (m.type === 'demo-insert') demo.insert(m.card);
            else if (m.type === 'demo-remove') demo.remove();
            else if (m.type === 'demo-session') return switchSession(m);
            else if (m.fault === 'printer-paper-end' || m.fault === 'printer-ok') peripherals.virtualPrinter?.setPaper(m.fault === 'printer-ok' ? 'ok' : 'end');
            else if (m.fault === 'reader-lost' || m.fault === 'reader-back') demo.setReaderAvailable(m.fault === 'reader-back');
            else runtime.block('maintenance', m.fault === 'maintenance-on');
          },
          receiptSvg: peripherals.lastReceiptSvg,
          session: () => demoSessionView(session.cfg),
        }
      : undefined,
  });
  started.add('ui-server', () => server.close());
  await done('ui-server');
  const api = cfg.api.enabled
    ? await (await import('./api/api-server.ts')).startApiServer({
        config: cfg.api,
        runtime,
        deviceKey,
        kioskId: cfg.kioskId,
        version: o.version ?? '0.0.0',
        // Read per request: a demo switch (switchSession) replaces the session's documents and policies.
        offer: () => ({ documents: session.enabledDocuments, policies: session.policies }),
        log,
        statusCheck: statusCheckFromConfig(cfg) ?? undefined,
      })
    : null;
  if (api) {
    started.add('api-server', () => api.close());
    log(`integration API: ${api.url}`);
  }
  await done('api-server');
  // Last: sends READY=1 once the database, the listeners and the drivers above are up.
  const operations = await startOperations({
    config: cfg,
    runtime,
    reader,
    deviceKey,
    printer: peripherals.printer,
    keypad: peripherals.keypad,
    uiHost: cfg.server.host,
    uiPort: server.port,
    version: o.version ?? '0.0.0',
    log,
    ticker,
    // After READY: load the document flows, so the first card does not wait for them. A card that comes
    // sooner waits for its flow; a flow that cannot load fails its sessions (closed), logged here.
    afterReady: () => {
      timing.mark('READY');
      return prepareDocuments(session, log);
    },
    ...o.operations,
  });
  started.add('operations', () => operations.stop());
  await done('operations');

  return {
    runtime,
    reader,
    server,
    demo,
    peripherals,
    api,
    deviceKey,
    operations,
    setMaintenance: (on) => runtime.block('maintenance', on),
    // Newest first: operations, API, screen server, peripherals, runtime, reader.
    async stop() {
      await started.closeAll();
    },
  };
}

/** Loads every document flow of the session setup (lazyHandler in documents/registry.ts); logs a failure. */
async function prepareDocuments(session: SessionSetup, log: Logger): Promise<void> {
  const results = await Promise.allSettled(session.handlers.map((h) => h.prepare?.()));
  results.forEach((r, i) => {
    if (r.status === 'rejected') log.error(`document ${session.handlers[i]?.id}: flow failed to load (${toKioskError(r.reason).message}); its sessions fail`);
  });
}

/** The device key from device.keyFile; without one (development, simulated runs) an in-memory key. */
function loadDeviceKey(file: string | null, log: Logger): DeviceKey {
  if (file) return DeviceKey.load(file);
  log.warn('no device.keyFile: receipts and API results are signed with a key that lives only until the daemon stops');
  return DeviceKey.ephemeral();
}

/** One session setup: the document handlers, the flow under the policies, and what the idle screen lists. */
interface SessionSetup {
  cfg: KioskConfig;
  flow: DocumentFlow;
  handlers: readonly DocumentHandler[];
  /** The handlers' document ids (a by-mode 'mynumber' under its concrete id). */
  enabledDocuments: string[];
  /** The walk-up policy's documents, or every enabled document without one. */
  idleDocuments: string[];
  policies: PolicyRegistry;
}

/**
 * Builds the document flow a session runs from a configuration: the one way, used at start and by the
 * demo panel's switch (daemon/demo/demo-session.ts).
 */
function sessionSetup(
  cfg: KioskConfig,
  env: { trust: (purpose: string) => TrustStore; revocation: RevocationChecker; demo: DemoCards | null; log: Logger },
): SessionSetup {
  const { trust, revocation, demo, log } = env;
  const handlers: DocumentHandler[] = cfg.documents.flatMap((id) => {
    const factory = DOCUMENTS.get(id);
    if (!factory) {
      log.warn(`document '${id}' is not available in this version; skipped`);
      return [];
    }
    return [
      factory({ trust, revocation, now: () => new Date(), mynumber: demo ? demo.myNumberConfig(cfg.mynumber) : cfg.mynumber, passport: cfg.passport, log }),
    ];
  });
  // An integration-API request narrows the documents the next card is read for.
  const documentFlow: DocumentFlow = {
    run: (ctx) => {
      const wanted = ctx.documents;
      return routingFlow(wanted ? handlers.filter((h) => wanted.includes(h.id)) : handlers).run(ctx);
    },
  };
  // Verification policies (daemon/policy/): a session under a policy reads only its documents and its result
  // is answered and filtered by the policy (age yes/no, legal-method entries, disclosure).
  const policies = policyRegistry(cfg.policy.policies);
  const flow = policyFlow(documentFlow, { policies, walkUpPolicy: cfg.policy.walkUpPolicy, now: () => new Date() });
  const enabledDocuments = handlers.map((h) => h.id);
  const walkUp = cfg.policy.walkUpPolicy ? policies.get(cfg.policy.walkUpPolicy) : undefined;
  return { cfg, flow, handlers, enabledDocuments, idleDocuments: walkUp ? runnableDocuments(walkUp, enabledDocuments) : enabledDocuments, policies };
}
