// The fleet collector against a real PostgreSQL, driven by the kiosk's own code: enrolment with the CSR
// `provision enroll` makes, heartbeats from daemon/health/heartbeat.ts, audit batches from the real
// outbox — and every tamper case refused or raised as a named alert, changing nothing it should not.
// Last, exactly once end to end: the real outbox uploads to a collector running as its own process
// (`idkiosk fleet serve`) through a proxy that loses requests and responses, while the collector is killed
// with SIGKILL and PostgreSQL crashes. One PostgreSQL cluster for the whole file (initdb is the slow part).
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore, openAuditDb } from '../../../daemon/audit/audit-store.ts';
import { AuditOutbox, batchBounds, httpsSender, toWire, type AuditBatch } from '../../../daemon/audit/outbox.ts';
import { sessionFacts } from '../../../daemon/audit/record.ts';
import { verifyAudit } from '../../../daemon/audit/verify.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { postSigned } from '../../../daemon/device/signed-post.ts';
import { Heartbeat } from '../../../daemon/health/heartbeat.ts';
import type { HealthSnapshot } from '../../../daemon/health/health-state.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { approve, revoke } from '../../../fleet/enrolment.ts';
import { withTransaction } from '../../../fleet/db/transaction.ts';
import { HeartbeatWriter } from '../../../fleet/heartbeats.ts';
import { startCollector, type Collector } from '../../../fleet/server.ts';
import { exportAudit } from '../../../fleet/export.ts';
import { loadSigner } from '../../../fleet/setup.ts';
import { fleetStatus } from '../../../fleet/status.ts';
import auditCommand from '../../../daemon/cli/commands/audit.ts';
import type { Command } from '../../../daemon/cli/command.ts';
import fleetCommand from '../../../fleet/cli.ts';
import { IDKIOSK_BIN } from '../../harness/cli.ts';
import { freePort } from '../../harness/net.ts';
import { FlakyProxy } from './flaky-proxy.ts';
import { call, csrPem, enrolAndApprove, newKiosk, signedPost, startFleet, until, type Fleet, type TestKiosk } from './fixture.ts';

const CTX = { kioskId: 'x', site: 'site-a', operator: 'op-x', softwareVersion: '0.1.0-test', revocationSource: 'crl' };
const result = (i: number): ResultView => ({
  outcome: i % 4 === 0 ? 'refused' : 'verified',
  document: 'mynumber-jpki-auth',
  reasons: i % 4 === 0 ? ['TRUST_REVOKED'] : [],
  certificate: { serialNumber: (0x1000 + i).toString(16), fingerprintSha256: 'AB'.repeat(32), notAfter: '2030-01-01T00:00:00.000Z' },
  revocation: i % 4 === 0 ? 'revoked' : 'good',
});

function health(kioskId: string, over: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    status: 'degraded',
    faults: ['PRINTER_PAPER_END'],
    kioskId,
    site: 'site-a',
    version: '0.1.0-test',
    time: new Date().toISOString(),
    uptimeSeconds: 42,
    maintenance: { active: false, reason: null },
    reader: { service: true, readers: [{ name: 'Virtual PCD 00 00', cardPresent: false }], phase: 'idle' },
    printer: { state: 'paper-end', usable: false, transport: 'memory' },
    keypad: { status: 'ready', stuckKeys: 0 },
    crl: [
      {
        issuerId: 'jpki-auth',
        crlNumber: '7',
        thisUpdate: new Date().toISOString(),
        nextUpdate: new Date().toISOString(),
        ageSeconds: 3600,
        secondsUntilNextUpdate: -5,
        stale: true,
      },
    ],
    clock: { synchronized: true, source: 'timesyncd', detail: 'test' },
    disk: { path: '/var/lib/idkiosk', freeBytes: 123_456_789, totalBytes: 1e9 } as HealthSnapshot['disk'],
    lastSession: null,
    audit: null,
    ...over,
  };
}

function kioskStore(k: TestKiosk, n: number): AuditStore {
  const store = new AuditStore(join(mkdtempSync(join(tmpdir(), 'idkiosk-kaudit-')), 'audit.db'), k.key);
  for (let i = 1; i <= n; i++) store.append(sessionFacts(i, result(i), { ...CTX, kioskId: k.id }, new Date()));
  return store;
}

function batchOf(store: AuditStore, k: TestKiosk, rows = store.pending(1000), key = k.key): AuditBatch {
  return {
    kind: 'idkiosk-audit-batch',
    kioskId: k.id,
    chain: store.chainId(),
    key: key.fingerprint,
    publicKey: key.publicKeyPem(),
    records: rows.map(toWire),
    ...batchBounds(key, store.chainId(), rows),
  };
}

/** The body of heartbeat `seq` from kiosk `k` (boot "b", no site or operator), as the kiosk signs it. */
const heartbeatBody = (k: TestKiosk, seq: number) => ({
  kind: 'idkiosk-heartbeat',
  kioskId: k.id,
  site: null,
  operator: null,
  boot: 'b',
  seq,
  key: k.key.fingerprint,
  health: health(k.id),
});

/** An enrolled, approved kiosk and its heartbeat to the fleet (60 s interval: the tests beat by hand). */
async function approvedWithHeartbeat(id: string) {
  const k = newKiosk(id);
  await enrolAndApprove(f, k);
  const hb = new Heartbeat({
    target: k.target(f.url(), '/v1/heartbeat'),
    key: k.key,
    intervalMs: 60_000,
    snapshot: () => health(k.id),
    identity: { kioskId: k.id, site: 'site-a', operator: 'op-x' },
  });
  return { k, hb };
}

