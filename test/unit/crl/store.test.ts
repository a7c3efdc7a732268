import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readlinkSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeCa, makeLeaf } from '../../harness/crl-fixtures.ts';
import { buildCrl, extension, seq, ctx, tlv, type CrlSpec } from '../../../core/der-build.ts';
import { CrlStore } from '../../../daemon/trust/crl/store.ts';
import { CrlRevocationChecker } from '../../../daemon/trust/crl/checker.ts';
import { serialFromHex } from '../../../daemon/trust/crl/der.ts';
import { codeOf } from '../../harness/error-code.ts';
import { writeTemp } from './helpers.ts';

const ca = makeCa({ cn: 'Store Test CA' });
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-08T00:00:00Z');
const NOW = new Date('2026-01-02T00:00:00Z');
const crl = (o: Partial<CrlSpec> = {}) =>
  writeTemp(buildCrl({ issuer: ca.name, signer: ca.signer, thisUpdate: T0, nextUpdate: T1, crlNumber: 10, aki: ca.ski, ...o }));
const newStore = () => new CrlStore(mkdtempSync(join(tmpdir(), 'idkiosk-crl-store-')), { recheckMs: 0 });
const checker = (store: CrlStore, now = NOW, graceSeconds = 0) => new CrlRevocationChecker({ store, now: () => now, graceSeconds });

