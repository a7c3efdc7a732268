// The audit trail in SQLite (WAL, synchronous=FULL: a record the kiosk reported written survives power
// loss). One transaction appends the record, moves the signed head and queues the record in the outbox.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DeviceKey } from '../device/device-key.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { anchorStatement, genesisHash, headStatement, recordHash, sha256Hex } from './chain.ts';
import type { AuditBody, SessionFacts } from './record.ts';
import { SEAL_ALGORITHM } from './seal.ts';

export interface StoredRecord {
  seq: number;
  time: string;
  body: string;
  sealed: Buffer | null;
  prev_hash: Buffer;
  hash: Buffer;
  sig: Buffer;
}

export interface SignedPoint {
  seq: number;
  /** anchor: hash before the first retained record; head: hash of the last record. */
  hash: string;
  sig: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY, time TEXT NOT NULL, body TEXT NOT NULL, sealed BLOB,
  prev_hash BLOB NOT NULL, hash BLOB NOT NULL, sig BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY);
`;

export function openAuditDb(file: string, readonly = false): Database.Database {
  if (!readonly) mkdirSync(dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (e) {
    throw new KioskError(ErrorCodes.AUDIT_CHAIN_BROKEN, `cannot open audit database ${file}: ${(e as Error).message}`);
  }
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
  }
  db.pragma('busy_timeout = 5000');
  return db;
}

export class AuditStore {
  readonly db: Database.Database;
  private chain!: string;
  private head!: { seq: number; hash: Buffer };
  private readonly insert: Database.Statement;
  private readonly queue: Database.Statement;
  private readonly setMeta: Database.Statement;

  constructor(
    readonly file: string,
    private readonly key: DeviceKey,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = openAuditDb(file);
    this.insert = this.db.prepare('INSERT INTO records (seq, time, body, sealed, prev_hash, hash, sig) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.queue = this.db.prepare('INSERT INTO outbox (seq) VALUES (?)');
    this.setMeta = this.db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v');
    this.load();
  }

  private meta(k: string): string | undefined {
    return (this.db.prepare('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined)?.v;
  }

  private load(): void {
    const chain = this.meta('chain');
    if (!chain) {
      this.startChain();
      return;
    }
    this.chain = chain;
    const head = JSON.parse(this.meta('head') ?? 'null') as SignedPoint | null;
    if (!head) throw new KioskError(ErrorCodes.AUDIT_CHAIN_BROKEN, 'audit database has a chain id but no head');
    this.head = { seq: head.seq, hash: Buffer.from(head.hash, 'hex') };
  }

  /** A new, empty chain (first start, or after a wipe). */
  private startChain(): void {
    const chain = randomUUID();
    const g = genesisHash(chain);
    this.db.transaction(() => {
      this.setMeta.run('chain', chain);
      this.setMeta.run('key', this.key.fingerprint);
      this.setMeta.run('publicKey', this.key.publicKeyPem());
      this.writeAnchor(chain, 1, g);
      this.writeHead(chain, 0, g);
    })();
    this.chain = chain;
    this.head = { seq: 0, hash: g };
  }

  private writeAnchor(chain: string, seq: number, prev: Buffer): void {
    const p: SignedPoint = { seq, hash: prev.toString('hex'), sig: this.key.sign(anchorStatement(chain, seq, prev)).toString('base64') };
    this.setMeta.run('anchor', JSON.stringify(p));
  }

  private writeHead(chain: string, seq: number, hash: Buffer): void {
    const p: SignedPoint = { seq, hash: hash.toString('hex'), sig: this.key.sign(headStatement(chain, seq, hash)).toString('base64') };
    this.setMeta.run('head', JSON.stringify(p));
  }

  chainId(): string {
    return this.chain;
  }

  headPoint(): { seq: number; hash: string } {
    return { seq: this.head.seq, hash: this.head.hash.toString('hex') };
  }

  /**
   * Appends one record. `seal` (when personal data is enabled) gets the record's AAD and returns the
   * sealed blob. Returns the body as stored.
   */
  append(facts: SessionFacts, seal?: (aad: Buffer) => Buffer): AuditBody {
    return this.db.transaction(() => {
      const seq = this.head.seq + 1;
      const sealed = seal ? seal(sealAad(this.chain, seq)) : null;
      const body: AuditBody = {
        v: 1,
        seq,
        chain: this.chain,
        ...facts,
        sealed: sealed ? { alg: SEAL_ALGORITHM, sha256: sha256Hex(sealed) } : null,
      };
      const text = JSON.stringify(body);
      const prev = this.head.hash;
      const hash = recordHash(prev, text);
      this.insert.run(seq, facts.time, text, sealed, prev, hash, this.key.sign(hash));
      this.queue.run(seq);
      this.writeHead(this.chain, seq, hash);
      this.head = { seq, hash };
      return body;
    })();
  }

  /** Records queued for upload, oldest first. */
  pending(limit: number): StoredRecord[] {
    return this.db.prepare('SELECT r.* FROM outbox o JOIN records r ON r.seq = o.seq ORDER BY o.seq LIMIT ?').all(limit) as StoredRecord[];
  }

  pendingCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  /** The operator acknowledged everything up to and including `seq` of the batch it was sent. */
  acknowledge(seqs: number[]): number {
    const del = this.db.prepare('DELETE FROM outbox WHERE seq = ?');
    return this.db.transaction(() => seqs.reduce((n, s) => n + del.run(s).changes, 0))();
  }

  /**
   * Retention: drops acknowledged records older than `days` from the start of the chain (never past a
   * record still in the outbox) and moves the signed anchor; erases acknowledged sealed blobs older than `sealedDays`.
   */
  prune(days: number, sealedDays: number): { removed: number; erased: number } {
    const now = this.now().getTime();
    const cutoff = new Date(now - days * 86400_000).toISOString();
    const sealedCutoff = new Date(now - sealedDays * 86400_000).toISOString();
    return this.db.transaction(() => {
      const firstPending = (this.db.prepare('SELECT min(seq) AS s FROM outbox').get() as { s: number | null }).s ?? Infinity;
      const last = this.db
        .prepare('SELECT max(seq) AS s FROM records WHERE time < ? AND seq < ?')
        .get(cutoff, Number.isFinite(firstPending) ? firstPending : Number.MAX_SAFE_INTEGER) as { s: number | null };
      let removed = 0;
      if (last.s !== null) {
        // Keep the chain contiguous: only a prefix goes, and the anchor names the hash the rest builds on.
        const next = this.db.prepare('SELECT seq, prev_hash FROM records WHERE seq > ? ORDER BY seq LIMIT 1').get(last.s) as
          | { seq: number; prev_hash: Buffer }
          | undefined;
        const lastRow = this.db.prepare('SELECT hash FROM records WHERE seq = ?').get(last.s) as { hash: Buffer };
        removed = this.db.prepare('DELETE FROM records WHERE seq <= ?').run(last.s).changes;
        this.writeAnchor(this.chain, next?.seq ?? last.s + 1, next?.prev_hash ?? lastRow.hash);
      }
      const erased = this.db
        .prepare('UPDATE records SET sealed = NULL WHERE sealed IS NOT NULL AND time < ? AND seq NOT IN (SELECT seq FROM outbox)')
        .run(sealedCutoff).changes;
      return { removed, erased };
    })();
  }

  /** Deletes every record and starts a new chain (decommissioning, or a deliberate reset). */
  wipe(): string {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM records; DELETE FROM outbox; DELETE FROM meta;');
    })();
    this.startChain();
    this.db.exec('VACUUM');
    return this.chain;
  }

  close(): void {
    this.db.close();
  }
}

/** Sealed data is bound to its chain and position: a blob copied to another record does not open. */
export function sealAad(chain: string, seq: number): Buffer {
  return Buffer.from(`idkiosk-audit-seal\n${chain}\n${seq}`);
}
