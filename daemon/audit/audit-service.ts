// The audit trail as the daemon runs it: one record per ended session, personal data sealed only when
// the deployment enables it, the outbox uploading in the background, retention applied daily.
import type { KeyObject } from 'node:crypto';
import type { AuditConfig } from '../device/operations-config.ts';
import type { DeviceKey } from '../device/device-key.ts';
import { readOptional } from '../device/signed-post.ts';
import type { ResultView } from '../result/result-view.ts';
import { AuditStore } from './audit-store.ts';
import { AuditOutbox, httpsSender, type BatchSender } from './outbox.ts';
import { personalDataOf } from '../result/document-types.ts';
import { sessionFacts, type AuditContext } from './record.ts';
import { loadOperatorKey, seal } from './seal.ts';

export interface AuditServiceOptions {
  config: AuditConfig;
  key: DeviceKey;
  context: AuditContext;
  /** Client certificate for mutual TLS with the operator (the fleet certificate). */
  clientCert?: { cert: Buffer; key: Buffer };
  /** Override the uploader (tests). */
  send?: BatchSender;
  now?: () => Date;
  log?: (line: string) => void;
}

export class AuditService {
  readonly store: AuditStore;
  readonly outbox: AuditOutbox | null;
  private readonly operatorKey: KeyObject | null;
  private pruneTimer: NodeJS.Timeout | null = null;
  lastWriteError: string | null = null;

  constructor(private readonly o: AuditServiceOptions) {
    if (!o.config.db) throw new Error('audit.db is not configured');
    this.operatorKey = o.config.personalData && o.config.operatorKey ? loadOperatorKey(o.config.operatorKey) : null;
    this.store = new AuditStore(o.config.db, o.key, o.now);
    const up = o.config.upload;
    const send = o.send ?? (up.url ? httpsSender({ url: up.url, ca: readOptional(up.caFile), clientCert: o.clientCert }, o.key) : null);
    this.outbox = send
      ? new AuditOutbox({
          store: this.store,
          key: o.key,
          kioskId: o.context.kioskId,
          send,
          batchSize: up.batchSize,
          intervalMs: up.intervalSeconds * 1000,
          log: o.log,
        })
      : null;
  }

  start(): void {
    this.outbox?.start();
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), 6 * 3600_000);
    this.pruneTimer.unref();
  }

  /** Writes the record for one session. Never throws into the session path: failures are logged and counted. */
  record(session: number, result: ResultView): boolean {
    try {
      const facts = sessionFacts(session, result, this.o.context, (this.o.now ?? (() => new Date()))());
      const personal = this.operatorKey ? personalDataOf(result) : null;
      const key = this.operatorKey;
      this.store.append(facts, personal && key ? (aad) => seal(key, Buffer.from(JSON.stringify(personal)), aad) : undefined);
      this.lastWriteError = null;
      this.outbox?.kick();
      return true;
    } catch (e) {
      this.lastWriteError = (e as Error).message;
      this.o.log?.(`audit: record for session ${session} NOT written: ${this.lastWriteError}`);
      return false;
    }
  }

  prune(): void {
    try {
      const r = this.store.prune(this.o.config.retentionDays, this.o.config.sealedRetentionDays);
      if (r.removed || r.erased) this.o.log?.(`audit retention: ${r.removed} records pruned, ${r.erased} sealed blobs erased`);
    } catch (e) {
      this.o.log?.(`audit retention failed: ${(e as Error).message}`);
    }
  }

  /** Cheap liveness probe for the watchdog: the database answers. */
  healthy(): boolean {
    try {
      this.store.db.prepare('SELECT 1').get();
      return this.lastWriteError === null;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.outbox?.stop();
    this.store.close();
  }
}
