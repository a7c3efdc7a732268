// A fleet collector on a throw-away PostgreSQL, and kiosks that talk to it with the kiosk's own code
// (device key, CSR from provisioning/enroll.ts, signed POSTs, heartbeat, audit outbox).
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { postSigned, type PostResult, type PostTarget } from '../../../daemon/device/signed-post.ts';
import { approve } from '../../../fleet/enrolment.ts';
import { startCollector, type Collector } from '../../../fleet/server.ts';
import { initFleet, loadSigner, openPool } from '../../../fleet/setup.ts';
import type { FleetConfig } from '../../../fleet/config.ts';
import { buildCsr, toPem } from '../../../provisioning/enroll.ts';
import { startPostgres, type PgCluster } from '../../harness/postgres.ts';

export interface Fleet {
  pg: PgCluster;
  dir: string;
  config: FleetConfig;
  configFile: string;
  caPem: string;
  pool: ReturnType<typeof openPool>;
  collector: Collector | null;
  url: () => string;
  start(port?: number): Promise<Collector>;
  /** Another instance on the same database and files (not f.collector); the caller closes it. */
  instance(port?: number): Promise<Collector>;
  close(): Promise<void>;
}

export async function startFleet(o: { limits?: Partial<FleetConfig['limits']> } = {}): Promise<Fleet> {
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-fleet-'));
  const init = await initFleet({
    dir,
    database: pg.url,
    hosts: ['127.0.0.1'],
    listen: { host: '127.0.0.1', port: 0 },
    metricsListen: { host: '127.0.0.1', port: 0 },
  });
  const config = { ...init.config, limits: { ...init.config.limits, ...o.limits } };
  const pool = openPool(pg.url, 10);
  const caPem = readFileSync(config.ca.certFile, 'utf8');
  const f: Fleet = {
    pg,
    dir,
    config,
    configFile: init.configFile,
    caPem,
    pool,
    collector: null,
    url: () => `https://127.0.0.1:${f.collector!.port}`,
    async start(port = 0) {
      f.collector = await f.instance(port);
      return f.collector;
    },
    instance(port = 0) {
      return startCollector({
        pool,
        config,
        listen: { host: '127.0.0.1', port },
        metricsListen: { host: '127.0.0.1', port: 0 },
        tls: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile), ca: caPem, ticketKeyFile: config.tls.ticketKeyFile },
        crlPollMs: 200,
      });
    },
    async close() {
      await f.collector?.close();
      await pool.end();
      pg.close();
    },
  };
  return f;
}

export interface TestKiosk {
  id: string;
  key: DeviceKey;
  keyPem: string;
  certPem: string | null;
  /** The fleet CA the kiosk trusts for the collector (set at enrolment). */
  ca: string;
  target(url: string, path: string): PostTarget;
}

export function newKiosk(id: string): TestKiosk {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-kiosk-'));
  const file = join(dir, 'device.key');
  const key = DeviceKey.loadOrGenerate(file).key;
  const k: TestKiosk = {
    id,
    key,
    keyPem: readFileSync(file, 'utf8'),
    certPem: null,
    ca: '',
    target: (url, path) => ({ url: url + path, ca: k.ca, clientCert: k.certPem ? { cert: k.certPem, key: k.keyPem } : undefined, timeoutMs: 10_000 }),
  };
  return k;
}

export function csrPem(k: TestKiosk): string {
  return toPem(buildCsr(k.key, { kioskId: k.id, site: 'site-a', operator: 'op-x' }), 'CERTIFICATE REQUEST');
}

/** A plain HTTPS request to the collector (enrolment, error cases), optionally with the kiosk's certificate. */
export function call(
  f: Fleet,
  method: string,
  path: string,
  body: string | Buffer | null,
  o: { kiosk?: TestKiosk; headers?: Record<string, string> } = {},
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      f.url() + path,
      {
        method,
        ca: f.caPem,
        cert: o.kiosk?.certPem ?? undefined,
        key: o.kiosk?.certPem ? o.kiosk.keyPem : undefined,
        headers: { 'content-type': 'application/json', ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...o.headers },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

/** enrol over HTTP → operator approves → kiosk fetches its certificate. */
export async function enrolAndApprove(f: Fleet, k: TestKiosk): Promise<void> {
  k.ca = f.caPem;
  const r = await call(f, 'POST', '/v1/enrol', csrPem(k), { headers: { 'content-type': 'application/pkcs10' } });
  if (r.status !== 202) throw new Error(`enrol: ${r.status} ${r.body}`);
  await approve(f.pool, loadSigner(f.config), k.id, { days: 30, fingerprint: k.key.fingerprint });
  const c = await call(f, 'GET', `/v1/enrol/${k.id}/certificate`, null);
  if (c.status !== 200) throw new Error(`certificate: ${c.status} ${c.body}`);
  k.certPem = c.body;
}

export function signedPost(f: Fleet, k: TestKiosk, path: string, payload: unknown, key = k.key): Promise<PostResult> {
  return postSigned(k.target(f.url(), path), key, payload);
}

export async function until<T>(what: string, f: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
