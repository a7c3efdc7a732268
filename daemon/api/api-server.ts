// The integration API for the business application beside the kiosk (docs/integration-api.md): start a
// verification of a given kind, follow its progress (Server-Sent Events), receive the result as a JWS
// signed with the device key, cancel. Loopback by default; with api.tls it speaks HTTPS and requires a
// client certificate issued by the configured CA (mutual TLS) for LAN deployments. Every connection must
// come from an allowed address; requests carrying an Origin header (a browser page) are refused, and on
// plain HTTP the Host header must name this server (no DNS rebinding from a web page).
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { DeviceKey } from '../device/device-key.ts';
import type { KioskRuntime } from '../kiosk/runtime.ts';
import { addressAllowed, type ApiConfig } from './api-config.ts';
import { publicJwk } from './result-token.ts';
import { Verifications, type KioskOffer, type StartRequest } from './verifications.ts';
import { clientIdentity } from './client-identity.ts';
import { throttledLog } from '../server/throttled-log.ts';
import { parseRequestTarget } from '../server/request-target.ts';
import { guardConnections, listenerLimits, serverOptions, type ConnectionStats, type ListenerLimits } from '../server/listener-limits.ts';
import { allowedPeers } from '../server/ui-server.ts';
import { listenOrUnwind, stopServer } from '../../core/http-listen.ts';

export const API_VERSION = 1;

export interface ApiServerOptions {
  config: ApiConfig;
  runtime: KioskRuntime;
  deviceKey: DeviceKey;
  kioskId: string;
  version: string;
  /** What the kiosk offers, read at each request: the demo panel can switch it while the API runs. */
  offer: () => KioskOffer;
  log?: (line: string) => void;
  /** 現況確認: POST /v1/status-checks re-checks the JPKI signing certificates in the audit trail. */
  statusCheck?: () => Promise<unknown>;
  /** Connection caps and timeouts (daemon/server/listener-limits.ts); defaults otherwise. */
  listener?: Partial<ListenerLimits>;
}

export interface ApiServer {
  url: string;
  port: number;
  verifications: Verifications;
  /** Open TCP connections, idle ones evicted, refused. */
  connections(): ConnectionStats;
  close(): Promise<void>;
}

/** HTTP status for the stable codes a start can be refused with. */
const START_STATUS: Record<string, number> = {
  DOCUMENT_NOT_ENABLED: 422,
  POLICY_UNKNOWN: 422,
  SESSION_BUSY: 409,
  KIOSK_MAINTENANCE: 503,
  PRINTER_UNAVAILABLE: 503,
};

const NONCE = /^[\x21-\x7e]{1,128}$/;
const MAX_BODY = 4096;
/** Event streams open at once on one verification, and for one client (issue 17: 500 were accepted). */
export const MAX_STREAMS_PER_VERIFICATION = 4;
export const MAX_STREAMS_PER_CLIENT = 16;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const problem = (res: ServerResponse, status: number, code: string, message: string) => json(res, status, { error: { code, message } });

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

/** Validates POST /v1/verifications; returns the request or a message saying what is wrong. */
export function parseStart(body: unknown): StartRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!['document', 'documents', 'policy', 'nonce', 'audience'].includes(k)) return `unknown field '${k}'`;
  let documents: string[];
  let policy: string | undefined;
  if (b.policy !== undefined) {
    if (typeof b.policy !== 'string' || !/^[a-z0-9-]{1,40}$/.test(b.policy)) return "'policy' must be a policy name (lower-case letters, digits and -)";
    if (b.document !== undefined || b.documents !== undefined) return "give either 'policy' or 'document'/'documents', not both";
    policy = b.policy;
    documents = [];
  } else if (typeof b.document === 'string' && b.documents === undefined) documents = [b.document];
  else if (Array.isArray(b.documents) && b.document === undefined && b.documents.length > 0 && b.documents.every((d) => typeof d === 'string'))
    documents = b.documents as string[];
  else return "give either 'document' (a document id) or 'documents' (a non-empty list of ids)";
  if (documents.some((d) => !/^[a-z0-9-]{1,40}$/.test(d))) return 'document ids are lower-case letters, digits and -';
  if (b.nonce !== undefined && (typeof b.nonce !== 'string' || !NONCE.test(b.nonce))) return "'nonce' must be 1–128 printable ASCII characters";
  if (b.audience !== undefined && (typeof b.audience !== 'string' || !NONCE.test(b.audience))) return "'audience' must be 1–128 printable ASCII characters";
  return {
    documents: [...new Set(documents)],
    ...(policy ? { policy } : {}),
    nonce: b.nonce as string | undefined,
    audience: b.audience as string | undefined,
  };
}

/**
 * Open event streams, per verification and per client (prefixed keys): a client that opens too many gets
 * 429 rather than holding a connection each.
 */
