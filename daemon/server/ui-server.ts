// Serves the kiosk screen (static files from ui/) on loopback and pushes session state over WebSocket.
// The socket requires the per-boot token and an allowed Origin; the Host header must name this server
// (no DNS rebinding); every inbound frame is validated and goes through the same command path as the
// hardware keypad (the runtime). On connect the client gets hello + the full state + devices, so a
// reconnect after a daemon restart resynchronises everything.
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenerFaultCount } from '../../drivers/typed-events.ts';
import type { KioskRuntime } from '../kiosk/runtime.ts';
import {
  DEMO_CARDS,
  DEMO_FAULTS,
  parseClientMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type DemoSessionView,
  type DevicesView,
  type ServerMessage,
} from './protocol.ts';
import { parseRequestTarget } from './request-target.ts';
import { screenBindHost } from './bind-address.ts';
import { throttledLog } from './throttled-log.ts';
import { ScreenClients, type ScreenLimits, type ScreenStats } from './screen-clients.ts';
import { guardConnections, listenerLimits, serverOptions, type ConnectionStats, type ListenerLimits } from './listener-limits.ts';
import { CHIME_MOTIFS, chimes } from './chimes.ts';
import { newUiToken } from './ui-token.ts';
import { listenOrUnwind, stopServer } from '../../core/http-listen.ts';

const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', // ui/locales/*.json, imported as JSON modules
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ogg': 'audio/ogg',
};
const ALERT_KINDS = ['verified', 'chip-read', 'refused', 'wrong-secret', 'card-left'];
const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; frame-ancestors 'none'";

/** Maps a URL path to a file under ui/ (no dot segments, known types only), or null. */
function staticFile(pathname: string): { file: string; type: string } | null {
  const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
  if (!/^[a-z0-9_-]+(\/[a-z0-9_-]+)*\.[a-z]+$/i.test(rel)) return null;
  const type = TYPES[rel.slice(rel.lastIndexOf('.'))];
  return type ? { file: rel, type } : null;
}

type DemoAction = Extract<ClientMessage, { type: 'demo-insert' | 'demo-remove' | 'demo-fault' | 'demo-session' }>;

export interface UiServerOptions {
  runtime: KioskRuntime;
  host: string;
  port: number;
  kioskId: string;
  version: string;
  /** Enabled documents (the idle screen lists them). */
  documents?: string[];
  /** Per-boot token (ui-token.ts); generated when absent. */
  token?: string;
  /**
   * Demo mode: simulated-hardware actions accepted, `/` without a token redirects to the tokenised URL.
   * onAction answers a refused action with an error for the panel (e.g. a session switch while busy).
   * session: the demo's current session settings and choices (hello.demoSession).
   */
  demo?: {
    onAction: (msg: DemoAction) => { code: string; message: string } | undefined;
    receiptSvg?: () => string | null;
    session?: () => DemoSessionView;
  };
  /** Peripheral status pushed to the screen. */
  devices?: { get(): DevicesView; subscribe(cb: () => void): () => void };
  /** Extra allowed Origins (the server's own http://host:port is always allowed). */
  allowedOrigins?: string[];
  log?: (line: string) => void;
  /** Extra JSON for /healthz. */
  health?: () => Record<string, unknown>;
  /** Client caps, message rate limits and the send-buffer bound (screen-clients.ts); defaults otherwise. */
  limits?: Partial<ScreenLimits>;
  /** Connection caps and timeouts of the HTTP listener (listener-limits.ts); defaults otherwise. */
  listener?: Partial<ListenerLimits>;
}

export interface UiServer {
  url: string;
  token: string;
  port: number;
  /** The idle screen's documents changed (a demo session switch): every screen gets a new hello. */
  setDocuments(documents: string[]): void;
  /** Screen clients, refusals and drops (health, tests). */
  stats(): ScreenStats;
  /** Open TCP connections, idle ones evicted, refused (health, tests). */
  connections(): ConnectionStats;
  close(): Promise<void>;
}

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const NO_DEVICES: DevicesView = { printer: null, keypad: null, receipt: null };

/** The Host headers this server answers to and the Origins its socket accepts, once the port is known. */
export function allowedPeers(host: string, port: number, extraOrigins: readonly string[] = []): { hostPart: string; hosts: Set<string>; origins: Set<string> } {
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const loopbackNames = host === '127.0.0.1' || host === '::1' || host === 'localhost' ? ['127.0.0.1', 'localhost', '[::1]'] : [];
  const hosts = new Set([hostPart, ...loopbackNames].map((h) => `${h}:${port}`));
  const origins = new Set([...[...hosts].map((h) => `http://${h}`), ...extraOrigins]);
  return { hostPart, hosts, origins };
}