const metrics = (f: Fleet) =>
  new Promise<string>((resolve, reject) => {
    get(`http://127.0.0.1:${f.collector!.metricsPort}/metrics`, (res) => {
      let t = '';
      res.on('data', (d) => (t += d));
      res.on('end', () => resolve(t));
    }).on('error', reject);
  });

/** The CLI commands in this process (same code as \`idkiosk …\`, without paying a process start per call). */
async function runCli(cmd: Command, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await cmd.run(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '' });
  return { code, stdout, stderr };
}

const count = async (f: Fleet, sql: string, args: unknown[] = []) => Number((await f.pool.query(sql, args)).rows[0].n);
const alertKinds = async (f: Fleet, kiosk: string) =>
  (await f.pool.query('SELECT kind FROM alerts WHERE kiosk_id = $1 ORDER BY id', [kiosk])).rows.map((r) => r.kind as string);

let f: Fleet;
beforeAll(async () => {
  f = await startFleet({ limits: { perKioskPerMinute: 10_000, bodyBytes: 256 * 1024 } });
  await f.start();
}, 60_000);
afterAll(async () => {
  await f?.close();
});

describe('enrolment and heartbeats', () => {
  it('enrol → approve → certificate → signed heartbeat over mTLS → Prometheus metrics with a kiosk label', async () => {
    const { hb } = await approvedWithHeartbeat('kiosk-hb');
    expect(await hb.beat()).toBe(true);
    expect(hb.lastError).toBeNull();
    expect(await hb.beat()).toBe(true);
    const text = await metrics(f);
    expect(text).toMatch(/^idkiosk_fleet_last_heartbeat_timestamp_seconds\{kiosk="kiosk-hb"\} \d+/m);
    expect(text).toContain('idkiosk_fleet_kiosk_silent{kiosk="kiosk-hb"} 0');
    expect(text).toContain('idkiosk_reader_available{kiosk="kiosk-hb"} 1');
    expect(text).toContain('idkiosk_printer_state{kiosk="kiosk-hb",state="paper-end"} 1');
    expect(text).toContain('idkiosk_printer_state{kiosk="kiosk-hb",state="ready"} 0');
    expect(text).toContain('idkiosk_crl_next_update_seconds{kiosk="kiosk-hb",issuer="jpki-auth"} -5');
    expect(text).toContain('idkiosk_disk_free_bytes{kiosk="kiosk-hb"} 123456789');
    const st = (await fleetStatus(f.pool, { silentAfterSeconds: 300 })).find((s) => s.kiosk === 'kiosk-hb')!;
    expect(st).toMatchObject({ state: 'approved', silent: false, health: 'degraded', printer: 'paper-end', crlStale: true, crlAgeSeconds: 3600 });
  });

  it('an approved kiosk that never sent a heartbeat is silent', async () => {
    const k = newKiosk('kiosk-quiet');
    await enrolAndApprove(f, k);
    expect(await metrics(f)).toContain('idkiosk_fleet_kiosk_silent{kiosk="kiosk-quiet"} 1');
    const r = await runCli(fleetCommand, ['status', '--config', f.configFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kiosk-quiet\s+approved\s+never SILENT/);
  });

  it('the fleet Grafana dashboard parses, and every metric it queries is one the collector serves', async () => {
    const file = new URL('../../../daemon/health/monitoring/idkiosk-fleet-dashboard.json', import.meta.url);
    const d = JSON.parse(readFileSync(file, 'utf8')) as {
      uid: string;
      panels: { title: string; targets: { expr: string }[]; gridPos: unknown }[];
      templating: { list: { name: string; query: string }[] };
    };
    expect(d.uid).toBe('idkiosk-fleet-collector');
    const served = new Set([...(await metrics(f)).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    expect(served.size).toBeGreaterThan(10);
    const exprs = [...d.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...d.templating.list.map((v) => v.query)];
    expect(d.panels.length).toBeGreaterThanOrEqual(12);
    for (const p of d.panels) {
      expect(p.gridPos, p.title).toBeTruthy();
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) expect(t.expr, p.title).toContain('kiosk=~"$kiosk"');
    }
    const names = exprs.flatMap((e) => [...e.matchAll(/\b(idkiosk_[a-z0-9_]+)/g)].map((m) => m[1]!));
    expect(names).toContain('idkiosk_fleet_kiosk_silent');
    for (const n of names) expect(served, `${n} in the fleet dashboard`).toContain(n);
  });

  it('a kiosk whose heartbeats stop turns silent: metrics, the status table and its JSON', async () => {
    const { k, hb } = await approvedWithHeartbeat('kiosk-stops');
    expect(await hb.beat()).toBe(true);
    expect(await metrics(f)).toContain('idkiosk_fleet_kiosk_silent{kiosk="kiosk-stops"} 0');
    // Its last heartbeat was ten minutes ago (silentAfterSeconds is 300): nothing came since.
    await f.pool.query(`UPDATE kiosks SET last_seen = now() - interval '10 minutes' WHERE kiosk_id = $1`, [k.id]);
    expect(await metrics(f)).toContain('idkiosk_fleet_kiosk_silent{kiosk="kiosk-stops"} 1');
    const table = await runCli(fleetCommand, ['status', '--config', f.configFile]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^KIOSK\s+STATE\s+LAST SEEN\s+HEALTH\s+CRL AGE\s+PRINTER\s+AUDIT BACKLOG\s+ALERTS$/);
    expect(table.stdout).toMatch(/kiosk-stops\s+approved\s+10m ago SILENT\s+degraded \(PRINTER_PAPER_END\)\s+1h STALE\s+paper-end/);
    const json = await runCli(fleetCommand, ['status', '--config', f.configFile, '--json']);
    expect(json.code).toBe(0);
    const row = (JSON.parse(json.stdout) as { kiosk: string }[]).find((r) => r.kiosk === k.id);
    expect(row).toMatchObject({
      kiosk: k.id,
      state: 'approved',
      silent: true,
      health: 'degraded',
      faults: ['PRINTER_PAPER_END'],
      crlAgeSeconds: 3600,
      crlStale: true,
      printer: 'paper-end',
    });
    // and it is no longer silent once it beats again
    expect(await hb.beat()).toBe(true);
    expect(await metrics(f)).toContain('idkiosk_fleet_kiosk_silent{kiosk="kiosk-stops"} 0');
  });

  it('refuses a replayed heartbeat and one from a boot that was replaced, and names both', async () => {
    const k = newKiosk('kiosk-replay');
    await enrolAndApprove(f, k);
    const beat = (boot: string, seq: number) =>
      signedPost(f, k, '/v1/heartbeat', {
        kind: 'idkiosk-heartbeat',
        kioskId: k.id,
        site: 'site-a',
        operator: 'op-x',
        boot,
        seq,
        key: k.key.fingerprint,
        health: health(k.id),
      });
    expect((await beat('boot-1', 1)).status).toBe(200);
    expect((await beat('boot-1', 2)).status).toBe(200);
    const replay = await beat('boot-1', 2);
    expect(replay.status).toBe(409);
    expect(JSON.parse(replay.body).error).toBe('HEARTBEAT_REPLAYED');
    expect((await beat('boot-2', 1)).status).toBe(200);
    const stale = await beat('boot-1', 3);
    expect(stale.status).toBe(409);
    expect(JSON.parse(stale.body).error).toBe('HEARTBEAT_STALE_BOOT');
    const row = (await f.pool.query('SELECT boot, hb_seq FROM kiosks WHERE kiosk_id = $1', [k.id])).rows[0];
    expect(row).toEqual({ boot: 'boot-2', hb_seq: '1' });
    expect(await alertKinds(f, k.id)).toEqual(['heartbeat-replayed', 'heartbeat-stale-boot']);
  });

  it('refuses unknown, unapproved and revoked kiosks, wrong keys, bad signatures, bad bodies — with stable codes', async () => {
    const k = newKiosk('kiosk-bad');
    await enrolAndApprove(f, k);
    const hb = (seq: number) => heartbeatBody(k, seq);
    const code = (r: { status: number; body: string }) => [r.status, JSON.parse(r.body).error];
    expect(code(await signedPost(f, k, '/v1/heartbeat', hb(1)))).toEqual([200, undefined]);
    // another key signs (and is named): not the pinned one
    expect(code(await signedPost(f, k, '/v1/heartbeat', hb(2), DeviceKey.ephemeral()))).toEqual([403, 'WRONG_KEY']);
    // the pinned key is named but the body was changed after signing
    const body = JSON.stringify(hb(3));
    const sig = k.key.sign(Buffer.from(body)).toString('base64url');
    const tampered = body.replace('"seq":3', '"seq":4');
    expect(
      code(await call(f, 'POST', '/v1/heartbeat', tampered, { kiosk: k, headers: { 'x-idkiosk-signature': sig, 'x-idkiosk-key': k.key.fingerprint } })),
    ).toEqual([401, 'BAD_SIGNATURE']);
    // signed but not a heartbeat
    const junk = '{"kind":"idkiosk-heartbeat","seq":"x"';
    expect(
      code(
        await call(f, 'POST', '/v1/heartbeat', junk, {
          kiosk: k,
          headers: { 'x-idkiosk-signature': k.key.sign(Buffer.from(junk)).toString('base64url'), 'x-idkiosk-key': k.key.fingerprint },
        }),
      ),
    ).toEqual([400, 'MALFORMED_BODY']);
    // larger than the cap, refused before it is read
    const big = Buffer.alloc(300 * 1024, 0x20);
    expect(code(await call(f, 'POST', '/v1/audit', big, { kiosk: k }))).toEqual([413, 'BODY_TOO_LARGE']);
    // no client certificate
    expect(code(await call(f, 'POST', '/v1/heartbeat', '{}'))).toEqual([401, 'CLIENT_CERT_REQUIRED']);
    expect(code(await call(f, 'GET', '/v1/nothing', null))).toEqual([404, 'NOT_FOUND']);
    // a CSR for an enrolled id with another key
    const impostor = newKiosk(k.id);
    expect(code(await call(f, 'POST', '/v1/enrol', csrPem(impostor)))).toEqual([409, 'ENROLMENT_CONFLICT']);
    // not approved: no certificate to fetch
    const pending = newKiosk('kiosk-pending');
    expect((await call(f, 'POST', '/v1/enrol', csrPem(pending))).status).toBe(202);
    expect(code(await call(f, 'GET', '/v1/enrol/kiosk-pending/certificate', null))).toEqual([403, 'KIOSK_NOT_APPROVED']);
    // nothing above changed the kiosk's heartbeat state
    expect((await f.pool.query('SELECT hb_seq FROM kiosks WHERE kiosk_id = $1', [k.id])).rows[0].hb_seq).toBe('1');
    // unknown: the certificate is the CA's, but the collector has no such kiosk
    const gone = newKiosk('kiosk-gone');
    await enrolAndApprove(f, gone);
    await f.pool.query('DELETE FROM kiosks WHERE kiosk_id = $1', [gone.id]);
    expect(code(await signedPost(f, gone, '/v1/heartbeat', { ...hb(1), kioskId: gone.id, key: gone.key.fingerprint }))).toEqual([403, 'KIOSK_UNKNOWN']);
    // revoked: the new CRL reaches TLS, the kiosk is refused
    const before = f.collector!.crlNumber();
    await revoke(f.pool, loadSigner(f.config), k.id, { reason: 'test', crlDays: 7 });
    await until('the new CRL', () => f.collector!.crlNumber() !== before);
    expect(code(await signedPost(f, k, '/v1/heartbeat', hb(5)))).toEqual([403, 'KIOSK_REVOKED']);
  });
});

describe('heartbeat group commit', () => {
  it('two heartbeats of one kiosk in the same turn never share a group: each answer says what was stored', async () => {
    const k = newKiosk('kiosk-group');
    await enrolAndApprove(f, k);
    const hb = (seq: number) => ({ kioskId: k.id, site: null, operator: null, boot: 'g', seq, key: k.key.fingerprint, health: { ...health(k.id) } });
    expect((await signedPost(f, k, '/v1/heartbeat', { kind: 'idkiosk-heartbeat', ...hb(1) })).status).toBe(200);
    const row = (await f.pool.query('SELECT cert_serial FROM kiosks WHERE kiosk_id = $1', [k.id])).rows[0];
    const caller = { kioskId: k.id, publicKey: createPublicKey(k.key.publicKeyPem()), keyFingerprint: k.key.fingerprint, certSerial: row.cert_serial };
    const w = new HeartbeatWriter(f.pool);
    // in order: both stored, the later one last
    expect(await Promise.all([w.write(caller, hb(2)), w.write(caller, hb(3))])).toEqual([
      { stored: true, rolledBack: false },
      { stored: true, rolledBack: false },
    ]);
    expect((await f.pool.query('SELECT hb_seq FROM kiosks WHERE kiosk_id = $1', [k.id])).rows[0].hb_seq).toBe('3');
    // out of order: the older one is not stored and is not reported stored
    expect(await Promise.all([w.write(caller, hb(5)), w.write(caller, hb(4))])).toEqual([
      { stored: true, rolledBack: false },
      { stored: false, rolledBack: false },
    ]);
    // a caller whose certificate is not the kiosk's current one changes nothing
    expect(await w.write({ ...caller, certSerial: '01' }, hb(6))).toEqual({ stored: false, rolledBack: false });
    expect((await f.pool.query('SELECT hb_seq FROM kiosks WHERE kiosk_id = $1', [k.id])).rows[0].hb_seq).toBe('5');
  });
});

describe('transactions (fleet/db/transaction.ts)', () => {
  it('a step that throws rolls back what the transaction wrote, the error reaches the caller, and the client goes back to the pool', async () => {
    await f.pool.query('CREATE TABLE tx_probe (n int PRIMARY KEY)');
    const rows = async () => (await f.pool.query<{ n: number }>('SELECT n FROM tx_probe ORDER BY n')).rows.map((r) => r.n);
    const boom = new Error('step failed');
    await expect(
      withTransaction(f.pool, async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES (1)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    // a failing statement (not a thrown JS error) rolls back the same way
    await expect(
      withTransaction(f.pool, async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES (2)');
        await tx.query('INSERT INTO tx_probe VALUES (2)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    // a refusal handed back as the result rolls back too, and the result still reaches the caller
    expect(
      await withTransaction(f.pool, async (tx) => (await tx.query('INSERT INTO tx_probe VALUES (3)'), 'refused'), { rollbackIf: (r) => r === 'refused' }),
    ).toBe('refused');
    expect(await rows()).toEqual([]);
    expect(await withTransaction(f.pool, async (tx) => (await tx.query('INSERT INTO tx_probe VALUES (4)')).rowCount)).toBe(1);
    expect(await rows()).toEqual([4]);
    // every client is back: none is left checked out (and so none is left inside an open transaction)
    expect(f.pool.totalCount - f.pool.idleCount).toBe(0);
    await f.pool.query('DROP TABLE tx_probe');
  });
});

describe('TLS session resumption across instances', () => {
  /** One heartbeat on a new connection, offering `session`; returns the session to offer next time. */
  function beatOn(port: number, k: TestKiosk, payload: unknown, session: Buffer | null, key = k.key) {
    const body = Buffer.from(JSON.stringify(payload));
    return new Promise<{ status: number; error: string | undefined; resumed: boolean; session: Buffer | null }>((resolve, reject) => {
      let ticket: Buffer | null = null;
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/heartbeat',
          method: 'POST',
          agent: false,
          ca: f.caPem,
          cert: k.certPem!,
          key: k.keyPem,
          ...(session ? { session } : {}),
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'x-idkiosk-signature': key.sign(body).toString('base64url'),
            'x-idkiosk-key': key.fingerprint,
          },
          timeout: 10_000,
        },
        (res) => {
          const resumed = (res.socket as TLSSocket).isSessionReused();
          let t = '';
          res.on('data', (c) => (t += c));
          res.on('end', () => {
            // A full handshake ends with a new ticket (TLS 1.3 sends it after the handshake); a resumed
            // session may get none, and the kiosk keeps offering the one it has.
            until('a session ticket', () => ticket ?? (resumed && session), 5000).then(
              (s) => resolve({ status: res.statusCode ?? 0, error: t ? JSON.parse(t).error : undefined, resumed, session: s }),
              reject,
            );
          });
        },
      );
      req.once('socket', (s) => s.on('session', (x: Buffer) => (ticket = x)));
      req.on('error', reject);
      req.end(body);
    });
  }
  const hb = (k: TestKiosk, seq: number) => ({
    kind: 'idkiosk-heartbeat',
    kioskId: k.id,
    site: null,
    operator: null,
    boot: 'r',
    seq,
    key: k.key.fingerprint,
    health: health(k.id),
  });
  const stored = async (k: TestKiosk) => (await f.pool.query('SELECT hb_seq FROM kiosks WHERE kiosk_id = $1', [k.id])).rows[0].hb_seq as string;

  it('a ticket from one instance resumes on the other, still bound to the device certificate; a revoked kiosk is refused on it', async () => {
    const other = await f.instance();
    try {
      const k = newKiosk('kiosk-resume');
      const j = newKiosk('kiosk-resume-other');
      await enrolAndApprove(f, k);
      await enrolAndApprove(f, j);
      const a = f.collector!.port;
      const b = other.port;
      const r1 = await beatOn(a, k, hb(k, 1), null);
      expect([r1.status, r1.resumed]).toEqual([200, false]);
      // instance B never saw this kiosk's handshake: the shared ticket keys let it resume A's session, and
      // the kiosk is still named by the certificate verified in A's full handshake
      const r2 = await beatOn(b, k, hb(k, 2), r1.session);
      expect([r2.status, r2.resumed]).toEqual([200, true]);
      expect(await stored(k)).toBe('2');
      // the resumed session of k does not speak for another kiosk, even with that kiosk's own signed body
      const r3 = await beatOn(b, k, hb(j, 1), r2.session, j.key);
      expect([r3.status, r3.error, r3.resumed]).toEqual([403, 'WRONG_KEY', true]);
      expect(await stored(j)).toBeNull();
      // revoked: OpenSSL restores the old verification result with the session, the collector still refuses
      const before = [f.collector!.crlNumber(), other.crlNumber()];
      await revoke(f.pool, loadSigner(f.config), k.id, { reason: 'test', crlDays: 7 });
      await until('the new CRL on both instances', () => f.collector!.crlNumber() !== before[0] && other.crlNumber() !== before[1]);
      for (const port of [b, a]) {
        const r = await beatOn(port, k, hb(k, 3), r2.session);
        expect([r.status, r.error, r.resumed]).toEqual([403, 'KIOSK_REVOKED', true]);
      }
      expect(await stored(k)).toBe('2');
    } finally {
      await other.close();
    }
  });

  it('a renewed device certificate is accepted at once, though the instance holds the kiosk row from before', async () => {
    const k = newKiosk('kiosk-renewed');
    await enrolAndApprove(f, k);
    const port = f.collector!.port;
    // the first beat of a boot takes the slow path; the second is authenticated from the row, now cached
    for (const seq of [1, 2]) expect((await beatOn(port, k, hb(k, seq), null)).status).toBe(200);
    // the operator renews the certificate (same device key, new serial) while the instance has the row cached
    k.certPem = (await approve(f.pool, loadSigner(f.config), k.id, { days: 30 })).certPem;
    const r = await beatOn(port, k, hb(k, 3), null);
    expect([r.status, r.error]).toEqual([200, undefined]);
    expect(await stored(k)).toBe('3');
  });

  it('a kept-alive connection carries beat after beat, is refused on it once the kiosk is revoked, and cannot renegotiate', async () => {
    const k = newKiosk('kiosk-kept');
    const j = newKiosk('kiosk-kept-reneg');
    await enrolAndApprove(f, k);
    await enrolAndApprove(f, j);
    // TLS 1.2, where renegotiation exists (TLS 1.3 has none): the collector reads a connection's kiosk once.
    const agentOf = (x: TestKiosk) => new Agent({ keepAlive: true, maxSockets: 1, ca: f.caPem, cert: x.certPem!, key: x.keyPem, maxVersion: 'TLSv1.2' });
    const beatKept = (agent: Agent, x: TestKiosk, seq: number) => {
      const body = Buffer.from(JSON.stringify(hb(x, seq)));
      return new Promise<{ status: number; error: string | undefined; reused: boolean; socket: TLSSocket }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: f.collector!.port,
            path: '/v1/heartbeat',
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': body.length,
              'x-idkiosk-signature': x.key.sign(body).toString('base64url'),
              'x-idkiosk-key': x.key.fingerprint,
            },
            timeout: 10_000,
          },
          (res) => {
            const socket = res.socket as TLSSocket;
            let t = '';
            res.on('data', (c) => (t += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, error: t ? JSON.parse(t).error : undefined, reused: req.reusedSocket, socket }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    };
    const ka = agentOf(k);
    const ja = agentOf(j);
    try {
      const r1 = await beatKept(ka, k, 1);
      const r2 = await beatKept(ka, k, 2);
      expect([r1.status, r1.reused, r2.status, r2.reused, r2.socket === r1.socket]).toEqual([200, false, 200, true, true]);
      const before = f.collector!.crlNumber();
      await revoke(f.pool, loadSigner(f.config), k.id, { reason: 'test', crlDays: 7 });
      await until('the new CRL', () => f.collector!.crlNumber() !== before);
      const r3 = await beatKept(ka, k, 3);
      expect([r3.status, r3.error, r3.socket === r1.socket]).toEqual([403, 'KIOSK_REVOKED', true]);
      expect(await stored(k)).toBe('2');

      const s = (await beatKept(ja, j, 1)).socket;
      expect(s.getProtocol()).toBe('TLSv1.2');
      const outcome = await new Promise<string>((resolve) => {
        s.once('close', () => resolve('refused'));
        s.once('error', () => resolve('refused'));
        if (!s.renegotiate({}, (e) => resolve(e ? 'refused' : 'renegotiated'))) resolve('refused');
      });
      expect(outcome).toBe('refused');
    } finally {
      ka.destroy();
      ja.destroy();
    }
  });

  it('rotating the ticket key file ends resumption of older tickets; the kiosk then completes a full handshake', async () => {
    const k = newKiosk('kiosk-rotate');
    await enrolAndApprove(f, k);
    const a = f.collector!.port;
    let r = await beatOn(a, k, hb(k, 1), null);
    r = await beatOn(a, k, hb(k, 2), r.session);
    expect([r.status, r.resumed]).toEqual([200, true]);
    const old = r.session;
    writeFileSync(`${f.config.tls.ticketKeyFile}.new`, randomBytes(48), { mode: 0o600 });
    renameSync(`${f.config.tls.ticketKeyFile}.new`, f.config.tls.ticketKeyFile!);
    let seq = 3;
    const fresh = await until('the rotated keys', async () => {
      const x = await beatOn(a, k, hb(k, seq++), old);
      expect(x.status).toBe(200);
      return x.resumed ? null : x;
    });
    const again = await beatOn(a, k, hb(k, seq++), fresh.session);
    expect([again.status, again.resumed]).toEqual([200, true]);
  });
});

describe('audit batches', () => {
  it('the kiosk outbox uploads exactly once; a resent batch is acknowledged again without a copy; the export verifies offline', async () => {
    const k = newKiosk('kiosk-audit');
    await enrolAndApprove(f, k);
    const store = kioskStore(k, 23);
    const send = httpsSender(k.target(f.url(), '/v1/audit'), k.key);
    const outbox = new AuditOutbox({ store, key: k.key, kioskId: k.id, send, batchSize: 5 });
    const again = batchOf(store, k, store.pending(5));
    const r = await outbox.drain();
    expect(r).toEqual({ sent: 23, acked: 23, error: null });
    expect(store.pendingCount()).toBe(0);
    expect(await send(again)).toEqual([1, 2, 3, 4, 5]);
    expect(await count(f, 'SELECT count(*) AS n FROM audit_records WHERE kiosk_id = $1', [k.id])).toBe(23);
    expect(await count(f, 'SELECT count(DISTINCT seq) AS n FROM audit_records WHERE kiosk_id = $1', [k.id])).toBe(23);
    expect(await alertKinds(f, k.id)).toEqual([]);

    const out = join(mkdtempSync(join(tmpdir(), 'idkiosk-export-')), 'export.db');
    const e = await exportAudit(f.pool, { kioskId: k.id, from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000), out });
    expect(e).toMatchObject({ firstSeq: 1, lastSeq: 23, records: 23 });
    const report = verifyAudit(openAuditDb(out, true), createPublicKey(k.key.publicKeyPem()));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // and through the CLI, as an auditor would: export, then `idkiosk audit verify`
    const out2 = join(mkdtempSync(join(tmpdir(), 'idkiosk-export-')), 'k.db');
    const ex = await runCli(fleetCommand, [
      'audit',
      'export',
      '--config',
      f.configFile,
      '--kiosk',
      k.id,
      '--from',
      '2000-01-01T00:00:00Z',
      '--to',
      '2100-01-01T00:00:00Z',
      '--out',
      out2,
    ]);
    expect(ex.stderr).toBe('');
    expect(ex.code).toBe(0);
    const v = await runCli(auditCommand, ['verify', '--db', out2, '--public-key', `${out2}.pub.pem`, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, records: 23 });
    store.close();
  }, 40_000);

  it('names and refuses edited, inserted, deleted and reordered batches, and stores none of them', async () => {
    const k = newKiosk('kiosk-tamper');
    await enrolAndApprove(f, k);
    const store = kioskStore(k, 6);
    const post = (b: AuditBatch) => signedPost(f, k, '/v1/audit', b);
    const code = (r: { status: number; body: string }) => [r.status, JSON.parse(r.body).error];

    const edited = batchOf(store, k);
    edited.records[2] = { ...edited.records[2]!, body: edited.records[2]!.body.replace('"verified"', '"refused"') };
    expect(code(await post(edited))).toEqual([422, 'AUDIT_EDITED']);

    const deleted = batchOf(store, k);
    deleted.records.splice(3, 1);
    expect(code(await post(deleted))).toEqual([422, 'AUDIT_DELETED']);

    const reordered = batchOf(store, k);
    const [a, b] = [reordered.records[1]!, reordered.records[2]!];
    reordered.records[1] = { ...b, seq: a.seq };
    reordered.records[2] = { ...a, seq: b.seq };
    expect(code(await post(reordered))).toEqual([422, 'AUDIT_REORDERED']);

    // a record signed by someone else slipped in (the batch itself is signed by the kiosk)
    const forger = DeviceKey.ephemeral();
    const inserted = batchOf(store, k);
    const fake = inserted.records[4]!;
    inserted.records[4] = { ...fake, sig: forger.sign(Buffer.from(fake.hash, 'hex')).toString('base64') };
    expect(code(await post(inserted))).toEqual([422, 'AUDIT_INSERTED']);

    expect(await count(f, 'SELECT count(*) AS n FROM audit_records WHERE kiosk_id = $1', [k.id])).toBe(0);
    expect(new Set(await alertKinds(f, k.id))).toEqual(new Set(['audit-edited', 'audit-deleted', 'audit-reordered', 'audit-inserted']));
    // the honest batch still goes through afterwards
    expect(code(await post(batchOf(store, k)))).toEqual([200, undefined]);
    store.close();
  });

  it('names and refuses batches under another key: signed by it, claiming the pinned key, or a chain it signed', async () => {
    const k = newKiosk('kiosk-wrongkey');
    await enrolAndApprove(f, k);
    const store = kioskStore(k, 4);
    const code = (r: { status: number; body: string }) => [r.status, JSON.parse(r.body).error];
    const forger = DeviceKey.ephemeral();
    // the kiosk's certificate, but the body signed by (and naming) another key
    expect(code(await signedPost(f, k, '/v1/audit', batchOf(store, k, store.pending(10), forger), forger))).toEqual([403, 'WRONG_KEY']);
    // another key's signature presented as the pinned key's
    const body = JSON.stringify(batchOf(store, k));
    expect(
      code(
        await call(f, 'POST', '/v1/audit', body, {
          kiosk: k,
          headers: { 'x-idkiosk-signature': forger.sign(Buffer.from(body)).toString('base64url'), 'x-idkiosk-key': k.key.fingerprint },
        }),
      ),
    ).toEqual([401, 'BAD_SIGNATURE']);
    // a whole chain written under another key, sent in a body the device key signed
    const other = new AuditStore(join(mkdtempSync(join(tmpdir(), 'idkiosk-kaudit-')), 'audit.db'), forger);
    for (let i = 1; i <= 3; i++) other.append(sessionFacts(i, result(i), { ...CTX, kioskId: k.id }, new Date()));
    const foreign = { ...batchOf(other, k, other.pending(10), forger), key: k.key.fingerprint };
    expect(code(await signedPost(f, k, '/v1/audit', foreign))).toEqual([422, 'AUDIT_BAD_MARK']);
    expect(await count(f, 'SELECT count(*) AS n FROM audit_records WHERE kiosk_id = $1', [k.id])).toBe(0);
    // (the foreign chain's bounds and each of its records are named: bad mark, inserted)
    expect(new Set(await alertKinds(f, k.id))).toEqual(new Set(['wrong-key', 'bad-signature', 'audit-bad-mark', 'audit-inserted']));
    const a = await runCli(fleetCommand, ['alerts', '--config', f.configFile, '--kiosk', k.id, '--json']);
    expect((JSON.parse(a.stdout) as { kind: string; detail: string }[]).find((x) => x.kind === 'wrong-key')!.detail).toContain(forger.fingerprint);
    // the honest batch still goes through
    expect(code(await signedPost(f, k, '/v1/audit', batchOf(store, k)))).toEqual([200, undefined]);
    store.close();
    other.close();
  });

  it('detects a rollback of the kiosk trail (batch and heartbeat) and a gap, as named alerts', async () => {
    const k = newKiosk('kiosk-rollback');
    await enrolAndApprove(f, k);
    const store = kioskStore(k, 5);
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-copy-'));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(store.file, join(dir, 'audit.db'));
    for (let i = 6; i <= 10; i++) store.append(sessionFacts(i, result(i), { ...CTX, kioskId: k.id }, new Date()));
    const outbox = new AuditOutbox({ store, key: k.key, kioskId: k.id, send: httpsSender(k.target(f.url(), '/v1/audit'), k.key) });
    expect((await outbox.drain()).acked).toBe(10);
    const head10 = store.headPoint();
    // The kiosk's database is restored from the old copy and goes on writing: seq 6… again, different records.
    const old = new AuditStore(join(dir, 'audit.db'), k.key);
    for (let i = 6; i <= 7; i++) old.append(sessionFacts(100 + i, result(i + 1), { ...CTX, kioskId: k.id }, new Date()));
    const r = await signedPost(f, k, '/v1/audit', batchOf(old, k));
    expect(r.status).toBe(409);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'AUDIT_ROLLBACK', seq: 6 });
    // the heartbeat of the restored kiosk reports head 5 although 10 were acknowledged
    const h5 = (old.db.prepare('SELECT hash FROM records WHERE seq = 5').get() as { hash: Buffer }).hash.toString('hex');
    const hb = await signedPost(f, k, '/v1/heartbeat', {
      kind: 'idkiosk-heartbeat',
      kioskId: k.id,
      site: null,
      operator: null,
      boot: 'b',
      seq: 1,
      key: k.key.fingerprint,
      health: health(k.id, { audit: { headSeq: 5, headHash: h5, pendingUpload: 7, uploadError: null, writeError: null } }),
    });
    expect(hb.status).toBe(200);
    expect(await count(f, 'SELECT max(seq) AS n FROM audit_records WHERE kiosk_id = $1', [k.id])).toBe(10);
    expect(head10.seq).toBe(10);
    // records deleted on the kiosk before upload: the next batch leaves a gap
    for (let i = 11; i <= 14; i++) store.append(sessionFacts(i, result(i), { ...CTX, kioskId: k.id }, new Date()));
    store.db.prepare('DELETE FROM outbox WHERE seq IN (11, 12)').run();
    expect((await outbox.drain()).acked).toBe(2);
    const kinds = await alertKinds(f, k.id);
    expect(kinds).toContain('audit-rollback');
    expect(kinds.filter((x) => x === 'audit-rollback').length).toBe(2);
    expect(kinds).toContain('audit-gap');
    const a = await runCli(fleetCommand, ['alerts', '--config', f.configFile, '--kiosk', k.id]);
    expect(a.stdout).toMatch(/audit-gap #11 {2}records 11–12 never arrived/);
    store.close();
    old.close();
    expect(existsSync(store.file)).toBe(true);
  }, 30_000);
});

describe('floods and slow clients', () => {
  let tight: Collector;
  beforeAll(async () => {
    // A second instance on the same database with tight limits.
    tight = await startCollector({
      pool: f.pool,
      config: { ...f.config, limits: { ...f.config.limits, perKioskPerMinute: 2, headersTimeoutMs: 500, requestTimeoutMs: 1000 } },
      listen: { host: '127.0.0.1', port: 0 },
      tls: { cert: readFileSync(f.config.tls.certFile), key: readFileSync(f.config.tls.keyFile), ca: f.caPem },
    });
  });
  afterAll(async () => {
    await tight?.close();
  });

  it('a kiosk flooding heartbeats is refused with RATE_LIMITED once its budget is spent, and nothing changes', async () => {
    const k = newKiosk('kiosk-flood');
    await enrolAndApprove(f, k);
    const url = `https://127.0.0.1:${tight.port}`;
    const beat = (seq: number) => postSigned(k.target(url, '/v1/heartbeat'), k.key, heartbeatBody(k, seq));
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push((await beat(i)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const refused = await beat(5);
    expect(JSON.parse(refused.body).error).toBe('RATE_LIMITED');
    expect((await f.pool.query('SELECT hb_seq FROM kiosks WHERE kiosk_id = $1', [k.id])).rows[0].hb_seq).toBe('2');
  });

  it('a client that sends its headers too slowly is answered 408 and disconnected', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: tight.port, ca: f.caPem });
    let received = '';
    let closed = false;
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket.once('secureConnect', () => r()));
    socket.write('POST /v1/heartbeat HTTP/1.1\r\nHost: collector\r\nContent-Length: 10\r\n'); // and never the blank line
    await until('the collector to drop the slow client', () => closed, 20_000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });
});

let child: ChildProcess | null = null;
let port = 0;
let proxy: FlakyProxy;
let configFile = '';

function healthz(): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`https://127.0.0.1:${port}/healthz`, { ca: f.caPem, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function startChild(): Promise<void> {
  let err = '';
  child = spawn(process.execPath, [IDKIOSK_BIN, 'fleet', 'serve', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => (err += d));
  await until(`the collector child (${err})`, async () => (await healthz()) === 200, 30_000);
}

function kill9(): Promise<void> {
  const c = child!;
  child = null;
  return new Promise((r) => {
    c.once('exit', () => r());
    c.kill('SIGKILL');
  });
}

const facts = (k: TestKiosk, i: number) =>
  sessionFacts(
    i,
    { outcome: 'verified', document: 'mynumber-jpki-auth', reasons: [], revocation: 'good' },
    { kioskId: k.id, site: null, operator: null, softwareVersion: 't', revocationSource: 'crl' },
    new Date(),
  );

describe('exactly once through failures', () => {
  beforeAll(async () => {
    port = await freePort();
    configFile = join(f.dir, 'fleet-child.json');
    writeFileSync(configFile, JSON.stringify({ ...f.config, listen: { host: '127.0.0.1', port }, metricsListen: null }));
    await startChild();
    proxy = new FlakyProxy(() => port);
    await proxy.start();
  }, 60_000);
  afterAll(async () => {
    if (child) await kill9();
    await proxy?.close();
  });

  it('the collector commits durably even on a server set to synchronous_commit = off (as this test cluster is)', async () => {
    const plain = new pg.Client({ connectionString: f.pg.url });
    await plain.connect();
    expect((await plain.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('off');
    await plain.end();
    // each pooled connection raised it for itself: an acknowledged batch survives a PostgreSQL crash
    const c = await Promise.all([f.pool.connect(), f.pool.connect()]);
    for (const client of c) expect((await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
    for (const client of c) client.release();
  });

  it('every record arrives exactly once through lost responses, cut requests, collector kill -9 and a PostgreSQL crash', async () => {
    const k = newKiosk('kiosk-resilient');
    await enrolAndApprove(f, k);
    const store = new AuditStore(join(mkdtempSync(join(tmpdir(), 'idkiosk-kaudit-')), 'audit.db'), k.key);
    const outbox = new AuditOutbox({
      store,
      key: k.key,
      kioskId: k.id,
      batchSize: 10,
      send: httpsSender({ ...k.target(`https://127.0.0.1:${proxy.port}`, '/v1/audit'), timeoutMs: 5000 }, k.key),
    });
    let n = 0;
    const append = (m: number) => {
      for (let i = 0; i < m; i++) store.append(facts(k, ++n));
    };
    const stored = async () =>
      (await f.pool.query('SELECT count(*) AS n, count(DISTINCT seq) AS d, max(seq) AS m FROM audit_records WHERE kiosk_id = $1', [k.id])).rows[0];
    const drainAll = () => until('the outbox to drain', async () => (await outbox.drain(), store.pendingCount() === 0), 30_000);

    append(30);
    await drainAll();

    // The collector commits, the acknowledgement is lost: the kiosk resends, nothing is stored twice.
    append(20);
    proxy.dropResponses = true;
    expect((await outbox.flushOnce()).error).not.toBeNull();
    proxy.dropResponses = false;
    await drainAll();

    // A request cut after its first bytes changes nothing.
    append(10);
    proxy.cutRequestsAfter = 200;
    expect((await outbox.flushOnce()).error).not.toBeNull();
    proxy.cutRequestsAfter = null;
    await drainAll();

    // kill -9 while batches are in flight, then a new instance on the same port.
    append(100);
    const draining = outbox.drain();
    await until('some batches stored', async () => Number((await stored()).n) > 70);
    await kill9();
    await draining;
    expect(store.pendingCount()).toBeGreaterThan(0);
    await startChild();
    await drainAll();

    // PostgreSQL crashes (immediate stop, WAL replay on start): 503s meanwhile, then the pool reconnects.
    append(20);
    f.pg.crash();
    const r = await outbox.flushOnce();
    expect(r.error).toMatch(/HTTP 503/);
    f.pg.start();
    await drainAll();

    expect(await stored()).toEqual({ n: String(n), d: String(n), m: String(n) });
    expect((await f.pool.query('SELECT count(*) AS n FROM alerts WHERE kiosk_id = $1', [k.id])).rows[0].n).toBe('0');
    store.close();
  }, 120_000);
});
