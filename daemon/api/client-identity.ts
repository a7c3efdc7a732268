// Who is calling the integration API, for ownership of verifications: with mutual TLS, the SHA-256
// fingerprint of the client certificate (each business application has its own); without TLS, the
// connecting address (loopback deployments: every local caller is one client — give applications
// separate certificates, or addresses, to keep them apart).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export function clientIdentity(req: IncomingMessage, tls: boolean): string {
  if (tls) {
    const cert = (req.socket as TLSSocket).getPeerCertificate?.();
    const fp = cert && typeof cert.fingerprint256 === 'string' ? cert.fingerprint256 : '';
    // rejectUnauthorized guarantees a verified certificate; without one, nobody owns anything.
    return fp ? `cert:${fp.replace(/:/g, '').toLowerCase()}` : 'cert:none';
  }
  const a = req.socket.remoteAddress ?? '?';
  return `addr:${a.startsWith('::ffff:') ? a.slice(7) : a}`;
}
