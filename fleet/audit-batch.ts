// An uploaded audit batch, checked by the kiosk's own verifier: the batch's records go into a scratch
// SQLite audit database shaped exactly like the kiosk's (daemon/audit/audit-store.ts), with the batch's
// signed anchor and head, and daemon/audit/verify.ts walks it with the pinned device key. So the collector
// and `idkiosk audit verify` can never disagree about what "edited", "inserted", "deleted" or "reordered"
// means, and the same loader writes the auditor's export (export.ts).
import type { KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openAuditDb, type SignedPoint } from '../daemon/audit/audit-store.ts';
import type { AuditBatch, WireRecord } from '../daemon/audit/outbox.ts';
import { verifyAudit, type VerifyReport } from '../daemon/audit/verify.ts';
import { refuse } from './http-errors.ts';

/** The batch as the kiosk's outbox sends it (one wire contract); `kind` and `publicKey` are not relied on here. */
export type Batch = Pick<AuditBatch, 'kioskId' | 'chain' | 'key' | 'records' | 'anchor' | 'head'>;

const HEX64 = /^[0-9a-f]{64}$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CHAIN = /^[A-Za-z0-9-]{1,64}$/;

function point(v: unknown, what: string): SignedPoint {
  const p = v as SignedPoint | null;
  if (
    !p ||
    typeof p !== 'object' ||
    !Number.isSafeInteger(p.seq) ||
    p.seq < 1 ||
    typeof p.hash !== 'string' ||
    !HEX64.test(p.hash) ||
    typeof p.sig !== 'string' ||
    !B64.test(p.sig) ||
    p.sig.length > 200
  ) {
    throw refuse('MALFORMED_BODY', `${what} missing or malformed (kiosk software too old to send signed batch bounds?)`);
  }
  return { seq: p.seq, hash: p.hash, sig: p.sig };
}

export function parseBatch(body: Buffer, maxRecords: number): Batch {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw refuse('MALFORMED_BODY', 'the batch is not JSON');
  }
  if (!o || typeof o !== 'object' || o.kind !== 'idkiosk-audit-batch') throw refuse('MALFORMED_BODY', 'not an idkiosk-audit-batch');
  if (typeof o.kioskId !== 'string' || typeof o.chain !== 'string' || !CHAIN.test(o.chain) || typeof o.key !== 'string')
    throw refuse('MALFORMED_BODY', 'kioskId/chain/key missing or malformed');
  if (!Array.isArray(o.records) || o.records.length === 0) throw refuse('MALFORMED_BODY', 'records must be a non-empty array');
  if (o.records.length > maxRecords) throw refuse('BODY_TOO_LARGE', `at most ${maxRecords} records per batch`);
  const records = o.records.map((x, i): WireRecord => {
    const r = x as WireRecord;
    const ok =
      r &&
      typeof r === 'object' &&
      Number.isSafeInteger(r.seq) &&
      r.seq >= 1 &&
      typeof r.time === 'string' &&
      !Number.isNaN(Date.parse(r.time)) &&
      typeof r.body === 'string' &&
      (r.sealed === null || (typeof r.sealed === 'string' && B64.test(r.sealed))) &&
      typeof r.prevHash === 'string' &&
      HEX64.test(r.prevHash) &&
      typeof r.hash === 'string' &&
      HEX64.test(r.hash) &&
      typeof r.sig === 'string' &&
      B64.test(r.sig) &&
      r.sig.length <= 200;
    if (!ok) throw refuse('MALFORMED_BODY', `record ${i} is malformed`);
    return { seq: r.seq, time: r.time, body: r.body, sealed: r.sealed, prevHash: r.prevHash, hash: r.hash, sig: r.sig };
  });
  return { kioskId: o.kioskId, chain: o.chain, key: o.key, records, anchor: point(o.anchor, 'anchor'), head: point(o.head, 'head') };
}

/** A kiosk-format audit database (file, or ':memory:') holding these records and signed bounds. */
export function writeAuditDb(
  file: string,
  o: {
    chain: string;
    publicKeyPem: string;
    anchor: SignedPoint;
    head: SignedPoint;
    records: Iterable<{ seq: number; time: string; body: string; sealed: Buffer | null; prevHash: Buffer; hash: Buffer; sig: Buffer }>;
  },
): Database.Database {
  const db = openAuditDb(file);
  const put = db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v');
  const ins = db.prepare('INSERT OR REPLACE INTO records (seq, time, body, sealed, prev_hash, hash, sig) VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    put.run('chain', o.chain);
    put.run('publicKey', o.publicKeyPem);
    put.run('anchor', JSON.stringify(o.anchor));
    put.run('head', JSON.stringify(o.head));
    for (const r of o.records) ins.run(r.seq, r.time, r.body, r.sealed, r.prevHash, r.hash, r.sig);
  })();
  return db;
}

export function decodeRecord(r: WireRecord) {
  return {
    seq: r.seq,
    time: r.time,
    body: r.body,
    sealed: r.sealed === null ? null : Buffer.from(r.sealed, 'base64'),
    prevHash: Buffer.from(r.prevHash, 'hex'),
    hash: Buffer.from(r.hash, 'hex'),
    sig: Buffer.from(r.sig, 'base64'),
  };
}

/** The kiosk's verifier over the batch alone; duplicate seqs in one batch count as an insertion. */
export function verifyBatch(batch: Batch, publicKey: KeyObject): VerifyReport {
  const seqs = new Set<number>();
  for (const r of batch.records) {
    if (seqs.has(r.seq)) {
      return {
        ok: false,
        chain: batch.chain,
        records: batch.records.length,
        firstSeq: null,
        lastSeq: null,
        sealedErased: 0,
        keySource: 'external',
        problems: [{ kind: 'inserted', seq: r.seq, message: `record ${r.seq} appears twice in the batch` }],
      };
    }
    seqs.add(r.seq);
  }
  const db = writeAuditDb(':memory:', {
    chain: batch.chain,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    anchor: batch.anchor,
    head: batch.head,
    records: batch.records.map(decodeRecord),
  });
  try {
    return verifyAudit(db, publicKey);
  } finally {
    db.close();
  }
}
