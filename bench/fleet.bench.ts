// Fleet collector load benchmark (issue 21): `npm run bench:fleet`.
//
// A real PostgreSQL on loopback (started here like the tests start theirs, but with the production
// durability settings: fsync, synchronous_commit and full_page_writes on), two collector instances as their
// own processes (`idkiosk fleet serve`) sharing it, and simulated kiosks in this process, each with its own
// device key, CSR, approved certificate and mutual-TLS connection. Kiosk i talks to instance i % 2 (a load
// balancer hashing connections). Phases:
//   0. provision: N kiosks enrol (CSR) and are approved (device certificate issued, key pinned);
//      the audit batches are generated and signed beforehand (child processes), so the measured phases
//      spend CPU on the collector, not on making records;
//   1. first heartbeat of every kiosk (TLS handshake + a new boot: the collector's slow path);
//   2. maximum sustained heartbeat rate: every kiosk beats as soon as its previous beat was answered
//      (closed loop, keep-alive connections) for FLEET_BENCH_HB_SECONDS;
//   2b. the same closed loop with a new connection per beat resuming the TLS session on either instance
//      (a kiosk whose kept connection was closed; FLEET_BENCH_RESUMED_SECONDS, 0 skips it);
//   3. audit ingest of FLEET_BENCH_RECORDS records (batches of FLEET_BENCH_BATCH, each kiosk sending its
//      next batch after the acknowledgement, like the outbox) while all N kiosks keep heartbeating at their
//      nominal rate (one per kiosk per 60 s, open loop, over the connection each kiosk keeps open as the
//      kiosk's own postSigned does);
//   4. counts in the database: nothing lost or duplicated, no alerts; PostgreSQL size per million records.
// Sizes by environment (defaults = the figures):
//   FLEET_BENCH_KIOSKS=10000  FLEET_BENCH_RECORDS=1000000  FLEET_BENCH_AUDIT_KIOSKS=100
//   FLEET_BENCH_BATCH=200  FLEET_BENCH_HB_SECONDS=60  FLEET_BENCH_HB_CONCURRENCY=256  FLEET_BENCH_SEALED=0.25
//   FLEET_BENCH_FIRST_CONCURRENCY=32 (new TLS connections in flight in phase 1)
//   FLEET_BENCH_OUT=FILE (JSON summary)   FLEET_BENCH_PROF=DIR (collectors run with --cpu-prof into DIR)
//   quick run: FLEET_BENCH_KIOSKS=500 FLEET_BENCH_RECORDS=20000 FLEET_BENCH_HB_SECONDS=10
// Needs root (PostgreSQL runs as `postgres` via runuser); run through scripts/in-testnet.sh like the tests.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeviceKey } from '../daemon/device/device-key.ts';
import { KEEP_ALIVE_IDLE_MS } from '../daemon/device/signed-post.ts';
import { initFleet, openPool } from '../fleet/setup.ts';
import type { GenJob } from './fleet-batches.ts';
import { startCollectors, waitHealthy } from './fleet-collectors.ts';
import { cpuMeter, healthBody, type Kiosk, percentile, pool, post } from './fleet-load.ts';
import { auditTablesBytes, type FleetSummary, fleetTable, lostAnything, readStored } from './fleet-report.ts';
import { startPostgres } from '../test/harness/postgres.ts';

