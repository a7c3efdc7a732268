// The collector's HTTPS listener (mutual TLS) and its plain-HTTP /metrics listener. Stateless: every fact
// lives in PostgreSQL, so instances behind a load balancer are interchangeable and a killed instance loses
// nothing that was acknowledged. TLS asks every client for a certificate but lets the request through
// without one, because enrolment (POST /v1/enrol) comes before the kiosk has a certificate; every other
// kiosk route requires a certificate the fleet CA issued and the CRL does not list.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { parseBatch } from './audit-batch.ts';
import { ingestBatch } from './audit-ingest.ts';
import { AUTH_CACHE_MS, AuthCache, authenticate, fixPeer, peerKiosk } from './auth.ts';
import type { FleetConfig } from './config.ts';
import { currentCrl, submitCsr } from './enrolment.ts';
import { HeartbeatWriter, ingestHeartbeat, parseHeartbeat } from './heartbeats.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';
import { listen, stopServer } from '../core/http-listen.ts';
import { errorResponse, refuse } from './http-errors.ts';
import { renderMetrics } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';

export interface CollectorOptions {
  pool: pg.Pool;
  config: Pick<FleetConfig, 'limits' | 'silentAfterSeconds' | 'crlFile'>;
  listen: { host: string; port: number };
  metricsListen?: { host: string; port: number } | null;
  tls: { cert: string | Buffer; key: string | Buffer; ca: string | Buffer; ticketKeyFile?: string | null };
  /** How often each instance looks for a newer CRL in the database (and a rotated ticket key file). */
  crlPollMs?: number;
  log?: (line: string) => void;
}

