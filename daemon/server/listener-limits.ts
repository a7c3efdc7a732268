// Connection caps and timeouts for every HTTP listener (screen, integration API, health). Issue 17: 300
// held TCP connections (no token needed) made the screen, /healthz and the API fail, because nothing
// closed idle connections or half-sent headers and nothing capped them. Here every listener gets:
// - header, request and keep-alive timeouts (node's own, checked every second instead of every 30 s —
//   and only while a connection is open: node's checker is an interval that otherwise wakes an idle
//   kiosk once a second per listener, issue 20);
// - an idle timeout: a socket with no traffic for idleTimeoutMs is destroyed (WebSockets are exempt:
//   ws turns the socket timeout off once upgraded);
// - a cap on connections, overall and per remote address. At the cap a new connection does not get
//   refused while idle ones hold the slots: the oldest idle connection (no request in progress) is closed
//   to make room, so held connections cannot lock the kiosk browser out; only when every slot is busy
//   is the new connection refused.
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

export interface ListenerLimits {
  /** Whole request head must arrive within this (slow headers). */
  headersTimeoutMs: number;
  /** Whole request (head and body) must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection with no traffic at all is closed after this (nothing sent after connecting, stalled). */
  idleTimeoutMs: number;
  /** TLS handshake must finish within this (API with mutual TLS). */
  handshakeTimeoutMs: number;
  /** Connections at once, and from one remote address. */
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

export const DEFAULT_LISTENER_LIMITS: ListenerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  handshakeTimeoutMs: 10_000,
  maxConnections: 128,
  maxConnectionsPerAddress: 64,
};

export function listenerLimits(over: Partial<ListenerLimits> = {}): ListenerLimits {
  return { ...DEFAULT_LISTENER_LIMITS, ...over };
}

/** Options for http.createServer / https.createServer (the https ones include handshakeTimeout). */
export function serverOptions(l: ListenerLimits): ServerOptions & { handshakeTimeout: number } {
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    // Node checks header/request timeouts on this interval (30 s by default): check often enough that
    // the timeouts above mean what they say.
    connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(l.headersTimeoutMs / 2))),
    maxHeaderSize: 8192,
    handshakeTimeout: l.handshakeTimeoutMs,
  };
}

export interface ConnectionStats {
  open: number;
  evictedIdle: number;
  refused: number;
}

interface Tracked {
  socket: Socket;
  address: string;
  /** A request is in progress, or the connection was upgraded (a WebSocket): never evicted. */
  busy: boolean;
  /** Upgraded (a WebSocket): no HTTP parser left, so node's header/request timeouts do not apply. */
  upgraded: boolean;
}

/**
 * Runs node's header/request-timeout checker (an interval node starts on 'listening' and keeps until
 * close) only while `needed()` says a connection could time out. Node keeps the interval under an
 * internal symbol and calls the bound checker from it; when either is not where node 18–24 keep them,
 * node's own interval is left alone (timeouts still enforced; the listener just wakes once a second).
 */
function connectionsCheckerOnDemand(server: Server): { update(needed: boolean): void } | null {
  const sym = Object.getOwnPropertySymbols(server).find((s) => s.description === 'http.server.connectionsCheckingInterval');
  const slot = server as unknown as Record<symbol, (NodeJS.Timeout & { _onTimeout?: unknown; _repeat?: unknown }) | undefined>;
  const first = sym ? slot[sym] : undefined;
  const check = first?._onTimeout;
  const every = first?._repeat;
  if (!sym || !first || typeof check !== 'function' || typeof every !== 'number' || every <= 0) return null;
  clearInterval(first);
  slot[sym] = undefined;
  return {
    update(needed) {
      const running = slot[sym];
      if (needed && !running) slot[sym] = setInterval(check as () => void, every).unref();
      else if (!needed && running) {
        clearInterval(running);
        slot[sym] = undefined;
      }
    },
  };
}

const keyOf = (s: Socket) => `${s.remoteAddress ?? '?'}|${s.remotePort ?? 0}`;

export interface ConnectionGuard {
  stats(): ConnectionStats;
  /** An upgraded socket (a WebSocket) is long-lived by design: never evicted as idle. */
  markUpgraded(socket: Socket): void;
}

/**
 * Applies the idle timeout and the connection caps to `server` (created with serverOptions(l)).
 * A listener that accepts upgrades calls markUpgraded for each (no 'upgrade' listener is added here:
 * on a server without one, node refuses upgrades itself).
 */
export function guardConnections(server: Server, l: ListenerLimits, log: (line: string) => void = () => {}): ConnectionGuard {
  // Map order is insertion order: the first idle entry is the oldest idle connection.
  const tracked = new Map<string, Tracked>();
  const perAddress = new Map<string, number>();
  const counts = { evictedIdle: 0, refused: 0 };
  let lastLog = 0;
  const note = (what: string) => {
    // At most one line a second: a connection flood must not become a log flood.
    const now = Date.now();
    if (now - lastLog > 1000) {
      lastLog = now;
      log(what);
    }
  };

  const evictIdle = (address: string | null): boolean => {
    for (const t of tracked.values()) {
      if (t.busy || (address !== null && t.address !== address)) continue;
      tracked.delete(keyOf(t.socket));
      counts.evictedIdle++;
      t.socket.destroy();
      return true;
    }
    return false;
  };

  // Node's http server destroys a socket on 'timeout' when nothing else handles it.
  server.timeout = l.idleTimeoutMs;

  // node's checker runs while a connection that still speaks HTTP is open (one that may time out)
  let checker: ReturnType<typeof connectionsCheckerOnDemand> = null;
  let httpConnections = 0;
  const recount = (delta: number) => {
    httpConnections += delta;
    checker?.update(httpConnections > 0);
  };
  // node's own 'listening' handler (registered in the Server constructor) has started the interval by now
  server.on('listening', () => {
    checker = connectionsCheckerOnDemand(server);
    checker?.update(httpConnections > 0);
  });

  server.on('connection', (socket: Socket) => {
    socket.on('error', () => {}); // a reset before any request must not be an uncaught error
    const address = socket.remoteAddress ?? '?';
    const fromAddress = perAddress.get(address) ?? 0;
    if ((fromAddress >= l.maxConnectionsPerAddress && !evictIdle(address)) || (tracked.size >= l.maxConnections && !evictIdle(null))) {
      counts.refused++;
      note(`listener: connection from ${address} refused (all ${tracked.size} slots busy)`);
      socket.destroy();
      return;
    }
    const key = keyOf(socket);
    const entry: Tracked = { socket, address, busy: false, upgraded: false };
    tracked.set(key, entry);
    recount(1);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    // A socket the TLS layer never hands over (failed handshake) still needs its idle timeout.
    if (socket.timeout === undefined || socket.timeout === 0) socket.setTimeout(l.idleTimeoutMs + l.handshakeTimeoutMs, () => socket.destroy());
    socket.once('close', () => {
      if (tracked.get(key) === entry) tracked.delete(key);
      if (!entry.upgraded) recount(-1);
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n <= 0) perAddress.delete(address);
      else perAddress.set(address, n);
    });
  });
  server.on('request', (req, res) => {
    const t = tracked.get(keyOf(req.socket));
    if (!t) return;
    t.busy = true;
    res.once('close', () => {
      t.busy = false;
    });
  });
  return {
    stats: () => ({ open: tracked.size, ...counts }),
    markUpgraded: (socket) => {
      const t = tracked.get(keyOf(socket));
      if (!t) return;
      t.busy = true;
      if (!t.upgraded) {
        t.upgraded = true;
        recount(-1);
      }
    },
  };
}
