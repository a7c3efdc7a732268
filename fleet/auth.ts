// Who is calling: the TLS client certificate (issued by the fleet CA, not revoked — OpenSSL checks the CRL
// the instance loaded) names the kiosk, the database must know it as approved with that very certificate,
// and the ES256 signature over the exact body bytes must verify against the key pinned at enrolment.
// Two independent proofs of the device key: a stolen TLS session alone cannot forge a body, and a signed
// body replayed over another kiosk's TLS session is refused.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type pg from 'pg';
import { verifyEs256 } from '../daemon/device/device-key.ts';
import { KEY_HEADER, SIGNATURE_HEADER } from '../daemon/device/signed-post.ts';
import type { KioskRow } from './enrolment.ts';
import { raise, type Alert } from './alerts.ts';
import { refuse } from './http-errors.ts';

/** An alert about a refused request; the refusal stands even when the alert cannot be written. */
async function alarm(pool: pg.Pool, a: Alert): Promise<void> {
  await raise(pool, [a]).catch(() => undefined);
}

export interface Caller {
  kioskId: string;
  publicKey: KeyObject;
  keyFingerprint: string;
}

/** The kiosk id from the verified client certificate (subject CN). */
export function peerKiosk(req: IncomingMessage): { kioskId: string; serial: string } {
  const socket = req.socket as TLSSocket;
  const cert = socket.getPeerCertificate?.();
  if (!cert || !cert.subject) throw refuse('CLIENT_CERT_REQUIRED', 'present the fleet device certificate as TLS client certificate');
  if (!socket.authorized) {
    const why = String(socket.authorizationError ?? 'unknown');
    if (why === 'CERT_REVOKED') throw refuse('KIOSK_REVOKED', 'the device certificate is revoked');
    throw refuse('CLIENT_CERT_INVALID', `the client certificate was not accepted (${why})`);
  }
  const cn = cert.subject.CN;
  const kioskId = Array.isArray(cn) ? cn[0] : cn;
  if (!kioskId) throw refuse('CLIENT_CERT_INVALID', 'the client certificate names no kiosk (CN)');
  return { kioskId, serial: String(cert.serialNumber).toUpperCase() };
}

export async function authenticate(pool: pg.Pool, req: IncomingMessage, body: Buffer): Promise<Caller> {
  const peer = peerKiosk(req);
  const r = await pool.query<KioskRow>('SELECT kiosk_id, status, key_fingerprint, public_key_pem, cert_serial FROM kiosks WHERE kiosk_id = $1', [peer.kioskId]);
  const row = r.rows[0];
  if (!row) throw refuse('KIOSK_UNKNOWN', `kiosk ${peer.kioskId} is not enrolled here`);
  if (row.status === 'revoked') throw refuse('KIOSK_REVOKED', `kiosk ${peer.kioskId} is revoked`);
  if (row.status !== 'approved') throw refuse('KIOSK_NOT_APPROVED', `kiosk ${peer.kioskId} waits for approval`);
  if (row.cert_serial !== peer.serial) throw refuse('CERT_MISMATCH', 'the client certificate is not the one issued to this kiosk');
  const keyHeader = req.headers[KEY_HEADER];
  if (typeof keyHeader !== 'string' || keyHeader.toUpperCase() !== row.key_fingerprint) {
    // The kiosk's own certificate, another signing key: its key file was replaced, or the certificate is
    // used by someone without the device key. Named as an alert per presented key, then refused.
    const shown = typeof keyHeader === 'string' ? keyHeader.slice(0, 64).toUpperCase() : '(none)';
    await alarm(pool, {
      kioskId: row.kiosk_id,
      kind: 'wrong-key',
      chain: shown,
      detail: `a request over the kiosk's certificate named device key ${shown}, not the pinned ${row.key_fingerprint}`,
    });
    throw refuse('WRONG_KEY', 'the body is signed with another key than the one pinned at enrolment');
  }
  const sigHeader = req.headers[SIGNATURE_HEADER];
  const sig = typeof sigHeader === 'string' && /^[A-Za-z0-9_-]{86}$/.test(sigHeader) ? Buffer.from(sigHeader, 'base64url') : null;
  const publicKey = pinnedKey(row.public_key_pem);
  if (!sig || !verifyEs256(publicKey, body, sig)) {
    await alarm(pool, {
      kioskId: row.kiosk_id,
      kind: 'bad-signature',
      detail: "a request over the kiosk's certificate carried a body the pinned device key did not sign (changed in transit or forged)",
    });
    throw refuse('BAD_SIGNATURE', 'the body signature does not verify against the pinned device key');
  }
  return { kioskId: row.kiosk_id, publicKey, keyFingerprint: row.key_fingerprint };
}

// Parsing a PEM public key costs more than verifying a signature with it (≈300 µs vs ≈120 µs), and every
// request needs one: the parsed keys are kept, keyed by the PEM the database holds (a revoked or re-enrolled
// kiosk has another row, so nothing stale can match). Bounded: cleared when it outgrows the fleet.
const keys = new Map<string, KeyObject>();
function pinnedKey(pem: string): KeyObject {
  let k = keys.get(pem);
  if (!k) {
    if (keys.size >= 100_000) keys.clear();
    k = createPublicKey(pem);
    keys.set(pem, k);
  }
  return k;
}

/** The body must speak for the kiosk the certificate names. */
export function sameKiosk(caller: Caller, claimed: string): void {
  if (claimed !== caller.kioskId) throw refuse('CERT_MISMATCH', `the body names kiosk ${claimed}, the certificate ${caller.kioskId}`);
}