describe('CRL store: full import', () => {
  it('imports, answers lookups and reports status', () => {
    const s = newStore();
    const r = s.import(crl({ entries: [{ serial: 0x1234n, reason: 1 }, { serial: 0xabcdn }] }), ca.cert, { now: NOW });
    expect(r).toMatchObject({ kind: 'full', crlNumber: 'a', entries: 2, revokedInForce: 2, stale: false });
    const st = s.status();
    expect(st).toHaveLength(1);
    expect(st[0]).toMatchObject({ crlNumber: 'a', entries: 2, thisUpdate: '2026-01-01T00:00:00Z', nextUpdate: '2026-01-08T00:00:00Z' });
    expect(s.lookup(r.issuerId, serialFromHex('1234'))).toMatchObject({ reason: 1 });
    expect(s.lookup(r.issuerId, serialFromHex('00001234'))).toBeDefined(); // leading zero bytes ignored
    expect(s.lookup(r.issuerId, serialFromHex('1235'))).toBeUndefined();
  });

  it('re-importing the same file is "unchanged"; an older or equal CRL number is CRL_NOT_NEWER', () => {
    const s = newStore();
    const f = crl();
    s.import(f, ca.cert);
    expect(s.import(f, ca.cert).kind).toBe('unchanged');
    expect(codeOf(() => s.import(crl({ crlNumber: 9, entries: [{ serial: 1n }] }), ca.cert))).toBe('CRL_NOT_NEWER');
    expect(codeOf(() => s.import(crl({ crlNumber: 10, entries: [{ serial: 1n }] }), ca.cert))).toBe('CRL_NOT_NEWER');
    expect(s.import(crl({ crlNumber: 11, entries: [{ serial: 1n }] }), ca.cert).kind).toBe('full');
  });

  it('a newer full CRL replaces the previous generation; the old one stays for readers, older ones are collected', () => {
    const s = newStore();
    const a = s.import(crl({ crlNumber: 1, entries: [{ serial: 1n }] }), ca.cert);
    const b = s.import(crl({ crlNumber: 2, entries: [{ serial: 2n }] }), ca.cert);
    const c = s.import(crl({ crlNumber: 3, entries: [{ serial: 3n }] }), ca.cert);
    const dir = join(s.root, 'issuers', a.issuerId);
    expect(readlinkSync(join(dir, 'current'))).toBe(c.generation);
    expect(readlinkSync(join(dir, 'previous'))).toBe(b.generation);
    expect(s.lookup(a.issuerId, serialFromHex('01'))).toBeUndefined();
    expect(s.lookup(a.issuerId, serialFromHex('03'))).toBeDefined();
    const db = new Database(join(dir, c.generation), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('accepts a CRL without nextUpdate for 7 days from its thisUpdate (RFC 5280 §5.1.2.5 allows the omission)', () => {
    const s = newStore();
    const r = s.import(crl({ nextUpdate: undefined }), ca.cert);
    expect(Date.parse(r.nextUpdate) - Date.parse(r.thisUpdate)).toBe(7 * 86400_000);
  });

  it('a removeFromCRL entry in a complete CRL leaves its serial unrevoked (RFC 5280 §6.3.3 (k)); listed revoked too, it stays revoked', () => {
    const s = newStore();
    const r = s.import(
      crl({
        entries: [
          { serial: 1n, reason: 8 },
          { serial: 2n, reason: 1 },
          { serial: 3n, reason: 8 },
          { serial: 3n, reason: 1 },
        ],
      }),
      ca.cert,
    );
    expect(r).toMatchObject({ kind: 'full', entries: 4, revokedInForce: 2 });
    expect(s.lookup(r.issuerId, serialFromHex('01'))).toBeUndefined();
    expect(s.lookup(r.issuerId, serialFromHex('02'))).toMatchObject({ reason: 1 });
    expect(s.lookup(r.issuerId, serialFromHex('03'))).toMatchObject({ reason: 1 });
  });

  it('rejects a CRL with unsupported scope', () => {
    const s = newStore();
    const indirect = extension('551d1c', seq(tlv(0x84, Buffer.from([0xff]))), true);
    expect(codeOf(() => s.import(crl({ extensions: [indirect] }), ca.cert))).toBe('CRL_SCOPE');
    expect(s.status()).toEqual([]);
  });

  it('rejects a CRL for another issuer without touching the store', () => {
    const s = newStore();
    const other = makeCa({ cn: 'Another CA', slot: 2 });
    expect(codeOf(() => s.import(crl(), other.cert))).toBe('CRL_ISSUER_MISMATCH');
    expect(s.status()).toEqual([]);
  });
});

describe('CRL store: delta CRLs', () => {
  it('applies a delta on top of its base: adds entries, removeFromCRL deletes them', () => {
    const s = newStore();
    const r = s.import(crl({ crlNumber: 10, entries: [{ serial: 1n, reason: 6 }, { serial: 2n }] }), ca.cert);
    const d = s.import(
      crl({
        crlNumber: 11,
        deltaBase: 10,
        entries: [
          { serial: 1n, reason: 8 },
          { serial: 3n, reason: 1 },
        ],
      }),
      ca.cert,
    );
    expect(d).toMatchObject({ kind: 'delta', added: 1, removed: 1, revokedInForce: 2, baseCrlNumber: 'a', crlNumber: 'b' });
    expect(s.lookup(r.issuerId, serialFromHex('01'))).toBeUndefined();
    expect(s.lookup(r.issuerId, serialFromHex('03'))).toMatchObject({ reason: 1 });
    // a later cumulative delta against the same base
    const d2 = s.import(crl({ crlNumber: 12, deltaBase: 10, entries: [{ serial: 1n, reason: 8 }, { serial: 3n, reason: 1 }, { serial: 4n }] }), ca.cert);
    expect(d2).toMatchObject({ kind: 'delta', revokedInForce: 3 });
    expect(s.status()[0]).toMatchObject({ crlNumber: 'a', deltaCrlNumber: 'c' });
  });

  it('a delta is a small generation on top of the untouched full one; without that base the store fails closed', () => {
    const s = newStore();
    const entries = Array.from({ length: 3000 }, (_, i) => ({ serial: BigInt(0x10000 + i) }));
    const full = s.import(crl({ crlNumber: 10, entries }), ca.cert);
    const dir = join(s.root, 'issuers', full.issuerId);
    const fullBytes = readFileSync(join(dir, full.generation));
    const d = s.import(crl({ crlNumber: 11, deltaBase: 10, entries: [{ serial: 0x10001n, reason: 8 }, { serial: 5n }] }), ca.cert);
    expect(d).toMatchObject({ kind: 'delta', added: 1, removed: 1, revokedInForce: 3000 });
    expect(readFileSync(join(dir, full.generation)).equals(fullBytes)).toBe(true);
    expect(statSync(join(dir, d.generation)).size).toBeLessThan(fullBytes.length / 2);
    const meta = new Database(join(dir, d.generation), { readonly: true });
    expect(meta.prepare('SELECT schema_version, base_generation FROM crl_meta').get()).toEqual({ schema_version: 3, base_generation: full.generation });
    meta.close();
    expect(s.lookup(full.issuerId, serialFromHex('010001'))).toBeUndefined();
    expect(s.lookup(full.issuerId, serialFromHex('010002'))).toBeDefined();
    s.close();
    rmSync(join(dir, full.generation));
    const reader = new CrlStore(s.root, { recheckMs: 0 });
    expect(codeOf(() => reader.lookup(full.issuerId, serialFromHex('010002')))).toBe('CRL_STORE_UNAVAILABLE');
    reader.close();
  });

  it('rejects a delta whose base is not the CRL in force, an old delta, and a delta with no base in the store', () => {
    const s = newStore();
    expect(codeOf(() => s.import(crl({ crlNumber: 11, deltaBase: 10 }), ca.cert))).toBe('CRL_DELTA_BASE_MISMATCH');
    s.import(crl({ crlNumber: 10, entries: [{ serial: 1n }] }), ca.cert);
    expect(codeOf(() => s.import(crl({ crlNumber: 12, deltaBase: 9, entries: [{ serial: 5n }] }), ca.cert))).toBe('CRL_DELTA_BASE_MISMATCH');
    s.import(crl({ crlNumber: 12, deltaBase: 10, entries: [{ serial: 5n }] }), ca.cert);
    expect(codeOf(() => s.import(crl({ crlNumber: 11, deltaBase: 10, entries: [{ serial: 6n }] }), ca.cert))).toBe('CRL_NOT_NEWER');
    const id = s.status()[0]!.issuerId;
    expect(s.lookup(id, serialFromHex('05'))).toBeDefined();
    expect(s.lookup(id, serialFromHex('06'))).toBeUndefined();
  });

  it('a full CRL must be newer than the latest delta applied', () => {
    const s = newStore();
    s.import(crl({ crlNumber: 10 }), ca.cert);
    s.import(crl({ crlNumber: 12, deltaBase: 10, entries: [{ serial: 5n }] }), ca.cert);
    expect(codeOf(() => s.import(crl({ crlNumber: 11, entries: [{ serial: 7n }] }), ca.cert))).toBe('CRL_NOT_NEWER');
    expect(s.import(crl({ crlNumber: 13, entries: [{ serial: 7n }] }), ca.cert).kind).toBe('full');
  });
});

describe('CrlRevocationChecker (fails closed)', () => {
  const leafGood = makeLeaf(ca, 0x77n);
  const leafRevoked = makeLeaf(ca, 0x0123456789abcdefn);

  it('good, revoked (date, reason), unknown when no CRL', async () => {
    const s = newStore();
    expect(await checker(s).check(leafGood, ca.cert)).toMatchObject({ status: 'unknown', reason: 'CRL_NOT_FOUND' });
    s.import(crl({ entries: [{ serial: 0x0123456789abcdefn, reason: 1, date: new Date('2025-12-24T00:00:00Z') }] }), ca.cert);
    expect(await checker(s).check(leafGood, ca.cert)).toMatchObject({ status: 'good', source: 'crl', crlNumber: 'a', nextUpdate: '2026-01-08T00:00:00Z' });
    expect(await checker(s).check(leafRevoked, ca.cert)).toMatchObject({
      status: 'revoked',
      revokedAt: '2025-12-24T00:00:00Z',
      reason: 'keyCompromise',
    });
  });

  it('a stale CRL (past nextUpdate + grace) → unknown CRL_STALE; within grace → good', async () => {
    const s = newStore();
    s.import(crl(), ca.cert);
    const after = new Date(T1.getTime() + 3600_000);
    expect(await checker(s, after).check(leafGood, ca.cert)).toMatchObject({ status: 'unknown', reason: 'CRL_STALE' });
    expect(await checker(s, after, 7200).check(leafGood, ca.cert)).toMatchObject({ status: 'good' });
    expect(await checker(s, after, 1800).check(leafGood, ca.cert)).toMatchObject({ status: 'unknown', reason: 'CRL_STALE' });
  });

  it('a delta moves the freshness forward', async () => {
    const s = newStore();
    s.import(crl({ crlNumber: 10 }), ca.cert);
    const later = new Date('2026-01-09T00:00:00Z');
    expect((await checker(s, later).check(leafGood, ca.cert)).status).toBe('unknown');
    s.import(crl({ crlNumber: 11, deltaBase: 10, thisUpdate: new Date('2026-01-08T00:00:00Z'), nextUpdate: new Date('2026-01-10T00:00:00Z') }), ca.cert);
    expect(await checker(s, later).check(leafGood, ca.cert)).toMatchObject({ status: 'good', crlNumber: 'b' });
  });

  it('a certificate of another issuer, or outside the CRL scope, is unknown', async () => {
    const s = newStore();
    const other = makeCa({ cn: 'Other', slot: 3 });
    s.import(crl({ extensions: [extension('551d1c', seq(tlv(0x82, Buffer.from([0xff]))), true)] }), ca.cert);
    expect(await checker(s).check(makeLeaf(other, 5n), ca.cert)).toMatchObject({ status: 'unknown', reason: 'CRL_ISSUER_MISMATCH' });
    expect(await checker(s).check(leafGood, ca.cert)).toMatchObject({ status: 'unknown', reason: 'CRL_SCOPE' }); // onlyContainsCACerts
    expect(await checker(s).check(makeLeaf(ca, 9n, { ca: true }), ca.cert)).toMatchObject({ status: 'good' });
  });

  it('a partitioned CRL covers only certificates that name its distribution point', async () => {
    const s = newStore();
    const dp = ctx(0, ctx(4, ca.name)); // fullName: directoryName
    s.import(crl({ extensions: [extension('551d1c', seq(ctx(0, dp)), true)] }), ca.cert);
    expect(await checker(s).check(makeLeaf(ca, 5n, { cdpName: dp }), ca.cert)).toMatchObject({ status: 'good' });
    expect(await checker(s).check(makeLeaf(ca, 6n), ca.cert)).toMatchObject({ status: 'unknown', reason: 'CRL_SCOPE' });
  });

  it('an unreadable store → unknown CRL_STORE_UNAVAILABLE, never a throw', async () => {
    const s = newStore();
    const r = s.import(crl(), ca.cert);
    writeFileSync(join(s.root, 'issuers', r.issuerId, r.generation), 'garbage, not SQLite');
    s.close();
    expect(await checker(s).check(leafGood, ca.cert)).toMatchObject({ status: 'unknown', reason: 'CRL_STORE_UNAVAILABLE' });
  });
});
