// Serves the kiosk screen (static files from ui/) on loopback and pushes session state over WebSocket.
// The socket requires the per-boot token and an allowed Origin; every inbound frame is validated and
// goes through the same command path as the hardware keypad.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KioskRuntime } from '../kiosk/runtime.ts';
import { parseClientMessage, PROTOCOL_VERSION, type ClientMessage, type ServerMessage, DEMO_CARDS } from './protocol.ts';

const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Maps a URL path to a file under ui/ (no dot segments, known types only), or null. */
function staticFile(pathname: string): { file: string; type: string } | null {
  const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
  if (!/^[a-z0-9_-]+(\/[a-z0-9_-]+)*\.[a-z]+$/i.test(rel)) return null;
  const type = TYPES[rel.slice(rel.lastIndexOf('.'))];
  return type ? { file: rel, type } : null;
}

export interface UiServerOptions {
  runtime: KioskRuntime;
  host: string;
  port: number;
  kioskId: string;
  version: string;
  /** Per-boot token; generated when absent. */
  token?: string;
  /** Demo mode: simulated-hardware actions accepted, and `/` without a token redirects to the tokenised URL. */
  demo?: { onAction: (msg: Extract<ClientMessage, { type: 'demo-insert' | 'demo-remove' }>) => void };
  /** Extra allowed Origins (the server's own http://host:port is always allowed). */
  allowedOrigins?: string[];
  log?: (line: string) => void;
  /** Extra JSON for /healthz. */
  health?: () => Record<string, unknown>;
}

export interface UiServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  const token = o.token ?? randomBytes(24).toString('base64url');
  const log = o.log ?? (() => {});
  let origin = '';

  const http: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      const s = o.runtime.getState();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: s.readerAvailable, phase: s.phase, readerAvailable: s.readerAvailable, version: o.version, ...o.health?.() }));
      return;
    }
    const entry = staticFile(url.pathname);
    if (!entry || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (url.pathname === '/' && o.demo && url.searchParams.get('token') !== token) {
      res.writeHead(302, { location: `/?token=${encodeURIComponent(token)}` });
      res.end();
      return;
    }
    try {
      const body = await readFile(UI_DIR + entry.file);
      res.writeHead(200, {
        'content-type': entry.type,
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'",
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(body);
    } catch {
      res.writeHead(500);
      res.end();
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, m: ServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
  const broadcast = (m: ServerMessage) => {
    for (const ws of clients) send(ws, m);
  };

  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const allowed = new Set([origin, origin.replace('127.0.0.1', 'localhost'), ...(o.allowedOrigins ?? [])]);
    const reqOrigin = req.headers.origin;
    if (url.pathname !== '/ws' || !tokenMatches(token, url.searchParams.get('token')) || (reqOrigin !== undefined && !allowed.has(reqOrigin))) {
      log(`ui: websocket refused (${url.pathname !== '/ws' ? 'path' : reqOrigin && !allowed.has(reqOrigin) ? 'origin' : 'token'})`);
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('message', (data, isBinary) => {
        const parsed = isBinary ? { ok: false as const, reason: 'binary frame' } : parseClientMessage(data.toString());
        if (!parsed.ok) {
          send(ws, { v: 1, type: 'error', code: 'SERVER_BAD_MESSAGE', message: parsed.reason });
          return;
        }
        const m = parsed.msg;
        switch (m.type) {
          case 'key':
            o.runtime.key(m.key);
            break;
          case 'pad':
            o.runtime.pad(m.id);
            break;
          case 'cancel':
            o.runtime.cancel();
            break;
          case 'demo-insert':
          case 'demo-remove':
            if (!o.demo) send(ws, { v: 1, type: 'error', code: 'SERVER_UNAUTHORIZED', message: 'not in demo mode' });
            else o.demo.onAction(m);
            break;
        }
      });
      send(ws, { v: PROTOCOL_VERSION, type: 'hello', kioskId: o.kioskId, demo: !!o.demo, version: o.version, demoCards: o.demo ? DEMO_CARDS : [] });
      send(ws, { v: PROTOCOL_VERSION, type: 'state', state: o.runtime.getState() });
    });
  });

  const offState = o.runtime.events.on('state', (state) => broadcast({ v: PROTOCOL_VERSION, type: 'state', state }), 'ui-server');
  const offAlert = o.runtime.events.on('alert', (a) => broadcast({ v: PROTOCOL_VERSION, type: 'alert', kind: a.kind }), 'ui-server');

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  origin = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    token,
    port,
    close: async () => {
      offState();
      offAlert();
      for (const ws of clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