export interface Collector {
  port: number;
  metricsPort: number | null;
  crlNumber: () => string | null;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  if (res.headersSent) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Reads the body up to `max` bytes; a larger one is refused before it is buffered. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) return Promise.reject(refuse('BODY_TOO_LARGE', `at most ${max} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        reject(refuse('BODY_TOO_LARGE', `at most ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The shared session-ticket keys: exactly 48 bytes, readable by the collector's user alone. */
export function readTicketKeys(file: string): { keys: Buffer; mtimeMs: number } {
  const st = statSync(file);
  if (st.mode & 0o077) throw new KioskError(ErrorCodes.CONFIG_INVALID, `${file} is readable by group or others: chmod 600 it`);
  const keys = readFileSync(file);
  if (keys.length !== 48) throw new KioskError(ErrorCodes.CONFIG_INVALID, `${file} must hold exactly 48 bytes (head -c 48 /dev/urandom), not ${keys.length}`);
  return { keys, mtimeMs: st.mtimeMs };
}

/** Serials (upper-case hex) of the revoked device certificates, as the CRL lists them. */
async function revokedSerials(pool: pg.Pool): Promise<Set<string>> {
  const r = await pool.query<{ s: string }>(`SELECT upper(cert_serial) AS s FROM kiosks WHERE status = 'revoked' AND cert_serial IS NOT NULL`);
  return new Set(r.rows.map((x) => x.s));
}

export async function startCollector(o: CollectorOptions): Promise<Collector> {
  const log = o.log ?? (() => undefined);
  const { limits } = o.config;
  const limiter = new RateLimiter(limits.perKioskPerMinute);
  const enrolLimiter = new RateLimiter(Math.max(10, limits.perKioskPerMinute));
  const pollMs = o.crlPollMs ?? 5000;
  const firstCrl = await currentCrl(o.pool);
  if (!firstCrl) throw new Error('no CRL in the database: run `idkiosk fleet init` first');
  let crl = firstCrl;
  let revoked = await revokedSerials(o.pool);
  // Authentication rows outlive the beat interval (see AuthCache: a stale row can only refuse, and a new
  // CRL clears them all).
  const authCache = new AuthCache(AUTH_CACHE_MS);
  const writer = new HeartbeatWriter(o.pool);
  let tickets = o.tls.ticketKeyFile ? readTicketKeys(o.tls.ticketKeyFile) : null;
  const writeCrl = (pem: string) => {
    writeFileSync(`${o.config.crlFile}.tmp`, pem, { mode: 0o644 });
    renameSync(`${o.config.crlFile}.tmp`, o.config.crlFile);
  };
  writeCrl(crl.pem);
  const context = (crlPem: string) => ({
    cert: o.tls.cert,
    key: o.tls.key,
    ca: o.tls.ca,
    crl: crlPem,
    minVersion: 'TLSv1.2' as const,
    ...(tickets ? { ticketKeys: tickets.keys } : {}),
    // OpenSSL resumes a session only under the session-id context it was issued in, and Node's default is
    // a hash of the process's command line — which differs between instances (another --config path), so
    // no ticket would resume on another instance. The fleet CA names the context instead.
    sessionIdContext: createHash('sha256').update(o.tls.ca).digest('hex').slice(0, 32),
  });

  const server: Server = createServer(
    {
      ...context(crl.pem),
      requestCert: true,
      rejectUnauthorized: false,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks those two timeouts only every connectionsCheckingInterval (30 s by default), so a slow
      // client would hold its connection up to 30 s past them.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2))),
      keepAliveTimeout: limits.idleTimeoutMs,
    },
    (req, res) => void handle(req, res),
  );
  server.timeout = limits.idleTimeoutMs;
  server.on('secureConnection', fixPeer);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://collector');
    try {
      if (req.method === 'POST' && url.pathname === '/v1/heartbeat') {
        const peer = peerKiosk(req, revoked);
        if (!limiter.take(peer.kioskId)) throw refuse('RATE_LIMITED', 'too many requests from this kiosk');
        const body = await readBody(req, Math.min(limits.bodyBytes, 256 * 1024));
        const caller = await authenticate(o.pool, req, body, { revoked, cache: authCache });
        await ingestHeartbeat(o.pool, caller, parseHeartbeat(body), {
          writer,
          reauthenticate: () => {
            authCache.forget(peer.kioskId);
            return authenticate(o.pool, req, body, { revoked });
          },
        });
        return send(res, 200, { ok: true });
      }
      if (req.method === 'POST' && url.pathname === '/v1/audit') {
        const peer = peerKiosk(req, revoked);
        if (!limiter.take(peer.kioskId)) throw refuse('RATE_LIMITED', 'too many requests from this kiosk');
        const body = await readBody(req, limits.bodyBytes);
        const caller = await authenticate(o.pool, req, body, { revoked });
        const r = await ingestBatch(o.pool, caller, parseBatch(body, limits.maxRecordsPerBatch));
        // Sent only now: ingestBatch returned after COMMIT.
        return send(res, 200, { acked: r.acked, stored: r.stored, duplicates: r.duplicates });
      }
      if (req.method === 'POST' && url.pathname === '/v1/enrol') {
        if (!enrolLimiter.take(req.socket.remoteAddress ?? '?')) throw refuse('RATE_LIMITED', 'too many enrolment requests');
        const body = await readBody(req, 16 * 1024);
        const r = await submitCsr(o.pool, body.toString('utf8'));
        return send(res, 202, r);
      }
      const certMatch = /^\/v1\/enrol\/([A-Za-z0-9._-]{1,64})\/certificate$/.exec(url.pathname);
      if (req.method === 'GET' && certMatch) {
        const r = await o.pool.query<{ status: string; cert_pem: string | null }>('SELECT status, cert_pem FROM kiosks WHERE kiosk_id = $1', [certMatch[1]]);
        const row = r.rows[0];
        if (!row) throw refuse('KIOSK_UNKNOWN', 'no such enrolment');
        if (row.status === 'revoked') throw refuse('KIOSK_REVOKED', 'the kiosk is revoked');
        if (row.status !== 'approved' || !row.cert_pem) throw refuse('KIOSK_NOT_APPROVED', 'waiting for the operator to approve');
        return send(res, 200, row.cert_pem, 'application/x-pem-file');
      }
      if (req.method === 'GET' && url.pathname === '/v1/crl') {
        const c = await currentCrl(o.pool);
        return send(res, 200, c?.pem ?? '', 'application/x-pem-file');
      }
      if (req.method === 'GET' && url.pathname === '/healthz') {
        await o.pool.query('SELECT 1');
        return send(res, 200, { status: 'ok' });
      }
      if (['/v1/heartbeat', '/v1/audit', '/v1/enrol', '/v1/crl', '/healthz'].includes(url.pathname))
        throw refuse('METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
      throw refuse('NOT_FOUND', `no route ${url.pathname}`);
    } catch (e) {
      const r = errorResponse(e);
      if (r.status === 503) log(`request ${req.method} ${url.pathname} failed: ${(e as Error).message}`);
      // A refused body may still be arriving: answer, then close so it is not read into memory.
      if (r.status === 413) res.setHeader('connection', 'close');
      send(res, r.status, r.body);
      if (r.status === 413) res.on('finish', () => req.socket.destroy());
    }
  }

  // Revocations made anywhere (any instance, `fleet revoke` on another machine) reach TLS here.
  let polling = false;
  const poll = setInterval(async () => {
    if (polling) return;
    polling = true;
    try {
      const next = await currentCrl(o.pool);
      let reload = false;
      if (next && next.number !== crl.number) {
        revoked = await revokedSerials(o.pool);
        authCache.clear();
        crl = next;
        writeCrl(next.pem);
        reload = true;
        log(`CRL ${next.number} loaded`);
      }
      if (o.tls.ticketKeyFile && statSync(o.tls.ticketKeyFile).mtimeMs !== tickets?.mtimeMs) {
        tickets = readTicketKeys(o.tls.ticketKeyFile);
        reload = true;
        log('TLS session-ticket keys reloaded');
      }
      if (reload) {
        server.setSecureContext(context(crl.pem));
        if (tickets) server.setTicketKeys(tickets.keys);
      }
    } catch (e) {
      log(`CRL refresh failed: ${(e as Error).message}`);
    } finally {
      polling = false;
    }
  }, pollMs);
  poll.unref();

  await listen(server, o.listen.port, o.listen.host);

  let metrics: HttpServer | null = null;
  if (o.metricsListen) {
    metrics = createHttpServer(async (req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics')
        return send(res, 404, { error: 'NOT_FOUND', message: 'only GET /metrics here' });
      try {
        send(res, 200, await renderMetrics(o.pool, { silentAfterSeconds: o.config.silentAfterSeconds }), 'text/plain; version=0.0.4');
      } catch (e) {
        send(res, 503, errorResponse(e).body);
      }
    });
    await listen(metrics, o.metricsListen.port, o.metricsListen.host);
  }

  return {
    port: (server.address() as AddressInfo).port,
    metricsPort: metrics ? (metrics.address() as AddressInfo).port : null,
    crlNumber: () => crl?.number ?? null,
    close: async () => {
      clearInterval(poll);
      await stopServer(server);
      if (metrics) await stopServer(metrics);
    },
  };
}
