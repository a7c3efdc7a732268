// `audit verify`: walks the chain from the signed anchor to the signed head and names every record that
// was edited, deleted, inserted or moved. Verification uses a public key given from outside the database
// (the device key file, or the operator's copy of it), so rewriting the database wholesale is caught too.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import { verifyEs256 } from '../device/device-key.ts';

/** Chains written before the kiosk issued low-S signatures keep verifying (device-key.ts verifyEs256). */
const LEGACY = { acceptHighS: true } as const;
import { anchorStatement, headStatement, recordHash, sha256Hex } from './chain.ts';
import type { SignedPoint, StoredRecord } from './audit-store.ts';
import type { AuditBody } from './record.ts';

export type ProblemKind = 'edited' | 'deleted' | 'inserted' | 'reordered' | 'anchor' | 'head' | 'key';

export interface Problem {
  kind: ProblemKind;
  seq: number | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  chain: string | null;
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Records whose sealed personal data was erased by retention (allowed: the hash stays in the body). */
  sealedErased: number;
  problems: Problem[];
  /** 'external' when a key was given, 'database' when only the key stored in the database was available. */
  keySource: 'external' | 'database';
}

function meta(db: Database.Database, k: string): string | undefined {
  return (db.prepare('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined)?.v;
}

export function verifyAudit(db: Database.Database, externalKey?: KeyObject): VerifyReport {
  const problems: Problem[] = [];
  const chain = meta(db, 'chain') ?? null;
  const storedKey = meta(db, 'publicKey');
  const key = externalKey ?? (storedKey ? createPublicKey(storedKey) : undefined);
  const report: VerifyReport = {
    ok: false,
    chain,
    records: 0,
    firstSeq: null,
    lastSeq: null,
    sealedErased: 0,
    problems,
    keySource: externalKey ? 'external' : 'database',
  };
  if (!chain || !key) {
    problems.push({ kind: 'key', seq: null, message: 'no chain id or public key in the database' });
    return report;
  }
  const anchor = JSON.parse(meta(db, 'anchor') ?? 'null') as SignedPoint | null;
  const head = JSON.parse(meta(db, 'head') ?? 'null') as SignedPoint | null;
  if (!anchor || !verifyEs256(key, anchorStatement(chain, anchor.seq, Buffer.from(anchor.hash, 'hex')), Buffer.from(anchor.sig, 'base64'), LEGACY)) {
    problems.push({
      kind: 'anchor',
      seq: anchor?.seq ?? null,
      message: 'the chain anchor is missing or not signed by the device key (records removed from the start?)',
    });
  }
  if (!head || !verifyEs256(key, headStatement(chain, head.seq, Buffer.from(head.hash, 'hex')), Buffer.from(head.sig, 'base64'), LEGACY)) {
    problems.push({ kind: 'head', seq: head?.seq ?? null, message: 'the chain head is missing or not signed by the device key' });
  }

  let expected = anchor?.seq ?? 1;
  let prevHash: Buffer | null = anchor ? Buffer.from(anchor.hash, 'hex') : null;
  const seenSeqs = new Set<number>();
  const hashes = new Set<string>();
  const rows = db.prepare('SELECT * FROM records ORDER BY seq').iterate() as IterableIterator<StoredRecord>;
  for (const r of rows) {
    report.records++;
    report.firstSeq ??= r.seq;
    report.lastSeq = r.seq;
    let body: AuditBody | null = null;
    try {
      body = JSON.parse(r.body) as AuditBody;
    } catch {
      /* unparsable: judged by its hash below */
    }
    const recomputed = recordHash(r.prev_hash, r.body);
    const authentic = recomputed.equals(r.hash) && verifyEs256(key, r.hash, r.sig, LEGACY);
    if (!authentic) {
      // Signed by the device but changed since → edited; never signed by it → inserted.
      const signedOnce = verifyEs256(key, r.hash, r.sig, LEGACY);
      problems.push(
        signedOnce
          ? { kind: 'edited', seq: r.seq, message: `record ${r.seq} was changed after it was signed` }
          : { kind: 'inserted', seq: r.seq, message: `record ${r.seq} was not signed by the device key` },
      );
    } else if (!body || body.chain !== chain) {
      problems.push({ kind: 'inserted', seq: r.seq, message: `record ${r.seq} belongs to another chain` });
    } else if (body.seq !== r.seq) {
      problems.push(
        seenSeqs.has(body.seq)
          ? { kind: 'inserted', seq: r.seq, message: `record ${r.seq} is a copy of record ${body.seq}` }
          : { kind: 'reordered', seq: r.seq, message: `record ${body.seq} was moved to position ${r.seq}` },
      );
    } else {
      if (r.seq < expected) problems.push({ kind: 'inserted', seq: r.seq, message: `record ${r.seq} lies before the signed anchor (${expected})` });
      else if (r.seq > expected) problems.push({ kind: 'deleted', seq: expected, message: `records ${expected}–${r.seq - 1} are missing` });
      else if (prevHash && !r.prev_hash.equals(prevHash)) {
        problems.push(
          hashes.has(r.prev_hash.toString('hex'))
            ? { kind: 'reordered', seq: r.seq, message: `record ${r.seq} does not follow the record before it` }
            : { kind: 'deleted', seq: r.seq, message: `the record before ${r.seq} is not the one it was chained to` },
        );
      }
      if (body.sealed && r.sealed && sha256Hex(r.sealed) !== body.sealed.sha256) {
        problems.push({ kind: 'edited', seq: r.seq, message: `record ${r.seq}: sealed data does not match its hash` });
      } else if (body.sealed && !r.sealed) report.sealedErased++;
      else if (!body.sealed && r.sealed) problems.push({ kind: 'inserted', seq: r.seq, message: `record ${r.seq}: sealed data added after signing` });
    }
    if (body && typeof body.seq === 'number') seenSeqs.add(body.seq);
    hashes.add(r.hash.toString('hex'));
    prevHash = r.hash;
    expected = r.seq + 1;
  }
  if (head) {
    const last = report.lastSeq ?? (anchor ? anchor.seq - 1 : 0);
    if (last < head.seq) problems.push({ kind: 'deleted', seq: last + 1, message: `records ${last + 1}–${head.seq} are missing from the end` });
    else if (last > head.seq) problems.push({ kind: 'inserted', seq: head.seq + 1, message: `records after the signed head (${head.seq}) were added` });
    else if (prevHash && report.records > 0 && prevHash.toString('hex') !== head.hash) {
      problems.push({ kind: 'edited', seq: last, message: 'the last record is not the one the head was signed for' });
    }
  }
  report.ok = problems.length === 0;
  return report;
}
