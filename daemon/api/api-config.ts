// Configuration of the integration API (config block `api`): its schema and the type inferred from it.
// Loopback by default; any other listen address requires mutual TLS (a client certificate from the
// configured CA), and every connection must come from an address on the allow-list.
import * as z from 'zod';
import { block, bool, int, object, parseWith, text } from '../config/schema-kit.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** True when `entry` (address or IPv4 CIDR) is well-formed. */
export function validAllowEntry(entry: string): boolean {
  const [addr, bits, extra] = entry.split('/');
  if (extra !== undefined || !addr) return false;
  const m = IPV4.exec(addr);
  if (m) return m.slice(1).every((x) => Number(x) <= 255) && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= 32));
  return bits === undefined && /^[0-9a-f:]+$/i.test(addr) && addr.includes(':');
}

const ALLOW_HINT = 'must be a list of IP addresses or IPv4 CIDR blocks';

/** Off unless a business application needs it: no listening port a deployment did not ask for. */
export const apiSchema = block({
  enabled: bool().default(false),
  host: text().default('127.0.0.1'),
  port: int(0, 65535).default(8081),
  /** Client addresses allowed to connect: IPv4/IPv6 addresses or IPv4 CIDR blocks. */
  allow: z.array(z.string({ error: ALLOW_HINT }).refine(validAllowEntry, { error: ALLOW_HINT }), { error: ALLOW_HINT }).default(() => ['127.0.0.1', '::1']),
  /** Mutual TLS: server certificate + key (PEM) and the CA that issued the business app's client certificates. */
  tls: object({ certFile: text(), keyFile: text(), clientCaFile: text() }).nullable().default(null),
  /** Lifetime of the signed result token (seconds, the JWS `exp`). */
  tokenTtlSeconds: int(10, 86400).default(300),
}).superRefine((a, ctx) => {
  if (a.enabled && !LOOPBACK.test(a.host) && !a.tls)
    ctx.addIssue({ code: 'custom', path: ['host'], message: 'a non-loopback address needs api.tls (mutual TLS with a client CA)' });
});

export type ApiConfig = z.output<typeof apiSchema>;

/** The `api` block alone (tests, tools); the daemon parses it as part of the whole file. */
export function parseApi(v: unknown): ApiConfig {
  return parseWith(apiSchema, v, ['api']);
}

function ipv4ToInt(a: string): number | null {
  const m = IPV4.exec(a);
  return m ? m.slice(1).reduce((acc, x) => acc * 256 + Number(x), 0) : null;
}

/** Is the peer address on the allow-list? IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as IPv4. */
export function addressAllowed(remote: string | undefined, allow: readonly string[]): boolean {
  if (!remote) return false;
  const addr = remote.startsWith('::ffff:') && IPV4.test(remote.slice(7)) ? remote.slice(7) : remote;
  const ip = ipv4ToInt(addr);
  for (const entry of allow) {
    const [net = '', bits] = entry.split('/');
    if (bits === undefined) {
      if (net.toLowerCase() === addr.toLowerCase()) return true;
      continue;
    }
    const base = ipv4ToInt(net);
    if (ip === null || base === null) continue;
    const n = Number(bits);
    const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
    if ((ip & mask) >>> 0 === (base & mask) >>> 0) return true;
  }
  return false;
}
