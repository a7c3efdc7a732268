// The fleet benchmark's load generator (bench/fleet.bench.ts runs the phases and writes the report): a
// simulated kiosk's signed POST over mutual TLS (kept alive, fresh, or with a resumed session), its health
// body, a bounded-concurrency pool, latency percentiles, and the CPU seconds of processes from /proc.
import { readFileSync } from 'node:fs';
import { type Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { sha256Hex } from '../daemon/audit/chain.ts';
import type { DeviceKey } from '../daemon/device/device-key.ts';
import { KEY_HEADER, SIGNATURE_HEADER } from '../daemon/device/signed-post.ts';

export interface Kiosk {
  id: string;
  key: DeviceKey;
  keyFile: string;
  keyPem: string;
  certPem: string;
  instance: number;
  agent: Agent | null;
  seq: number;
  busy: boolean;
  accepted: number;
  /** Sequence number of the last heartbeat answered 200. */
  lastAccepted: number;
  failed: number;
  /** The TLS session (ticket) of its last connection, offered on the next one (as the kiosk does). */
  session: Buffer | null;
  beats: number;
}

export interface Reply {
  status: number;
  body: string;
  reused: boolean;
  /** The TLS session was resumed (abbreviated handshake, no certificate exchange). */
  resumed: boolean;
}

export const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export function post(port: number, path: string, body: Buffer, sig: string, k: Kiosk, ca: string, agent: Agent | false, resume = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        // No agent for a fresh connection: an agent's own session cache is keyed by host:port, so it would not
        // offer the ticket to the other instance.
        agent: agent || false,
        ...(agent ? {} : { ca, cert: k.certPem, key: k.keyPem }),
        ...(resume && k.session ? { session: k.session } : {}),
        timeout: 30_000,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          [SIGNATURE_HEADER]: sig,
          [KEY_HEADER]: k.key.fingerprint,
          ...(agent ? {} : { connection: 'close' }),
        },
      },
      (res) => {
        const resumed = (res.socket as TLSSocket).isSessionReused();
        let t = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (t += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: t, reused: req.reusedSocket, resumed }));
        res.on('error', reject);
      },
    );
    if (resume) req.once('socket', (s) => s.on('session', (t: Buffer) => (k.session = t)));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export function healthBody(k: Kiosk, boot: string): Buffer {
  k.seq++;
  const now = new Date().toISOString();
  return Buffer.from(
    JSON.stringify({
      kind: 'idkiosk-heartbeat',
      kioskId: k.id,
      site: 'bench-site',
      operator: 'bench-op',
      boot,
      seq: k.seq,
      key: k.key.fingerprint,
      health: {
        status: 'ok',
        faults: [],
        kioskId: k.id,
        site: 'bench-site',
        version: '0.1.0-bench',
        time: now,
        uptimeSeconds: 3600 + k.seq * 60,
        maintenance: { active: false, reason: null },
        reader: { service: true, readers: [{ name: 'Virtual PCD 00 00', cardPresent: false }], phase: 'idle' },
        printer: { state: 'ready', usable: true, transport: 'usb' },
        keypad: { status: 'ready', stuckKeys: 0 },
        crl: [{ issuerId: 'jpki-auth', crlNumber: '7', thisUpdate: now, nextUpdate: now, ageSeconds: 3600, secondsUntilNextUpdate: 82_800, stale: false }],
        clock: { synchronized: true, source: 'timesyncd', detail: 'bench' },
        disk: { path: '/var/lib/idkiosk', freeBytes: 12_345_678_901, totalBytes: 32e9 },
        lastSession: { time: now, outcome: 'verified' },
        // A head as a kiosk reports it (the collector looks for a rollback on every heartbeat).
        audit: { headSeq: 1, headHash: sha256Hex(Buffer.from(k.id)), pendingUpload: 0, uploadError: null, writeError: null },
      },
    }),
  );
}

export async function pool<T>(items: T[], width: number, f: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (i < items.length) await f(items[i++]!);
    }),
  );
}

export const cpuOf = (pid: number, reaped = false): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime + stime (+ cutime + cstime: children that exited), clock ticks (100/s)
    return (Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) / 100;
  } catch {
    return NaN;
  }
};

/** CPU seconds of every PostgreSQL process (the postmaster, its live children and those that exited). */
export const pgCpu = (postmaster: number): number => {
  let total = cpuOf(postmaster, true);
  try {
    for (const c of readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += cpuOf(Number(c));
  } catch {
    /* not available */
  }
  return total;
};

/**
 * CPU accounting of a benchmark phase: `snap()` now, then `since(snap, wallS)` gives the CPU seconds used
 * since by the two collectors, PostgreSQL (all its processes) and this load generator.
 */
export function cpuMeter(collectorPids: readonly number[], postmaster: number) {
  const snap = () => ({ c0: cpuOf(collectorPids[0]!), c1: cpuOf(collectorPids[1]!), pg: pgCpu(postmaster), self: process.cpuUsage() });
  const since = (a: ReturnType<typeof snap>, wallS: number) => {
    const b = snap();
    const self = process.cpuUsage(a.self);
    return { collectorsCpuS: b.c0 - a.c0 + (b.c1 - a.c1), postgresCpuS: b.pg - a.pg, loadgenCpuS: (self.user + self.system) / 1e6, wallS };
  };
  return { snap, since };
}