export type UpgradeRefusal = 'path' | 'host' | 'origin' | 'token';

/** Why a WebSocket upgrade is refused (checked in this order), or null to accept it. */
export function upgradeRefusal(
  req: Pick<IncomingMessage, 'url' | 'headers'>,
  allowed: { hosts: ReadonlySet<string>; origins: ReadonlySet<string>; token: string },
): UpgradeRefusal | null {
  const url = parseRequestTarget(req.url);
  if (url?.pathname !== '/ws') return 'path';
  if (!allowed.hosts.has(req.headers.host ?? '')) return 'host';
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.origins.has(origin)) return 'origin';
  if (!tokenMatches(allowed.token, url.searchParams.get('token'))) return 'token';
  return null;
}

/** What the screen may ask of the daemon: one message, already validated by parseClientMessage. */
export function dispatchClientMessage(
  m: ClientMessage,
  to: { runtime: Pick<KioskRuntime, 'key' | 'pad' | 'cancel' | 'editField'>; demo?: UiServerOptions['demo'] },
): ServerMessage | null {
  switch (m.type) {
    case 'key':
      to.runtime.key(m.key);
      return null;
    case 'pad':
      to.runtime.pad(m.id);
      return null;
    case 'cancel':
      to.runtime.cancel();
      return null;
    case 'edit':
      to.runtime.editField(m.field);
      return null;
    case 'demo-insert':
    case 'demo-remove':
    case 'demo-fault':
    case 'demo-session': {
      if (!to.demo) return { v: PROTOCOL_VERSION, type: 'error', code: 'SERVER_UNAUTHORIZED', message: 'not in demo mode' };
      const refused = to.demo.onAction(m);
      return refused ? { v: PROTOCOL_VERSION, type: 'error', ...refused } : null;
    }
  }
}

/** The first message on every connection (then the full state and the devices). */
export function helloMessage(o: Pick<UiServerOptions, 'kioskId' | 'version' | 'demo' | 'documents'>, sounds: string[]): ServerMessage {
  return {
    v: PROTOCOL_VERSION,
    type: 'hello',
    kioskId: o.kioskId,
    version: o.version,
    demo: !!o.demo,
    demoCards: o.demo ? DEMO_CARDS : [],
    demoFaults: o.demo ? DEMO_FAULTS : [],
    demoSession: o.demo?.session?.() ?? null,
    documents: o.documents ?? [],
    sounds,
  };
}

