// The screen's WebSocket clients as a bounded set. Issue 17 measured what an unbounded one does: 100
// clients that never read plus 20,000 key messages stalled the event loop for 61 s and grew the heap to
// 1.5 GB, because every message re-encoded the full state once per client and the send buffers of
// clients that never read grew without end. Here:
// - at most `maxClients` sockets;
// - inbound messages are rate-limited per connection and per remote address (a person on a keypad
//   sends a few per second); a connection that keeps exceeding its limit is closed (1008);
// - outbound state is coalesced: many state changes in one tick become one frame, encoded once and the
//   same bytes sent to every client;
// - a client whose send buffer passes `maxBufferedBytes` (it does not read) is dropped.
import type { WebSocket } from 'ws';
import type { ServerMessage } from './protocol.ts';
import { KeyedBuckets, TokenBucket } from './rate-limit.ts';

export interface ScreenLimits {
  /** WebSocket clients at once (the kiosk browser needs one, two across a reload). */
  maxClients: number;
  /** Messages per second one connection may send, sustained, and at once. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Messages per second all connections from one address may send together, and at once. */
  addressMessagesPerSecond: number;
  addressBurst: number;
  /** Messages over the limit a connection may send before it is closed. */
  maxRejectedMessages: number;
  /** Bytes queued for one client (ws buffer + socket) beyond which it is dropped as not reading. */
  maxBufferedBytes: number;
}

export const DEFAULT_SCREEN_LIMITS: ScreenLimits = {
  maxClients: 16,
  messagesPerSecond: 20,
  messageBurst: 40,
  addressMessagesPerSecond: 60,
  addressBurst: 120,
  maxRejectedMessages: 100,
  maxBufferedBytes: 1 << 20,
};

export interface ScreenStats {
  clients: number;
  refused: number;
  droppedSlow: number;
  droppedRateLimited: number;
  rateLimitedMessages: number;
  framesBroadcast: number;
}

interface Client {
  ws: WebSocket;
  address: string;
  own: TokenBucket;
  shared: TokenBucket;
  rejected: number;
  closing: boolean;
}

/** Close code for a policy violation (RFC 6455 §7.4.1). */
const POLICY_VIOLATION = 1008;

export class ScreenClients {
  readonly limits: ScreenLimits;
  private readonly clients = new Map<WebSocket, Client>();
  private readonly perAddress: KeyedBuckets;
  private queue: ServerMessage[] = [];
  private flushScheduled = false;
  private readonly counts = { refused: 0, droppedSlow: 0, droppedRateLimited: 0, rateLimitedMessages: 0, framesBroadcast: 0 };

  constructor(
    limits: Partial<ScreenLimits> = {},
    private readonly log: (line: string) => void = () => {},
  ) {
    this.limits = { ...DEFAULT_SCREEN_LIMITS, ...limits };
    this.perAddress = new KeyedBuckets(this.limits.addressMessagesPerSecond, this.limits.addressBurst);
  }

  /** Room for one more client? Counted as refused when not. */
  admit(): boolean {
    if (this.clients.size < this.limits.maxClients) return true;
    this.counts.refused++;
    return false;
  }

  add(ws: WebSocket, address: string): void {
    const c: Client = {
      ws,
      address,
      own: new TokenBucket(this.limits.messagesPerSecond, this.limits.messageBurst),
      shared: this.perAddress.acquire(address),
      rejected: 0,
      closing: false,
    };
    this.clients.set(ws, c);
    ws.once('close', () => {
      if (this.clients.delete(ws)) this.perAddress.release(address);
    });
  }

  /**
   * Whether an inbound message from `ws` may be processed. Over the limit it is dropped, and a connection
   * that keeps going is closed.
   */
  accept(ws: WebSocket): boolean {
    const c = this.clients.get(ws);
    if (!c || c.closing) return false;
    // Both buckets are charged: the per-address one keeps many connections from adding up.
    if (c.own.take() && c.shared.take()) return true;
    this.counts.rateLimitedMessages++;
    if (++c.rejected > this.limits.maxRejectedMessages) {
      this.counts.droppedRateLimited++;
      this.log('ui: websocket closed (message rate limit)');
      this.drop(c, POLICY_VIOLATION, 'rate limit');
    }
    return false;
  }

  /** Sends one message to one client (hello, replies): encoded for it alone. */
  send(ws: WebSocket, m: ServerMessage): void {
    const c = this.clients.get(ws);
    if (c) this.write(c, Buffer.from(JSON.stringify(m)));
  }

  /**
   * Queues a message for every client; sent on the next tick. Consecutive state (or devices) messages
   * collapse into the latest one: the screen only ever needs the current state.
   */
  broadcast(m: ServerMessage): void {
    const last = this.queue[this.queue.length - 1];
    if (last && (m.type === 'state' || m.type === 'devices') && last.type === m.type) this.queue[this.queue.length - 1] = m;
    else this.queue.push(m);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends what is queued: each message encoded once, the same bytes to every client. */
  flush(): void {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const m of queue) {
      const frame = Buffer.from(JSON.stringify(m));
      this.counts.framesBroadcast++;
      for (const c of this.clients.values()) this.write(c, frame);
    }
  }

  stats(): ScreenStats {
    return { clients: this.clients.size, ...this.counts };
  }

  terminateAll(): void {
    for (const c of this.clients.values()) c.ws.terminate();
    this.clients.clear();
  }

  private write(c: Client, frame: Buffer): void {
    if (c.closing || c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount + frame.length > this.limits.maxBufferedBytes) {
      this.counts.droppedSlow++;
      this.log('ui: websocket dropped (client not reading)');
      c.closing = true;
      c.ws.terminate(); // a close frame would only queue behind what it does not read
      return;
    }
    c.ws.send(frame, { binary: false });
  }

  private drop(c: Client, code: number, reason: string): void {
    c.closing = true;
    c.ws.close(code, reason);
    // It may not answer the close handshake: do not wait for it.
    setTimeout(() => c.ws.terminate(), 1000).unref();
  }
}
