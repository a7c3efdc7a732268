// The composition root: builds the drivers named in the configuration (or simulated ones), the trust
// material, the document flow, the kiosk runtime and the UI server, and tears them down in order.
import { PcscReaderDriver } from '../drivers/reader/pcsc-binding.ts';
import { SimulatedReaderDriver } from '../drivers/reader/simulated-binding.ts';
import type { ReaderDriver } from '../drivers/reader/types.ts';
import type { KioskConfig } from './config/config.ts';
import { DemoCards } from './demo/demo-cards.ts';
import { DOCUMENTS } from './documents/registry.ts';
import { routingFlow } from './documents/router.ts';
import type { DocumentHandler } from './documents/document-handler.ts';
import { KioskRuntime } from './kiosk/runtime.ts';
import { silentLogger, type Logger } from './log.ts';
import { startUiServer, type UiServer } from './server/ui-server.ts';
import type { RevocationChecker } from './trust/revocation.ts';
import { revocationFromConfig } from './trust/revocation-source.ts';
import { TrustStore } from './trust/trust-store.ts';

export interface StartOptions {
  config: KioskConfig;
  /** Simulated hardware wherever the configuration names no real device. */
  simulated?: boolean;
  /** Demo panel on the screen (virtual cards on the simulated reader). Implies simulated. */
  demo?: boolean;
  version?: string;
  log?: Logger;
  /** Override the revocation source (tests, demo). */
  revocation?: RevocationChecker;
}

export interface Kiosk {
  runtime: KioskRuntime;
  reader: ReaderDriver;
  server: UiServer;
  demo: DemoCards | null;
  stop(): Promise<void>;
}

export async function startKiosk(o: StartOptions): Promise<Kiosk> {
  const log = o.log ?? silentLogger;
  const cfg = o.config;
  const simulated = o.simulated || o.demo;
  const backend = o.demo ? 'simulated' : (cfg.reader.backend ?? (simulated ? 'simulated' : 'pcsc'));
  const reader: ReaderDriver = backend === 'simulated' ? new SimulatedReaderDriver() : new PcscReaderDriver({ log });
  reader.on('service', (e) => log(`reader service ${e.available ? 'available' : `unavailable (${e.reason ?? ''})`}`));

  const demo = o.demo && reader instanceof SimulatedReaderDriver ? new DemoCards(reader) : null;
  const stores = new Map<string, TrustStore>();
  for (const [purpose, files] of Object.entries(cfg.trust)) {
    const anchors = TrustStore.fromFiles(files).anchors;
    const extra = demo?.anchors(purpose) ?? [];
    stores.set(purpose, new TrustStore([...anchors, ...extra]));
    for (const a of stores.get(purpose)!.describe()) log(`trust anchor [${purpose}] ${a.fingerprintSha256} ${a.subject.replace(/\n/g, ', ')}`);
  }
  const trust = (purpose: string) => stores.get(purpose) ?? new TrustStore([]);

  const revocation =
    o.revocation ?? (demo && !cfg.revocation.crlDb ? demo.revocation : revocationFromConfig(cfg.revocation.crlDb, cfg.revocation.graceSeconds));
  const handlers: DocumentHandler[] = cfg.documents.flatMap((id) => {
    const factory = DOCUMENTS.get(id);
    if (!factory) {
      log(`warning: document '${id}' is not available in this version; skipped`);
      return [];
    }
    return [factory({ trust, revocation, now: () => new Date(), mynumber: cfg.mynumber, log })];
  });
  const runtime = new KioskRuntime({
    reader,
    flow: routingFlow(handlers),
    timeouts: cfg.timeouts,
    cardSession: { extended: cfg.reader.extendedApdu },
    log,
  });
  runtime.events.on('session-ended', ({ session, result }) =>
    log(`session ${session} ended: ${result.outcome}${result.reasons.length ? ` (${result.reasons.join(', ')})` : ''}`),
  );
  runtime.start();

  const server = await startUiServer({
    runtime,
    host: cfg.server.host,
    port: cfg.server.port,
    kioskId: cfg.kioskId,
    version: o.version ?? '0.0.0',
    log,
    demo: demo
      ? {
          onAction: (m) => {
            if (m.type === 'demo-insert') demo.insert(m.card);
            else demo.remove();
          },
        }
      : undefined,
  });

  return {
    runtime,
    reader,
    server,
    demo,
    async stop() {
      await server.close();
      await runtime.stop();
      await reader.stop();
      demo?.dispose();
    },
  };
}
