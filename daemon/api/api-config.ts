// Configuration of the integration API (config block `api`). Loopback by default; any other listen
// address requires mutual TLS (a client certificate from the configured CA), and every connection must
// come from an address on the allow-list.
import { ErrorCodes, KioskError } from '../../core/errors.ts';

export interface ApiConfig {
  enabled: boolean;
  host: string;
  port: number;
  /** Client addresses allowed to connect: IPv4/IPv6 addresses or IPv4 CIDR blocks. */
  allow: string[];
  /** Mutual TLS: server certificate + key (PEM) and the CA that issued the business app's client certificates. */
  tls: { certFile: string; keyFile: string; clientCaFile: string } | null;
  /** Lifetime of the signed result token (seconds, the JWS `exp`). */
  tokenTtlSeconds: number;
}

/** Off unless a business application needs it: no listening port a deployment did not ask for. */
export const DEFAULT_API: ApiConfig = {
  enabled: false,
  host: '127.0.0.1',
  port: 8081,
  allow: ['127.0.0.1', '::1'],
  tls: null,
  tokenTtlSeconds: 300,
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

type Obj = Record<string, unknown>;
const fail = (path: string, msg: string): never => {
  throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${path}: ${msg}`, { field: path });
};
function obj(v: unknown, path: string, keys: string[]): Obj {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
  for (const k of Object.keys(v as Obj)) if (!keys.includes(k)) fail(`${path}.${k}`, `unknown setting (known: ${keys.join(', ')})`);
  return v as Obj;
}
function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || !v) fail(path, 'must be a non-empty string');
  return v as string;
}

/** True when `entry` (address or IPv4 CIDR) is well-formed. */
export function validAllowEntry(entry: string): boolean {
  const [addr, bits, extra] = entry.split('/');
  if (extra !== undefined || !addr) return false;
  const m = IPV4.exec(addr);
  if (m) return m.slice(1).every((x) => Number(x) <= 255) && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= 32));
  return bits === undefined && /^[0-9a-f:]+$/i.test(addr) && addr.includes(':');
}

export function parseApi(v: unknown): ApiConfig {
  const o = obj(v, 'api', ['enabled', 'host', 'port', 'allow', 'tls', 'tokenTtlSeconds']);
  const d = DEFAULT_API;
  const enabled = o.enabled === undefined ? d.enabled : typeof o.enabled === 'boolean' ? o.enabled : fail('api.enabled', 'must be true or false');
  const host = o.host === undefined ? d.host : str(o.host, 'api.host');
  const port = o.port === undefined ? d.port : typeof o.port === 'number' && Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535 ? o.port : fail('api.port', 'must be an integer from 0 to 65535');
  let allow = d.allow;
  if (o.allow !== undefined) {
    if (!Array.isArray(o.allow) || o.allow.some((x) => typeof x !== 'string' || !validAllowEntry(x))) fail('api.allow', 'must be a list of IP addresses or IPv4 CIDR blocks');
    allow = o.allow as string[];
  }
  let tls: ApiConfig['tls'] = null;
  if (o.tls !== undefined && o.tls !== null) {
    const t = obj(o.tls, 'api.tls', ['certFile', 'keyFile', 'clientCaFile']);
    tls = { certFile: str(t.certFile, 'api.tls.certFile'), keyFile: str(t.keyFile, 'api.tls.keyFile'), clientCaFile: str(t.clientCaFile, 'api.tls.clientCaFile') };
  }
  const ttl = o.tokenTtlSeconds === undefined ? d.tokenTtlSeconds : typeof o.tokenTtlSeconds === 'number' && Number.isInteger(o.tokenTtlSeconds) && o.tokenTtlSeconds >= 10 && o.tokenTtlSeconds <= 86400 ? o.tokenTtlSeconds : fail('api.tokenTtlSeconds', 'must be an integer from 10 to 86400');
  if (enabled && !LOOPBACK.test(host) && !tls) fail('api.host', 'a non-loopback address needs api.tls (mutual TLS with a client CA)');
  return { enabled, host, port, allow, tls, tokenTtlSeconds: ttl };
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
    const [net, bits] = entry.split('/');
    if (bits === undefined) {
      if (net!.toLowerCase() === addr.toLowerCase()) return true;
      continue;
    }
    const base = ipv4ToInt(net!);
    if (ip === null || base === null) continue;
    const n = Number(bits);
    const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
    if (((ip & mask) >>> 0) === ((base & mask) >>> 0)) return true;
  }
  return false;
}