const env = (name: string, dflt: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number`);
  return n;
};

const BIN = fileURLToPath(new URL('../bin/idkiosk.js', import.meta.url));
const GENERATOR = fileURLToPath(new URL('./fleet-batches.ts', import.meta.url));

export async function main(): Promise<number> {
  const N = env('FLEET_BENCH_KIOSKS', 10_000);
  const RECORDS = env('FLEET_BENCH_RECORDS', 1_000_000);
  const AUDIT_KIOSKS = Math.min(N, env('FLEET_BENCH_AUDIT_KIOSKS', 100));
  const BATCH = env('FLEET_BENCH_BATCH', 200);
  const HB_SECONDS = env('FLEET_BENCH_HB_SECONDS', 60);
  const RESUMED_SECONDS = env('FLEET_BENCH_RESUMED_SECONDS', HB_SECONDS);
  const PROF = process.env.FLEET_BENCH_PROF || null;
  const HB_CONCURRENCY = Math.max(1, Math.min(env('FLEET_BENCH_HB_CONCURRENCY', 256), Math.floor(N / 2)));
  const SEALED = env('FLEET_BENCH_SEALED', 0.25);
  // New TLS connections in flight while every kiosk sends its first heartbeat (a fleet coming up).
  const FIRST_CONCURRENCY = Math.max(1, env('FLEET_BENCH_FIRST_CONCURRENCY', 32));
  const loadStart = loadavg()[0]!;
  // The 1-minute load average every 5 s: what share of the machine the run had.
  const loads: number[] = [loadStart];
  const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5000);
  loadTimer.unref();
  const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  const work = mkdtempSync(join(process.env.FLEET_BENCH_DIR ?? tmpdir(), 'idkiosk-fleet-bench-'));
  const children: ChildProcess[] = [];
  const pg = await startPostgres({ fsync: true, settings: { full_page_writes: 'on', shared_buffers: '256MB', max_wal_size: '4GB', max_connections: '200' } });
  const db = openPool(pg.url, 8);
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    for (const c of children) c.kill('SIGKILL');
    pg.close();
    rmSync(work, { recursive: true, force: true });
  };
  // Interrupted (Ctrl-C, timeout): no PostgreSQL, collector or generator left running, no files left.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => (cleanup(), process.exit(130)));
  try {
    log(`PostgreSQL on 127.0.0.1:${pg.port}; ${N} kiosks, ${RECORDS} audit records from ${AUDIT_KIOSKS} kiosks in batches of ${BATCH}`);
    const init = await initFleet({
      dir: join(work, 'fleet'),
      database: pg.url,
      hosts: ['127.0.0.1'],
      listen: { host: '127.0.0.1', port: 0 },
      metricsListen: null,
    });
    const caPem = readFileSync(init.config.ca.certFile, 'utf8');
    // The system under test: two collector instances sharing the database (started now, awaited after provisioning).
    const collectors = await startCollectors({ config: init.config, work, prof: PROF, bin: BIN });
    children.push(...collectors.map((c) => c.process));
    const ports = collectors.map((c) => c.port);
    const pids = collectors.map((c) => c.process.pid!);
    const postmaster = Number(readFileSync(join(pg.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);

    // 0. provisioning and batch generation, in two worker processes (the machine has two cores).
    let t0 = performance.now();
    const keys = join(work, 'keys');
    mkdirSync(keys);
    const batchesDir = join(work, 'batches');
    mkdirSync(batchesDir);
    const ids = Array.from({ length: N }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    const per = Math.floor(RECORDS / AUDIT_KIOSKS);
    const quota = ids
      .slice(0, AUDIT_KIOSKS)
      .map((id, i) => ({ id, keyFile: join(keys, `${id}.key`), records: per + (i < RECORDS - per * AUDIT_KIOSKS ? 1 : 0) }));
    const jobs: GenJob[] = [0, 1].map((w) => ({
      provision: ids.filter((_, i) => i % 2 === w),
      keys,
      database: pg.url,
      fleetConfig: init.configFile,
      kiosks: quota.filter((_, i) => i % 2 === w),
      batch: BATCH,
      sealed: SEALED,
      dir: batchesDir,
    }));
    const generated = await Promise.all(
      jobs.map(
        (job, w) =>
          new Promise<{ chains: Record<string, string>; batches: number; provisionS: number; generateS: number }>((resolve, reject) => {
            const file = join(work, `gen-${w}.json`);
            writeFileSync(file, JSON.stringify(job));
            const c = fork(GENERATOR, [file], { execArgv: process.execArgv });
            children.push(c);
            c.once('message', (m) => resolve(m as { chains: Record<string, string>; batches: number; provisionS: number; generateS: number }));
            c.once('exit', (code) => code && reject(new Error(`generator exited ${code}`)));
          }),
      ),
    );
    const chains = Object.assign({}, ...generated.map((g) => g.chains)) as Record<string, string>;
    const provisionS = Math.max(...generated.map((g) => g.provisionS));
    log(
      `provisioned ${N} kiosks in ${provisionS.toFixed(1)} s (CSR, approval, certificate each), then generated ${RECORDS} signed records in ${generated.reduce((a, g) => a + g.batches, 0)} batches in ${Math.max(...generated.map((g) => g.generateS)).toFixed(1)} s`,
    );
    const kiosks: Kiosk[] = ids.map((id, i) => {
      const keyFile = join(keys, `${id}.key`);
      return {
        id,
        key: DeviceKey.load(keyFile),
        keyFile,
        keyPem: readFileSync(keyFile, 'utf8'),
        certPem: readFileSync(join(keys, `${id}.pem`), 'utf8'),
        instance: i % 2,
        agent: null,
        seq: 0,
        busy: false,
        accepted: 0,
        lastAccepted: 0,
        failed: 0,
        session: null,
        beats: 0,
      };
    });
    const auditKiosks = kiosks.slice(0, AUDIT_KIOSKS);

    // Wait for both collectors (they started while we provisioned).
    for (const c of collectors) await waitHealthy(c.port, caPem);

    const boot = randomUUID();
    let reused = 0;
    let resumed = 0;
    let failures = 0;
    /**
     * keepAlive: one kept-alive connection per kiosk; otherwise a new connection per beat that offers the
     * kiosk's last TLS session, alternating between the two instances (a load balancer spreading
     * connections): resumption across instances works through the shared ticket keys.
     */
    const beat = async (k: Kiosk, keepAlive: boolean, lat: number[]): Promise<void> => {
      // As the kiosk's postSigned: idle connections are closed by the client (90 s) before the collector's
      // keep-alive timeout (120 s), so a beat never goes out on a connection the server is closing.
      if (keepAlive && !k.agent)
        k.agent = new Agent({ keepAlive: true, maxSockets: 1, timeout: KEEP_ALIVE_IDLE_MS, ca: caPem, cert: k.certPem, key: k.keyPem });
      const body = healthBody(k, boot);
      const seq = k.seq;
      const sig = k.key.sign(body).toString('base64url');
      const s = performance.now();
      k.busy = true;
      try {
        const port = keepAlive ? ports[k.instance]! : ports[(k.instance + k.beats++) % 2]!;
        const r = await post(port, '/v1/heartbeat', body, sig, k, caPem, keepAlive ? k.agent! : false, !keepAlive);
        if (r.reused) reused++;
        if (r.resumed) resumed++;
        if (r.status === 200) {
          k.accepted++;
          k.lastAccepted = Math.max(k.lastAccepted, seq);
        } else {
          k.failed++;
          if (++failures <= 10) log(`heartbeat ${k.id} #${seq}: HTTP ${r.status} ${r.body}`);
        }
      } catch (e) {
        k.failed++;
        if (++failures <= 10) log(`heartbeat ${k.id} #${seq}: ${(e as Error).message}`);
      } finally {
        k.busy = false;
        lat.push(performance.now() - s);
      }
    };
    const { snap: cpuSnap, since: cpuSince } = cpuMeter(pids, postmaster);

    // 1. first heartbeat of every kiosk: handshake + new boot.
    let lat: number[] = [];
    let snap = cpuSnap();
    t0 = performance.now();
    await pool(kiosks, FIRST_CONCURRENCY, (k) => beat(k, true, lat));
    const firstS = (performance.now() - t0) / 1000;
    const first = { rate: N / firstS, p50: percentile(lat, 50), p99: percentile(lat, 99), cpu: cpuSince(snap, firstS) };
    log(`first heartbeats: ${first.rate.toFixed(0)}/s, p99 ${first.p99.toFixed(1)} ms`);

    // 2. maximum sustained rate, closed loop over keep-alive connections.
    lat = [];
    snap = cpuSnap();
    let next = 0;
    let sent = 0;
    reused = 0;
    t0 = performance.now();
    const until = t0 + HB_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: HB_CONCURRENCY }, async () => {
        while (performance.now() < until) {
          let k = kiosks[next++ % N]!;
          while (k.busy) k = kiosks[next++ % N]!;
          sent++;
          await beat(k, true, lat);
        }
      }),
    );
    const maxS = (performance.now() - t0) / 1000;
    const maxRate = { sent, reusedConnections: reused, rate: sent / maxS, p50: percentile(lat, 50), p99: percentile(lat, 99), cpu: cpuSince(snap, maxS) };
    log(
      `max sustained heartbeats: ${maxRate.rate.toFixed(0)}/s over ${maxS.toFixed(0)} s, p50 ${maxRate.p50.toFixed(1)} ms, p99 ${maxRate.p99.toFixed(1)} ms, ${reused} on reused connections`,
    );

    // 2b. the same closed loop, but as the kiosk's heartbeat connects: a new connection per beat (its
    // interval outlasts any idle connection) that resumes the TLS session, on either instance.
    lat = [];
    snap = cpuSnap();
    let sentResumed = 0;
    resumed = 0;
    t0 = performance.now();
    const untilResumed = t0 + RESUMED_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: HB_CONCURRENCY }, async () => {
        while (performance.now() < untilResumed) {
          let k = kiosks[next++ % N]!;
          while (k.busy) k = kiosks[next++ % N]!;
          sentResumed++;
          await beat(k, false, lat);
        }
      }),
    );
    const resumedS = (performance.now() - t0) / 1000;
    const resumedRate = {
      sent: sentResumed,
      resumedSessions: resumed,
      rate: sentResumed / resumedS,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      cpu: cpuSince(snap, resumedS),
    };
    log(
      `resumed-session heartbeats: ${resumedRate.rate.toFixed(0)}/s over ${resumedS.toFixed(0)} s, p50 ${resumedRate.p50.toFixed(1)} ms, p99 ${resumedRate.p99.toFixed(1)} ms, ${resumed} of ${sentResumed} resumed`,
    );

    // 3. audit ingest with the fleet heartbeating at its nominal rate (N per 60 s, open loop), each kiosk
    // over the connection it keeps (a new one, resuming its TLS session, where the kept one was closed).
    const sizeBefore = await auditTablesBytes(db);
    const hbLat: number[] = [];
    const batchLat: number[] = [];
    let stop = false;
    let hbSent = 0;
    const nominal = N / 60;
    snap = cpuSnap();
    t0 = performance.now();
    const hbLoop = (async () => {
      const inflight = new Set<Promise<void>>();
      let i = 0;
      while (!stop) {
        const due = Math.floor(((performance.now() - t0) / 1000) * nominal);
        while (hbSent < due) {
          const k = kiosks[i++ % N]!;
          hbSent++;
          if (k.busy) continue; // still answering its previous beat (counted as sent, not as a failure)
          const p = beat(k, true, hbLat).finally(() => inflight.delete(p));
          inflight.add(p);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all(inflight);
    })();
    let retries = 0;
    let ingested = 0;
    const agents = new Map<string, Agent>();
    await Promise.all(
      auditKiosks.map(async (k) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1, timeout: KEEP_ALIVE_IDLE_MS, ca: caPem, cert: k.certPem, key: k.keyPem });
        agents.set(k.id, agent);
        const q = quota.find((x) => x.id === k.id)!;
        for (let b = 0; b * BATCH < q.records; b++) {
          const file = readFileSync(join(batchesDir, `${k.id}.${b}`));
          const nl = file.indexOf(10);
          const sig = file.subarray(0, nl).toString();
          const body = file.subarray(nl + 1);
          for (let attempt = 0; ; attempt++) {
            const s = performance.now();
            try {
              const r = await post(ports[k.instance]!, '/v1/audit', body, sig, k, caPem, agent);
              batchLat.push(performance.now() - s);
              if (r.status === 200) {
                ingested += (JSON.parse(r.body) as { acked: number[] }).acked.length;
                break;
              }
              throw new Error(`HTTP ${r.status} ${r.body}`);
            } catch (e) {
              retries++;
              if (attempt >= 20) throw new Error(`batch ${k.id}.${b} failed 20 times: ${(e as Error).message}`);
              log(`batch ${k.id}.${b}: ${(e as Error).message}; retrying`);
              await new Promise((r) => setTimeout(r, 500));
            }
          }
        }
      }),
    );
    const auditS = (performance.now() - t0) / 1000;
    stop = true;
    await hbLoop;
    for (const a of agents.values()) a.destroy();
    const audit = {
      records: ingested,
      rate: ingested / auditS,
      batchP50: percentile(batchLat, 50),
      batchP99: percentile(batchLat, 99),
      retries,
      cpu: cpuSince(snap, auditS),
    };
    const nominalHb = {
      sent: hbSent,
      rate: hbLat.length / auditS,
      p50: percentile(hbLat, 50),
      p99: percentile(hbLat, 99),
      resumedSessions: resumed - resumedRate.resumedSessions,
    };
    log(
      `audit: ${ingested} records in ${auditS.toFixed(0)} s = ${audit.rate.toFixed(0)}/s, batch p99 ${audit.batchP99.toFixed(0)} ms; heartbeats meanwhile ${nominalHb.rate.toFixed(0)}/s p99 ${nominalHb.p99.toFixed(1)} ms`,
    );

    // 4. what the database holds. The collectors stop first (SIGTERM): their backends then flush their
    // statistics, so pg_stat_user_tables counts every heartbeat UPDATE.
    await Promise.all(
      children
        .filter((c) => c.exitCode === null && c.signalCode === null && pids.includes(c.pid!))
        .map((c) => new Promise<void>((r) => (c.once('exit', () => r()), c.kill('SIGTERM')))),
    );
    const stored = await readStored(db, { quota, chains, kiosks, sizeBefore });
    const loadEnd = loadavg()[0]!;
    const cpuPer = (c: { collectorsCpuS: number; postgresCpuS: number }, n: number) => ((c.collectorsCpuS + c.postgresCpuS) * 1e6) / Math.max(1, n);
    const summary: FleetSummary = {
      machine: { cores: cpus().length, note: 'shared 2-core machine; everything (PostgreSQL, 2 collectors, load generator) on it' },
      postgres: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', shared_buffers: '256MB' },
      kiosks: N,
      concurrency: { first: FIRST_CONCURRENCY, heartbeats: HB_CONCURRENCY },
      provisionS,
      firstHeartbeats: first,
      maxSustainedHeartbeats: maxRate,
      resumedSessionHeartbeats: resumedRate,
      kioskRowUpdates: stored.kioskUpdates,
      nominalHeartbeatsDuringAudit: { target: nominal, ...nominalHb },
      audit: { ...audit, expected: RECORDS, batch: BATCH, auditKiosks: AUDIT_KIOSKS, sealedFraction: SEALED },
      database: stored.database,
      loadAverage: { start: loadStart, end: loadEnd, mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads) },
      cpuPerHeartbeatUs: cpuPer(maxRate.cpu, maxRate.sent),
      cpuPerResumedHeartbeatUs: cpuPer(resumedRate.cpu, resumedRate.sent),
      cpuPerFirstHeartbeatUs: cpuPer(first.cpu, N),
      cpuPerRecordUs: cpuPer(audit.cpu, audit.records),
    };
    const lines = fleetTable(summary);
    const lost = lostAnything(summary);
    process.stdout.write(lines.join('\n') + '\n\n' + JSON.stringify(summary) + '\n');
    if (process.env.FLEET_BENCH_OUT) writeFileSync(process.env.FLEET_BENCH_OUT, JSON.stringify(summary, null, 2) + '\n');
    return lost ? 1 : 0;
  } finally {
    await db.end().catch(() => undefined);
    cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench:fleet failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