/** The HTTP side: /healthz, the demo receipt, and the screen's static files (Host checked first). */
export function httpHandler(
  o: Pick<UiServerOptions, 'runtime' | 'version' | 'health' | 'demo'>,
  token: string,
  hosts: () => ReadonlySet<string>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = parseRequestTarget(req.url);
    if (!url) {
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' });
      res.end('bad request-target');
      return;
    }
    if (!hosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' });
      res.end('misdirected request');
      return;
    }
    if (url.pathname === '/healthz') {
      const s = o.runtime.getState();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(
        JSON.stringify({
          ok: s.readerAvailable,
          phase: s.phase,
          readerAvailable: s.readerAvailable,
          version: o.version,
          listenerFaults: listenerFaultCount(),
          ...o.health?.(),
        }),
      );
      return;
    }
    if (url.pathname === '/demo/receipt.svg' && o.demo?.receiptSvg && tokenMatches(token, url.searchParams.get('token'))) {
      const svg = o.demo.receiptSvg();
      res.writeHead(svg ? 200 : 404, {
        'content-type': 'image/svg+xml',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(svg ?? '');
      return;
    }
    const chime = /^\/sounds\/([a-z-]{1,32})\.wav$/.exec(url.pathname)?.[1];
    if (chime !== undefined && req.method === 'GET' && chimes().has(chime)) {
      res.writeHead(200, { 'content-type': 'audio/wav', 'cache-control': 'max-age=86400', 'x-content-type-options': 'nosniff' });
      res.end(chimes().get(chime));
      return;
    }
    const entry = staticFile(url.pathname);
    if (!entry || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (url.pathname === '/' && o.demo && url.searchParams.get('token') !== token) {
      res.writeHead(302, { location: `/?token=${encodeURIComponent(token)}${url.searchParams.get('lang') === 'en' ? '&lang=en' : ''}` });
      res.end();
      return;
    }
    try {
      const body = await readFile(UI_DIR + entry.file);
      res.writeHead(200, {
        'content-type': entry.type,
        'cache-control': 'no-store',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  };
}

export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  screenBindHost(o.host); // also when a caller bypassed the configuration (the --host option)
  const token = o.token ?? newUiToken();
  // Every line below can be triggered by any local client at will: throttled.
  const log = throttledLog(o.log ?? (() => {}));
  // Every alert kind has a synthesised chime (chimes.ts) at /sounds/<kind>.wav; the names come from the
  // motif table, so start-up does not synthesise the WAVs (built on the first request for one).
  const sounds = ALERT_KINDS.filter((k) => Object.hasOwn(CHIME_MOTIFS, k));
  // What hello says; the documents change when the demo switches its session settings (setDocuments).
  const state: Pick<UiServerOptions, 'kioskId' | 'version' | 'demo' | 'documents'> = {
    kioskId: o.kioskId,
    version: o.version,
    demo: o.demo,
    documents: o.documents,
  };
  // Known once the port is: until then nothing is accepted.
  let peers = { hosts: new Set<string>(), origins: new Set<string>() };

  // No exception from a request may leave the handler (an unhandled rejection stops the process).
  const serve = httpHandler(o, token, () => peers.hosts);
  const limits = listenerLimits(o.listener);
  const http: Server = createServer(
    serverOptions(limits),
    (req, res) =>
      void serve(req, res).catch((e: unknown) => {
        log(`ui: internal error ${(e as Error)?.name ?? 'unknown'}`);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      }),
  );
  const guard = guardConnections(http, limits, log);

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  wss.on('error', (e) => log(`ui: websocket server error ${e.name}`));
  const clients = new ScreenClients(o.limits, log);
  const send = (ws: WebSocket, m: ServerMessage) => clients.send(ws, m);
  const v = PROTOCOL_VERSION;

  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    // Node removes its own error handler from an upgrading socket: a reset here must not be uncaught.
    socket.on('error', () => socket.destroy());
    const why = upgradeRefusal(req, { ...peers, token });
    if (why) {
      log(`ui: websocket refused (${why})`);
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    if (!clients.admit()) {
      log('ui: websocket refused (too many clients)');
      socket.write('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    guard.markUpgraded(socket as Socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws, req.socket.remoteAddress ?? '?');
      // Without an 'error' listener a malformed frame (oversized, invalid UTF-8, unmasked, RSV bits, a
      // reserved opcode, a bad close code) is an uncaught exception that stops the daemon; ws has already
      // started closing that socket when it emits this (websockets/ws#1543), so only that client goes.
      ws.on('error', (e) => {
        log(`ui: websocket closed on a protocol error (${(e as { code?: unknown }).code ?? 'unknown'})`);
        ws.terminate();
      });
      ws.on('message', (data, isBinary) => {
        // Rate limit first: a flood costs a bucket check per frame, not a parse and a state change.
        if (!clients.accept(ws)) return;
        const parsed = isBinary ? { ok: false as const, reason: 'binary frame' } : parseClientMessage(data.toString());
        const reply = parsed.ok ? dispatchClientMessage(parsed.msg, o) : ({ v, type: 'error', code: 'SERVER_BAD_MESSAGE', message: parsed.reason } as const);
        if (reply) send(ws, reply);
      });
      send(ws, helloMessage(state, sounds));
      send(ws, { v, type: 'state', state: o.runtime.getState() });
      send(ws, { v, type: 'devices', devices: o.devices?.get() ?? NO_DEVICES });
    });
  });

  const offState = o.runtime.events.on('state', (state) => clients.broadcast({ v, type: 'state', state }), 'ui-server');
  const offAlert = o.runtime.events.on(
    'alert',
    (a) => clients.broadcast({ v, type: 'alert', kind: a.kind, ...(a.level !== undefined ? { level: a.level } : {}) }),
    'ui-server',
  );
  // the pad's repeat key, as a cue the screen's voice player answers (ui/voice.js)
  const offRepeat = o.runtime.events.on('repeat-prompt', () => clients.broadcast({ v, type: 'alert', kind: 'repeat-prompt' }), 'ui-server');
  const devices = o.devices;
  const offDevices = devices?.subscribe(() => clients.broadcast({ v, type: 'devices', devices: devices.get() })) ?? (() => {});
  const close = async () => {
    offState();
    offAlert();
    offRepeat();
    offDevices();
    clients.terminateAll();
    await new Promise<void>((r) => wss.close(() => r()));
    await stopServer(http);
  };

  // nothing may stay subscribed to the runtime when the port was taken
  const port = await listenOrUnwind(http, o.port, o.host, close);
  const allowed = allowedPeers(o.host, port, o.allowedOrigins);
  peers = allowed;
  return {
    url: `http://${allowed.hostPart}:${port}/?token=${encodeURIComponent(token)}`,
    token,
    port,
    setDocuments: (documents) => {
      state.documents = documents;
      clients.broadcast(helloMessage(state, sounds));
    },
    stats: () => clients.stats(),
    connections: () => guard.stats(),
    close,
  };
}
