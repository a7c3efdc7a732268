// A store written before schema 2 (one SQLite row per revoked serial) after an upgrade: its generation is
// read as it is, `crl sync` of the same file says "unchanged" (not an error), and the first delta rebuilds
// it as schema 2 with every entry, the delta applied and the metadata carried over.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeCa, makeLeaf } from '../../harness/crl-fixtures.ts';
import { buildCrl, type CrlSpec } from '../../../core/der-build.ts';
import { CrlStore } from '../../../daemon/trust/crl/store.ts';
import { CrlRevocationChecker } from '../../../daemon/trust/crl/checker.ts';
import { parseCrlIssuer } from '../../../daemon/trust/crl/cert-info.ts';
import { serialFromHex } from '../../../daemon/trust/crl/der.ts';
import { syncCrls } from '../../../daemon/trust/crl/sync.ts';

// Schema 1, as idkiosk wrote it until schema 2 (kept here verbatim so the test does not depend on the code
// it checks): one WITHOUT ROWID row per serial, the file's SHA-256 in crl_meta.sha256.
const SCHEMA_1 = `
CREATE TABLE revoked (serial BLOB PRIMARY KEY, revoked_at INTEGER NOT NULL, reason INTEGER, invalidity INTEGER) WITHOUT ROWID;
CREATE TABLE crl_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1), schema_version INTEGER NOT NULL, issuer_id TEXT NOT NULL, issuer_name BLOB NOT NULL,
  issuer_cert BLOB NOT NULL, crl_number TEXT, this_update INTEGER NOT NULL, next_update INTEGER NOT NULL, sha256 TEXT NOT NULL,
  source TEXT NOT NULL, imported_at INTEGER NOT NULL, signature_algorithm TEXT NOT NULL, idp_dp BLOB,
  idp_only_user INTEGER NOT NULL DEFAULT 0, idp_only_ca INTEGER NOT NULL DEFAULT 0, delta_number TEXT, delta_this_update INTEGER,
  delta_next_update INTEGER, delta_sha256 TEXT, delta_applied_at INTEGER);
CREATE TABLE delta_log (crl_number TEXT NOT NULL, sha256 TEXT NOT NULL, source TEXT NOT NULL, applied_at INTEGER NOT NULL,
  added INTEGER NOT NULL, removed INTEGER NOT NULL);
`;

const ca = makeCa({ cn: 'Upgrade Test CA' });
const T0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
const NOW = new Date('2026-01-02T00:00:00Z');
const REVOKED_AT = Date.parse('2025-12-24T00:00:00Z') / 1000;
const spec = (o: Partial<CrlSpec> = {}): CrlSpec => ({
  issuer: ca.name,
  signer: ca.signer,
  thisUpdate: new Date(T0 * 1000),
  nextUpdate: new Date('2026-01-08T00:00:00Z'),
  crlNumber: 10,
  entries: [
    { serial: 0x1234n, reason: 1, date: new Date(REVOKED_AT * 1000) },
    { serial: 0xabcdn, date: new Date(REVOKED_AT * 1000) },
  ],
  ...o,
});

/** A store holding `crlFile` as a schema 1 generation, as the old importer left it. */
function legacyStore(crlFile: string): { root: string; issuerId: string } {
  const root = mkdtempSync(join(tmpdir(), 'idkiosk-crl-upgrade-'));
  const issuer = parseCrlIssuer(ca.cert);
  const dir = join(root, 'issuers', issuer.issuerId);
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'gen-legacy.sqlite'));
  db.exec(SCHEMA_1);
  const ins = db.prepare('INSERT INTO revoked VALUES (?, ?, ?, ?)');
  ins.run(Buffer.from('1234', 'hex'), REVOKED_AT, 1, null);
  ins.run(Buffer.from('00abcd', 'hex'), REVOKED_AT, null, null);
  db.prepare(
    `INSERT INTO crl_meta (id, schema_version, issuer_id, issuer_name, issuer_cert, crl_number, this_update, next_update, sha256, source,
       imported_at, signature_algorithm) VALUES (1, 1, ?, ?, ?, 'a', ?, ?, ?, ?, ?, 'sha256WithRSAEncryption')`,
  ).run(issuer.issuerId, ca.name, issuer.der, T0, T0 + 7 * 86400, createHash('sha256').update(readFileSync(crlFile)).digest('hex'), crlFile, T0);
  db.close();
  symlinkSync('gen-legacy.sqlite', join(dir, 'current'));
  return { root, issuerId: issuer.issuerId };
}

