// /healthz (JSON) and /metrics (Prometheus) on loopback, plus the maintenance switch the provisioning
// CLI uses while it runs (POST /maintenance, bearer token from a file only root and the daemon read).
// Refuses non-loopback peers unless configured otherwise: operators scrape through the heartbeat or an
// SSH tunnel, not by exposing the kiosk.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { MetricsSource } from './metrics.ts';
import type { HealthSnapshot } from './health-state.ts';
import { listen, stopServer } from '../../core/http-listen.ts';
import { parseRequestTarget } from '../server/request-target.ts';
import { hostHeaderAllowed } from '../server/bind-address.ts';
import { guardConnections, listenerLimits, serverOptions, type ListenerLimits } from '../server/listener-limits.ts';

export interface HealthServerOptions {
  host: string;
  port: number;
  allowRemote: boolean;
  snapshot: () => HealthSnapshot;
  registry: MetricsSource;
  maintenance?: { token: string; set: (active: boolean, reason: string | null) => void };
  log?: (line: string) => void;
  /** Connection caps and timeouts (daemon/server/listener-limits.ts); defaults otherwise. */
  listener?: Partial<ListenerLimits>;
}

export interface HealthServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const isLoopback = (a: string | undefined) => !!a && (a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.'));

function tokenOk(expected: string, header: string | undefined): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice(7) : '';
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

export async function startHealthServer(o: HealthServerOptions): Promise<HealthServer> {
  const limits = listenerLimits(o.listener);
  let port = 0;
  const server: Server = createServer(serverOptions(limits), (req, res) => {
    if (!o.allowRemote && !isLoopback(req.socket.remoteAddress)) {
      res.writeHead(403).end();
      return;
    }
    const target = parseRequestTarget(req.url);
    if (!target) {
      res.writeHead(400).end();
      return;
    }
    // DNS rebinding: a web page on a hostname its owner points at the kiosk must not read /healthz or
    // /metrics (site, version, reader and CRL state); only IP literals and localhost are answered.
    if (!hostHeaderAllowed(req.headers.host, port)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request');
      return;
    }
    const path = target.pathname;
    if (req.method === 'GET' && path === '/healthz') {
      const s = o.snapshot();
      res.writeHead(s.status === 'failing' ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(s));
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      o.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': o.registry.contentType }).end(text),
        (e) => res.writeHead(500).end(String((e as Error).message)),
      );
      return;
    }
    const maintenance = o.maintenance;
    if (req.method === 'POST' && path === '/maintenance' && maintenance) {
      if (!tokenOk(maintenance.token, req.headers.authorization)) {
        res.writeHead(401).end();
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => {
        if (body.length < 1024) body += c.toString();
      });
      req.on('end', () => {
        try {
          const m = JSON.parse(body) as { active?: unknown; reason?: unknown };
          if (typeof m.active !== 'boolean') throw new Error('active must be boolean');
          const reason = typeof m.reason === 'string' ? m.reason.slice(0, 64) : null;
          maintenance.set(m.active, reason);
          o.log?.(`maintenance ${m.active ? `on (${reason ?? ''})` : 'off'}`);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ active: m.active }));
        } catch (e) {
          res.writeHead(400).end((e as Error).message);
        }
      });
      return;
    }
    res.writeHead(404).end();
  });
  guardConnections(server, limits, o.log);
  port = await listen(server, o.port, o.host);
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    port,
    close: () => stopServer(server),
  };
}
