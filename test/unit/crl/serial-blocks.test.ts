// The serial blocks a generation is made of: the hash that places a serial (MurmurHash3 x86_32, checked
// against the published test vectors), the partitioner that hands entries over in hash order with and
// without spilling to disk, and the block codec: every entry found with its own payload, absent serials
// not found, a serial listed twice kept once (the first).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hashSerial } from '../../../daemon/trust/crl/serial-hash.ts';
import { EntryPartitioner } from '../../../daemon/trust/crl/entry-partitioner.ts';
import { BlockEncoder, blockBits, blockEntries, blockOf, findInBlock } from '../../../daemon/trust/crl/serial-blocks.ts';
import { makeCa } from '../../harness/crl-fixtures.ts';
import { generateCrl } from '../../harness/crl-generate.ts';
import { CrlStore } from '../../../daemon/trust/crl/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'idkiosk-serial-blocks-'));
let k = 0;

describe('hashSerial = MurmurHash3 x86_32', () => {
  // vectors published with the algorithm's ports (SMHasher's MurmurHash3_x86_32; the set collected in
  // "MurmurHash3 test vectors", Stack Overflow question 14747343)
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['ffffffff', 0, 0x76293b50],
    ['21436587', 0, 0xf55b516b],
    ['21436587', 0x5082edee, 0x2362f9de],
    ['214365', 0, 0x7e4a8634],
  ])('%s seed %d', (hex, seed, want) => {
    const b = Buffer.from(`00${hex}00`, 'hex'); // an offset window, as the reader passes it
    expect(hashSerial(b, 1, b.length - 1, seed)).toBe(want);
  });
});

interface Entry {
  serial: Buffer;
  revokedAt: number;
  reason: number;
  invalidity: number;
}

/** Entries → partitioner → encoder → blocks; then look every entry up, and some absent serials. */
function roundTrip(entries: Entry[], bufferBytes: number) {
  const seed = randomBytes(4).readUInt32LE(0);
  const spill = join(dir, `spill-${k++}`);
  const p = new EntryPartitioner(spill, seed, bufferBytes);
  for (const e of entries) p.add(e.serial, 0, e.serial.length, e.revokedAt, e.reason, e.invalidity);
  const bits = blockBits(p.count);
  const blocks = new Map<number, Buffer>();
  let last = -1;
  const enc = new BlockEncoder(bits, (id, data) => {
    expect(id).toBeGreaterThan(last); // ascending, each block once
    last = id;
    blocks.set(id, Buffer.from(data));
  });
  let prevHash = -1;
  let ordered = true;
  p.finish((h, rec, off) => {
    if (h < prevHash) ordered = false;
    prevHash = h;
    enc.push(h, rec, off);
  }, enc.end);
  expect(ordered).toBe(true);
  const spilled = existsSync(spill);
  p.close();
  rmSync(spill, { force: true });
  const find = (serial: Buffer) => {
    const h = hashSerial(serial, 0, serial.length, seed);
    const b = blocks.get(blockOf(h, bits));
    return b && findInBlock(b, serial, h, seed);
  };
  return { find, kept: enc.kept, spilled, blocks };
}

function expectAllFound(entries: Entry[], r: ReturnType<typeof roundTrip>) {
  const first = new Map<string, Entry>();
  for (const e of entries) if (!first.has(e.serial.toString('hex'))) first.set(e.serial.toString('hex'), e);
  expect(r.kept).toBe(first.size);
  const wrong: string[] = [];
  for (const e of first.values()) {
    const got = r.find(e.serial);
    const want = { revoked_at: e.revokedAt, reason: e.reason < 0 ? null : e.reason, invalidity: Number.isNaN(e.invalidity) ? null : e.invalidity };
    if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${e.serial.toString('hex')}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
  }
  expect(wrong).toEqual([]);
  let listed = 0;
  for (const b of r.blocks.values()) for (const [serial] of blockEntries(b)) listed += first.has(serial.toString('hex')) ? 1 : 0;
  expect(listed).toBe(first.size);
}