describe('CRL store written by schema 1', () => {
  it('is read as it is: lookups, checker, status', async () => {
    const usb = mkdtempSync(join(tmpdir(), 'idkiosk-crl-usb-'));
    writeFileSync(join(usb, 'full.crl'), buildCrl(spec()));
    const { root, issuerId } = legacyStore(join(usb, 'full.crl'));
    const store = new CrlStore(root, { recheckMs: 0 });
    expect(store.lookup(issuerId, serialFromHex('1234'))).toEqual({ revoked_at: REVOKED_AT, reason: 1, invalidity: null });
    expect(store.lookup(issuerId, serialFromHex('1235'))).toBeUndefined();
    expect(store.status()).toMatchObject([{ issuerId, crlNumber: 'a', entries: 2 }]);
    const checker = new CrlRevocationChecker({ store, now: () => NOW });
    expect(await checker.check(makeLeaf(ca, 0x1234n), ca.cert)).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(await checker.check(makeLeaf(ca, 0x77n), ca.cert)).toMatchObject({ status: 'good', crlNumber: 'a' });
    store.close();
  });

  it('crl sync after the upgrade: same file unchanged, then a delta (rebuilds as schema 2), then a newer full CRL', async () => {
    const usb = mkdtempSync(join(tmpdir(), 'idkiosk-crl-usb-'));
    writeFileSync(join(usb, 'a-full.crl'), buildCrl(spec()));
    const { root, issuerId } = legacyStore(join(usb, 'a-full.crl'));
    const caPem = join(root, 'ca.pem');
    writeFileSync(caPem, ca.cert.toString());
    const cfg = { db: root, sources: [{ path: usb, issuer: caPem }] };
    expect(await syncCrls(cfg, { now: NOW })).toMatchObject([{ result: 'unchanged', revokedInForce: 2 }]);

    writeFileSync(
      join(usb, 'b-delta.crl'),
      buildCrl(
        spec({
          crlNumber: 11,
          deltaBase: 10,
          entries: [
            { serial: 0x1234n, reason: 8 },
            { serial: 0x55n, reason: 4 },
          ],
        }),
      ),
    );
    const out = await syncCrls(cfg, { now: NOW });
    expect(out.find((o) => o.file?.endsWith('b-delta.crl'))).toMatchObject({ result: 'delta', added: 1, removed: 1, revokedInForce: 2 });
    const store = new CrlStore(root, { recheckMs: 0 });
    expect(store.lookup(issuerId, serialFromHex('1234'))).toBeUndefined();
    expect(store.lookup(issuerId, serialFromHex('abcd'))).toEqual({ revoked_at: REVOKED_AT, reason: null, invalidity: null });
    expect(store.lookup(issuerId, serialFromHex('55'))).toMatchObject({ reason: 4 });
    expect(store.status()).toMatchObject([{ crlNumber: 'a', deltaCrlNumber: 'b', entries: 2 }]);
    const gen = new Database(join(root, 'issuers', issuerId, store.status()[0]!.generation), { readonly: true });
    expect(gen.prepare('SELECT schema_version, source FROM crl_meta').get()).toEqual({ schema_version: 2, source: join(usb, 'a-full.crl') });
    gen.close();

    writeFileSync(join(usb, 'c-full.crl'), buildCrl(spec({ crlNumber: 12, entries: [{ serial: 0x99n }] })));
    expect((await syncCrls(cfg, { now: NOW })).find((o) => o.file?.endsWith('c-full.crl'))).toMatchObject({ result: 'full', revokedInForce: 1 });
    expect(store.lookup(issuerId, serialFromHex('99'))).toBeDefined();
    expect(store.lookup(issuerId, serialFromHex('abcd'))).toBeUndefined();
    store.close();
  });
});