export class StreamQuota {
  private readonly open = new Map<string, number>();

  /** Takes one stream for this verification and client, or returns false when either is at its limit. */
  take(verification: string, client: string): boolean {
    const v = `v:${verification}`;
    const c = `c:${client}`;
    if ((this.open.get(v) ?? 0) >= MAX_STREAMS_PER_VERIFICATION || (this.open.get(c) ?? 0) >= MAX_STREAMS_PER_CLIENT) return false;
    this.bump(v, 1);
    this.bump(c, 1);
    return true;
  }

  release(verification: string, client: string): void {
    this.bump(`v:${verification}`, -1);
    this.bump(`c:${client}`, -1);
  }

  /** Keys with open streams (tests: nothing is left counted once every stream closed). */
  size(): number {
    return this.open.size;
  }

  private bump(k: string, d: number): void {
    const n = (this.open.get(k) ?? 0) + d;
    if (n <= 0) this.open.delete(k);
    else this.open.set(k, n);
  }
}

/** The body of GET /v1/kiosk: what this kiosk offers and whether it is busy. */
export function kioskInfo(o: Pick<ApiServerOptions, 'runtime' | 'kioskId' | 'version' | 'offer' | 'deviceKey'>): Record<string, unknown> {
  const s = o.runtime.getState();
  const offer = o.offer();
  return {
    apiVersion: API_VERSION,
    kioskId: o.kioskId,
    version: o.version,
    documents: offer.documents,
    ...(offer.policies
      ? {
          policies: [...offer.policies.values()].map((p) => ({
            name: p.name,
            documents: p.documents.filter((d) => offer.documents.includes(d)),
            ageThreshold: p.ageThreshold,
            acceptChipRead: p.acceptChipRead,
          })),
        }
      : {}),
    state: { phase: s.phase, blockedBy: s.blockedBy, busy: s.request !== null || !['idle', 'result'].includes(s.phase) },
    deviceKey: publicJwk(o.deviceKey),
  };
}

interface ApiContext {
  o: ApiServerOptions;
  log: (line: string) => void;
  verifications: Verifications;
  /** Host headers this server answers to (known once it listens). */
  hosts: () => ReadonlySet<string>;
  streams: Set<ServerResponse>;
  quota: StreamQuota;
  /**
   * Who started each verification (client-identity.ts). Another client gets 404 for it, as if it did not
   * exist: it can neither read nor cancel nor follow it, nor learn that it exists.
   */
  owners: Map<string, string>;
  refusedLog: (line: string) => void;
}

/** Checks who is asking (address, Origin, Host, ownership), then routes. Never throws. */
export function apiHandler(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { o, log, verifications, owners } = ctx;
  const cfg = o.config;
  return async (req, res) => {
    // First, before any other check: a garbage request-target is a 400, never an exception.
    const url = parseRequestTarget(req.url);
    if (!url) return problem(res, 400, 'SERVER_BAD_MESSAGE', 'bad request-target');
    const remote = req.socket.remoteAddress;
    if (!addressAllowed(remote, cfg.allow)) {
      ctx.refusedLog(`api: refused ${remote ?? '?'} (not on api.allow)`);
      return problem(res, 403, 'SERVER_UNAUTHORIZED', 'address not allowed');
    }
    if (req.headers.origin !== undefined) return problem(res, 403, 'SERVER_UNAUTHORIZED', 'browser requests are not accepted');
    if (!cfg.tls && !ctx.hosts().has(req.headers.host ?? '')) return problem(res, 421, 'SERVER_UNAUTHORIZED', 'unexpected Host header');
    const path = url.pathname;
    const m = /^\/v1\/verifications\/([0-9a-f-]{36})(\/events)?$/.exec(path);
    const client = clientIdentity(req, !!cfg.tls);
    const id = m?.[1];
    if (id !== undefined && owners.get(id) !== client) return problem(res, 404, 'NOT_FOUND', 'no such verification');
    try {
      if (req.method === 'GET' && path === '/v1/kiosk') return json(res, 200, kioskInfo(o));
      if (req.method === 'POST' && path === '/v1/verifications') return await startVerification(ctx, req, res, client);
      if (req.method === 'POST' && path === '/v1/status-checks') {
        if (!o.statusCheck) return problem(res, 404, 'NOT_FOUND', 'status check is not configured (audit trail and revocation source needed)');
        return json(res, 200, await o.statusCheck());
      }
      if (id !== undefined && req.method === 'GET' && !m?.[2]) {
        const v = verifications.get(id);
        return v ? json(res, 200, v) : problem(res, 404, 'NOT_FOUND', 'no such verification');
      }
      if (id !== undefined && req.method === 'GET' && m?.[2]) return followEvents(ctx, res, id, client);
      if (id !== undefined && req.method === 'DELETE' && !m?.[2]) {
        if (!verifications.get(id)) return problem(res, 404, 'NOT_FOUND', 'no such verification');
        if (!verifications.cancel(id)) return problem(res, 409, 'ALREADY_ENDED', 'the verification has already ended');
        return json(res, 200, verifications.get(id));
      }
      return problem(res, 404, 'NOT_FOUND', 'no such endpoint');
    } catch (e) {
      log(`api: internal error ${(e as Error).name}`);
      if (!res.headersSent) problem(res, 500, 'INTERNAL', 'internal error');
      else res.end();
    }
  };
}