// serials from a small alphabet and short lengths, so prefixes, zero bytes and duplicates occur
const serialArb = fc.array(fc.constantFrom(0x00, 0x01, 0x80, 0xff), { minLength: 1, maxLength: 6 }).map((a) => Buffer.from(a));
const wideSerialArb = fc.uint8Array({ minLength: 1, maxLength: 32 }).map((a) => Buffer.from(a));
const entryArb = fc.record({
  serial: fc.oneof(serialArb, wideSerialArb),
  revokedAt: fc.integer({ min: -62_167_219_200, max: 253_402_300_799 }), // years 0000–9999
  reason: fc.constantFrom(-1, 0, 1, 2, 3, 4, 5, 6, 8, 9, 10),
  invalidity: fc.oneof(fc.constant(NaN), fc.integer({ min: 0, max: 4_102_444_800 })),
});

describe('EntryPartitioner + BlockEncoder', () => {
  it('every entry is found with its own payload, in memory and across spills; duplicates keep the first', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 400, size: 'max' }), fc.constantFrom(200, 2000, 1 << 20), (entries, arena) => {
        const r = roundTrip(entries, arena);
        expectAllFound(entries, r);
        for (const s of [Buffer.from([0x42, 0x42, 0x42]), randomBytes(20)]) {
          if (!entries.some((e) => e.serial.equals(s))) expect(r.find(s)).toBeUndefined();
        }
      }),
      { numRuns: 80 },
    );
  });

  it('spills only when the entries do not fit in the arena; both paths give the same answers', () => {
    const entries = Array.from({ length: 20_000 }, (_, i) => ({
      serial: randomBytes(16),
      revokedAt: 1_700_000_000 + i,
      reason: i % 11 === 7 ? -1 : i % 11,
      invalidity: i % 5 ? NaN : i,
    }));
    const small = roundTrip(entries, 64 << 10);
    expect(small.spilled).toBe(true);
    expectAllFound(entries, small);
    const big = roundTrip(entries, 8 << 20);
    expect(big.spilled).toBe(false);
    expectAllFound(entries, big);
    // blocks stay near the target size whatever the serials look like (hashing spreads shared prefixes)
    const prefix = randomBytes(12);
    const shared = Array.from({ length: 20_000 }, (_, i) => ({
      serial: Buffer.concat([prefix, Buffer.from([i >> 8, i & 255])]),
      revokedAt: 0,
      reason: -1,
      invalidity: NaN,
    }));
    const r = roundTrip(shared, 1 << 20);
    expectAllFound(shared, r);
    const sizes = [...r.blocks.values()].map((b) => b.readUInt32LE(0));
    expect(Math.max(...sizes)).toBeLessThan(400);
  });

  it('rejects a serial longer than the reader accepts', () => {
    const p = new EntryPartitioner(join(dir, 'never'), 1);
    expect(() => p.add(Buffer.alloc(33, 1), 0, 33, 0, -1, NaN)).toThrow(RangeError);
    p.close();
  });
});

describe('import with spilled entries', () => {
  it('builds the same store as an in-memory import: every serial found, counts right', () => {
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
    for (const bufferBytes of [32 << 10, undefined]) {
      const store = new CrlStore(join(dir, `store-${k++}`), { recheckMs: 0 });
      const r = store.import(file, ca.cert, { bufferBytes });
      expect(r.revokedInForce).toBe(20_000);
      expect(store.status()[0]).toMatchObject({ entries: 20_000 });
      for (const s of kept.filter((_, i) => i % 97 === 0)) expect(store.lookup(r.issuerId, s)).toBeDefined();
      expect(store.lookup(r.issuerId, Buffer.from('7f'.repeat(16), 'hex'))).toBeUndefined();
      expect(new Set(store.listRevoked(r.issuerId).keys())).toEqual(new Set(kept.map((s) => s.toString('hex'))));
      store.close();
    }
  });
});
