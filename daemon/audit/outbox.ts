// Uploads audit records to the operator's endpoint. A record leaves the outbox only when the endpoint
// acknowledges its sequence number, in the same SQLite transaction discipline as the append, so a crash
// (kill -9, power loss) at any point either resends a batch or has already recorded the ack. The endpoint
// treats (chain, seq) as idempotent, which turns "at least once" into "exactly once" on its side.
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { Backoff } from '../device/backoff.ts';
import type { DeviceKey } from '../device/device-key.ts';
import { postSigned, type PostTarget } from '../device/signed-post.ts';
import type { AuditStore, SignedPoint, StoredRecord } from './audit-store.ts';
import { anchorStatement, headStatement } from './chain.ts';

export interface WireRecord {
  seq: number;
  time: string;
  body: string;
  sealed: string | null;
  prevHash: string;
  hash: string;
  sig: string;
}

export interface AuditBatch {
  kind: 'idkiosk-audit-batch';
  kioskId: string;
  chain: string;
  key: string;
  publicKey: string;
  records: WireRecord[];
  /**
   * The batch's own signed bounds: an anchor statement for its first record (and the hash before it) and a
   * head statement for its last, so the collector can check the batch — and later export any run of
   * batches — with `audit verify` and the device key alone.
   */
  anchor: SignedPoint;
  head: SignedPoint;
}

/** Sends a batch; resolves with the sequence numbers the endpoint acknowledged. */
export type BatchSender = (batch: AuditBatch) => Promise<number[]>;

export function toWire(r: StoredRecord): WireRecord {
  return {
    seq: r.seq,
    time: r.time,
    body: r.body,
    sealed: r.sealed ? r.sealed.toString('base64') : null,
    prevHash: r.prev_hash.toString('hex'),
    hash: r.hash.toString('hex'),
    sig: r.sig.toString('base64'),
  };
}

export function batchBounds(key: DeviceKey, chain: string, rows: StoredRecord[]): { anchor: SignedPoint; head: SignedPoint } {
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last) throw new KioskError(ErrorCodes.INTERNAL, 'an audit batch needs at least one record');
  return {
    anchor: { seq: first.seq, hash: first.prev_hash.toString('hex'), sig: key.sign(anchorStatement(chain, first.seq, first.prev_hash)).toString('base64') },
    head: { seq: last.seq, hash: last.hash.toString('hex'), sig: key.sign(headStatement(chain, last.seq, last.hash)).toString('base64') },
  };
}

export function httpsSender(target: PostTarget, key: DeviceKey): BatchSender {
  return async (batch) => {
    const res = await postSigned(target, key, batch);
    if (res.status !== 200) throw new Error(`endpoint answered HTTP ${res.status}`);
    const parsed = JSON.parse(res.body) as { acked?: unknown };
    if (!Array.isArray(parsed.acked) || parsed.acked.some((s) => !Number.isInteger(s))) throw new Error('endpoint answered without an acked list');
    return parsed.acked as number[];
  };
}

export interface OutboxOptions {
  store: AuditStore;
  key: DeviceKey;
  kioskId: string;
  send: BatchSender;
  batchSize?: number;
  intervalMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  log?: (line: string) => void;
}

export interface FlushResult {
  sent: number;
  acked: number;
  error: string | null;
}

export class AuditOutbox {
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private inBackoff = false;
  lastError: string | null = null;
  lastSuccessAt: Date | null = null;

  constructor(private readonly o: OutboxOptions) {
    this.backoff = new Backoff(o.backoff ?? { baseMs: 2000, maxMs: 15 * 60_000 });
  }

  /** One batch: send, then drop exactly the acknowledged records that were in it. */
  async flushOnce(): Promise<FlushResult> {
    const rows = this.o.store.pending(this.o.batchSize ?? 200);
    if (!rows.length) return { sent: 0, acked: 0, error: null };
    const batch: AuditBatch = {
      kind: 'idkiosk-audit-batch',
      kioskId: this.o.kioskId,
      chain: this.o.store.chainId(),
      key: this.o.key.fingerprint,
      publicKey: this.o.key.publicKeyPem(),
      records: rows.map(toWire),
      ...batchBounds(this.o.key, this.o.store.chainId(), rows),
    };
    try {
      const acked = await this.o.send(batch);
      const inBatch = new Set(rows.map((r) => r.seq));
      const n = this.o.store.acknowledge(acked.filter((s) => inBatch.has(s)));
      this.backoff.succeed();
      this.lastError = null;
      this.lastSuccessAt = new Date();
      return { sent: rows.length, acked: n, error: null };
    } catch (e) {
      this.lastError = (e as Error).message;
      return { sent: rows.length, acked: 0, error: this.lastError };
    }
  }

  /** Sends until the outbox is empty or a batch fails. */
  async drain(): Promise<FlushResult> {
    const total: FlushResult = { sent: 0, acked: 0, error: null };
    for (;;) {
      const r = await this.flushOnce();
      total.sent += r.sent;
      total.acked += r.acked;
      if (r.error || r.sent === 0 || r.acked === 0) return { ...total, error: r.error };
    }
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** A new record was appended: send soon, unless the endpoint is failing (then the backoff decides). */
  kick(): void {
    if (!this.stopped && !this.inBackoff && !this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.cycle().finally(() => (this.running = null));
    }, ms);
    this.timer.unref();
  }

  private async cycle(): Promise<void> {
    const r = await this.drain();
    if (r.error) {
      this.inBackoff = true;
      const delay = this.backoff.fail();
      this.o.log?.(`audit upload failed (${r.error}); ${this.o.store.pendingCount()} pending, retry in ${Math.round(delay / 1000)} s`);
      this.schedule(delay);
    } else {
      this.inBackoff = false;
      this.schedule(this.o.intervalMs ?? 60_000);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