/** POST /v1/verifications. */
async function startVerification(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, client: string): Promise<void> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return problem(res, 415, 'SERVER_BAD_MESSAGE', 'Content-Type must be application/json');
  let body: unknown;
  try {
    body = await readJson(req);
  } catch {
    return problem(res, 400, 'SERVER_BAD_MESSAGE', 'body is not JSON (or larger than 4 KiB)');
  }
  const start = parseStart(body);
  if (typeof start === 'string') return problem(res, 400, 'SERVER_BAD_MESSAGE', start);
  const out = ctx.verifications.start(start);
  if (!out.ok) return problem(res, START_STATUS[out.code] ?? 409, out.code, `verification not started: ${out.code}`);
  ctx.owners.set(out.view.id, client);
  for (const id of ctx.owners.keys()) if (!ctx.verifications.get(id)) ctx.owners.delete(id); // forget pruned ones
  ctx.log(`api: verification ${out.view.id} started (${out.view.documents.join(', ')})`);
  res.setHeader('location', `/v1/verifications/${out.view.id}`);
  return json(res, 201, out.view);
}

/** GET /v1/verifications/{id}/events: Server-Sent Events until the verification ends. */
function followEvents(ctx: ApiContext, res: ServerResponse, id: string, client: string): void {
  if (!ctx.quota.take(id, client)) {
    problem(res, 429, 'TOO_MANY_STREAMS', 'too many event streams open');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  const off = ctx.verifications.subscribe(id, (e) => {
    res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    if (e.event !== 'progress') queueMicrotask(() => res.end());
  });
  if (!off) {
    ctx.quota.release(id, client);
    res.end(`event: error\ndata: ${JSON.stringify({ code: 'NOT_FOUND' })}\n\n`);
    return;
  }
  ctx.streams.add(res);
  const ping = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  ping.unref();
  res.on('close', () => {
    off();
    clearInterval(ping);
    ctx.streams.delete(res);
    ctx.quota.release(id, client);
  });
}

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const cfg = o.config;
  const log = o.log ?? (() => {});
  const verifications = new Verifications({
    runtime: o.runtime,
    deviceKey: o.deviceKey,
    kioskId: o.kioskId,
    offer: o.offer,
    tokenTtlSeconds: cfg.tokenTtlSeconds,
  });
  let hosts = new Set<string>(); // known once the port is: until then nothing is accepted
  const streams = new Set<ServerResponse>();
  const handle = apiHandler({
    o,
    log,
    verifications,
    hosts: () => hosts,
    streams,
    quota: new StreamQuota(),
    owners: new Map(),
    refusedLog: throttledLog(log), // any address can trigger it at will
  });

  // No exception from a request may leave the handler (an unhandled rejection stops the process).
  const guarded = (req: IncomingMessage, res: ServerResponse) =>
    void handle(req, res).catch((e: unknown) => {
      log(`api: internal error ${(e as Error)?.name ?? 'unknown'}`);
      if (!res.headersSent) problem(res, 500, 'INTERNAL', 'internal error');
      else res.destroy();
    });

  const limits = listenerLimits(o.listener);
  let server: Server;
  try {
    server = cfg.tls
      ? createHttps(
          {
            ...serverOptions(limits),
            cert: readFileSync(cfg.tls.certFile),
            key: readFileSync(cfg.tls.keyFile),
            ca: readFileSync(cfg.tls.clientCaFile),
            requestCert: true,
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
          },
          guarded,
        )
      : createHttp(serverOptions(limits), guarded);
  } catch (e) {
    verifications.dispose(); // a TLS file missing or unreadable
    throw e;
  }
  const guard = guardConnections(server, limits, log);
  const close = async () => {
    verifications.dispose();
    for (const r of streams) r.end();
    await stopServer(server);
  };

  const port = await listenOrUnwind(server, cfg.port, cfg.host, close);
  const peers = allowedPeers(cfg.host, port);
  hosts = peers.hosts;
  return {
    url: `${cfg.tls ? 'https' : 'http'}://${peers.hostPart}:${port}`,
    port,
    verifications,
    connections: () => guard.stats(),
    close,
  };
}
