// Where the kiosk screen may listen, and which Host headers a listener answers.
// The screen is plain HTTP with a token in its URL: on a non-loopback address (e.g. 0.0.0.0) anyone on
// the network could watch the token go by and drive the kiosk. It has no TLS of its own, so
// `server.host` must be loopback; the refusal names the field (CONFIG_INVALID) rather than listening.
import { isIP } from 'node:net';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

/** The screen's listen address: loopback only. Throws CONFIG_INVALID naming `field`. */
export function screenBindHost(host: unknown, field = 'server.host'): string {
  if (typeof host !== 'string' || !isLoopbackHost(host)) {
    throw new KioskError(
      ErrorCodes.CONFIG_INVALID,
      `config ${field}: must be a loopback address (127.0.0.1, ::1 or localhost); the kiosk screen has no TLS, so it is never served on the network`,
      { field },
    );
  }
  return host;
}

/**
 * Whether a Host header may be answered by a listener on `port` (DNS rebinding: a page on a hostname the
 * attacker controls resolves it to the kiosk; its requests then carry that hostname). Accepted: an IP
 * literal or `localhost`, with this port. A rebinding page cannot make the browser send an IP literal
 * for its own hostname.
 */
export function hostHeaderAllowed(header: string | undefined, port: number): boolean {
  if (typeof header !== 'string') return false;
  const m = /^(\[([0-9a-fA-F:.]+)\]|([0-9.]+)|(localhost)):(\d{1,5})$/.exec(header);
  if (!m || Number(m[5]) !== port) return false;
  if (m[4]) return true;
  if (m[2] !== undefined) return isIP(m[2]) === 6;
  const v4 = m[3];
  return v4 !== undefined && isIP(v4) === 4;
}
