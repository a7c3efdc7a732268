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
  /** Serial of the TLS client certificate (upper-case hex), equal to the one the database holds. */
  certSerial: string;
}

/**
 * The kiosk id from the verified client certificate (subject CN). On a resumed TLS session (a session
 * ticket, possibly issued by another instance sharing the ticket keys) OpenSSL restores the peer
 * certificate and the verification result from the ticket: the certificate is the one the full handshake
 * verified, but the CRL was checked then, not now. `revoked` (upper-case hex serials of the current CRL)
 * closes that gap: a certificate revoked since is refused on every connection, resumed or not.
 */
export function peerKiosk(req: IncomingMessage, revoked?: ReadonlySet<string>): { kioskId: string; serial: string } {
  const socket = req.socket as TLSSocket;
  let peer = peers.get(socket);
  if (!peer) {
    peer = certifiedPeer(socket);
    if (fixed.has(socket)) peers.set(socket, peer);
  }
  if (revoked?.has(peer.serial)) throw refuse('KIOSK_REVOKED', 'the device certificate is revoked');
  return peer;
}

// getPeerCertificate() decodes the whole certificate into a new object on every call (≈4 % of a loaded
// collector's CPU, twice per request). On a connection that cannot renegotiate, the peer certificate is
// fixed for the connection's life, so its kiosk and serial are read once per connection; the revocation
// check above still runs on every request.
const fixed = new WeakSet<TLSSocket>();
const peers = new WeakMap<TLSSocket, { kioskId: string; serial: string }>();

/** For the server's 'secureConnection': no renegotiation on this connection, so its peer can be cached. */
export function fixPeer(socket: TLSSocket): void {
  socket.disableRenegotiation();
  fixed.add(socket);
}

function certifiedPeer(socket: TLSSocket): { kioskId: string; serial: string } {
  const cert = socket.getPeerCertificate?.();
  if (!cert?.subject) throw refuse('CLIENT_CERT_REQUIRED', 'present the fleet device certificate as TLS client certificate');
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

type AuthRow = Pick<KioskRow, 'kiosk_id' | 'status' | 'key_fingerprint' | 'public_key_pem' | 'cert_serial'>;

/**
 * Authentication rows kept across heartbeats, so that a heartbeat needs one database round trip instead of
 * two. They must outlive the beat interval (60 s) to be of any use: with a shorter life every beat of a
 * real fleet would miss. A cached row only ever *narrows* what is accepted: the heartbeat's UPDATE repeats
 * the status, certificate serial and key fingerprint conditions in its WHERE, so a kiosk revoked or
 * re-keyed since the row was read changes nothing and is then re-checked against the database (`forget`),
 * never accepted on the strength of the cache; a new CRL clears the cache; and a cached row that does not
 * match the presented certificate or key (a renewed certificate) is read again before anything is refused.
 */
export const AUTH_CACHE_MS = 10 * 60_000;

export class AuthCache {
  private readonly rows = new Map<string, { row: AuthRow; until: number }>();
  constructor(readonly ttlMs: number) {}
  get(kioskId: string, now = Date.now()): AuthRow | undefined {
    const e = this.rows.get(kioskId);
    if (!e) return undefined;
    if (e.until > now) return e.row;
    this.rows.delete(kioskId);
    return undefined;
  }
  set(row: AuthRow, now = Date.now()): void {
    if (this.rows.size >= 100_000) this.rows.clear();
    this.rows.set(row.kiosk_id, { row, until: now + this.ttlMs });
  }
  forget(kioskId: string): void {
    this.rows.delete(kioskId);
  }
  clear(): void {
    this.rows.clear();
  }
}

export async function authenticate(
  pool: pg.Pool,
  req: IncomingMessage,
  body: Buffer,
  o: { revoked?: ReadonlySet<string>; cache?: AuthCache } = {},
): Promise<Caller> {
  const peer = peerKiosk(req, o.revoked);
  const keyHeader = req.headers[KEY_HEADER];
  let row = o.cache?.get(peer.kioskId);
  // Cached from before a renewal (another certificate) or a change of key: ask the database, not the cache.
  if (row && (row.cert_serial !== peer.serial || typeof keyHeader !== 'string' || keyHeader.toUpperCase() !== row.key_fingerprint)) {
    o.cache?.forget(peer.kioskId);
    row = undefined;
  }
  if (!row) {
    const r = await pool.query<AuthRow>('SELECT kiosk_id, status, key_fingerprint, public_key_pem, cert_serial FROM kiosks WHERE kiosk_id = $1', [
      peer.kioskId,
    ]);
    row = r.rows[0];
    if (row?.status === 'approved') o.cache?.set(row);
  }
  if (!row) throw refuse('KIOSK_UNKNOWN', `kiosk ${peer.kioskId} is not enrolled here`);
  if (row.status === 'revoked') throw refuse('KIOSK_REVOKED', `kiosk ${peer.kioskId} is revoked`);
  if (row.status !== 'approved') throw refuse('KIOSK_NOT_APPROVED', `kiosk ${peer.kioskId} waits for approval`);
  if (row.cert_serial !== peer.serial) throw refuse('CERT_MISMATCH', 'the client certificate is not the one issued to this kiosk');
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
  return { kioskId: row.kiosk_id, publicKey, keyFingerprint: row.key_fingerprint, certSerial: peer.serial };
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
