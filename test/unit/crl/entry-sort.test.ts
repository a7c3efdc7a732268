// The external sort that orders CRL entries by serial before a generation database is built: the order
// must be SQLite's BLOB order (= Buffer.compare), every entry must come out once with its payload, with
// and without spilling runs to disk, for random, shared-prefix, duplicate and already-sorted serials.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { EntrySorter } from '../../../daemon/trust/crl/entry-sort.ts';
import { makeCa } from '../../harness/crl-fixtures.ts';
import { generateCrl } from '../../harness/crl-generate.ts';
import { CrlStore } from '../../../daemon/trust/crl/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'idkiosk-entry-sort-'));
let k = 0;

interface Row {
  serial: Buffer;
  packed: number;
  inv: number;
}

function sortAll(serials: Buffer[], runBytes: number): { out: Row[]; spilled: boolean } {
  const path = join(dir, `spill-${k++}`);
  const s = new EntrySorter(path, runBytes);
  serials.forEach((b, i) => s.add(b, 0, b.length, i * 16 + 3, i % 3 === 0 ? i : NaN));
  const out: Row[] = [];
  // copy only every few rows late, to catch a view that did not live as long as promised
  const pending: { view: Buffer; copy: Buffer }[] = [];
  s.finish((serial, packed, inv) => {
    out.push({ serial: Buffer.from(serial), packed, inv });
    pending.push({ view: serial, copy: Buffer.from(serial) });
    if (pending.length === 256) {
      for (const p of pending) expect(p.view.equals(p.copy)).toBe(true);
      pending.length = 0;
    }
  });
  const spilled = existsSync(path);
  s.close();
  rmSync(path, { force: true });
  return { out, spilled };
}

function expectSorted(serials: Buffer[], out: Row[]) {
  expect(out).toHaveLength(serials.length);
  for (let i = 1; i < out.length; i++) expect(Buffer.compare(out[i - 1]!.serial, out[i]!.serial)).toBeLessThanOrEqual(0);
  // every input entry comes out once, with its own payload
  const want = serials.map((b, i) => `${b.toString('hex')}/${i * 16 + 3}/${i % 3 === 0 ? i : 'NaN'}`).sort();
  const got = out.map((r) => `${r.serial.toString('hex')}/${r.packed}/${Number.isNaN(r.inv) ? 'NaN' : r.inv}`).sort();
  expect(got).toEqual(want);
}

// serials drawn from a small alphabet and short lengths, so prefixes, zero padding and duplicates occur
const serialArb = fc
  .array(fc.constantFrom(0x00, 0x01, 0x80, 0xff), { minLength: 1, maxLength: 6 })
  .map((a) => Buffer.from(a));
const wideSerialArb = fc.uint8Array({ minLength: 1, maxLength: 32 }).map((a) => Buffer.from(a));

describe('EntrySorter', () => {
  it('orders like Buffer.compare (SQLite BLOB order), in memory and across spilled runs', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(serialArb, serialArb, wideSerialArb), { maxLength: 400, size: 'max' }), fc.constantFrom(64, 300, 1 << 20), (serials, runBytes) => {
        expectSorted(serials, sortAll(serials, runBytes).out);
      }),
      { numRuns: 150 },
    );
  });

  it('spills only when the entries do not fit in one run', () => {
    const serials = Array.from({ length: 5000 }, () => randomBytes(16));
    const small = sortAll(serials, 4096);
    expect(small.spilled).toBe(true);
    expectSorted(serials, small.out);
    const big = sortAll(serials, 1 << 20);
    expect(big.spilled).toBe(false);
    expectSorted(serials, big.out);
  });

  it('sorts serials that share a long prefix (ties on the radix key) and already-sorted input', () => {
    const prefix = randomBytes(10);
    const shared = Array.from({ length: 20_000 }, () => Buffer.concat([prefix, randomBytes(6)]));
    expectSorted(shared, sortAll(shared, 64 << 10).out);
    const sorted = shared.slice().sort(Buffer.compare);
    expectSorted(sorted, sortAll(sorted, 64 << 10).out);
    const reversed = sorted.slice().reverse();
    expectSorted(reversed, sortAll(reversed, 1 << 20).out);
  });

  it('rejects a serial longer than the reader accepts', () => {
    const s = new EntrySorter(join(dir, 'never'));
    expect(() => s.add(Buffer.alloc(33, 1), 0, 33, 0, NaN)).toThrow(RangeError);
    s.close();
  });
});

describe('import with spilled runs', () => {
  it('builds the same generation as an in-memory sort: every serial present, key order intact', () => {
    const ca = makeCa({ cn: 'Spill Test CA' });
    const file = join(dir, 'spill.crl');
    const kept: Buffer[] = [];
    generateCrl({
      out: file,
      entries: 20_000,
      issuer: ca.name,
      signer: ca.signer,
      thisUpdate: new Date(Date.now() - 3600_000),
      nextUpdate: new Date(Date.now() + 86400_000),
      crlNumber: 5,
      onSerial: (_i, s) => kept.push(Buffer.from(s)),
    });
    const root = join(dir, 'spill-store');
    const store = new CrlStore(root, { recheckMs: 0 });
    const r = store.import(file, ca.cert, { runBytes: 32 << 10 });
    expect(r.revokedInForce).toBe(20_000);
    for (const s of kept.filter((_, i) => i % 97 === 0)) expect(store.lookup(r.issuerId, s)).toBeDefined();
    store.close();
    const db = new Database(join(root, 'issuers', r.issuerId, r.generation), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const serials = (db.prepare('SELECT serial FROM revoked').raw().all() as [Buffer][]).map((x) => x[0]);
    expect(serials).toEqual(kept.slice().sort(Buffer.compare));
    db.close();
  });
});
