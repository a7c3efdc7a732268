// Enrolment, approval and revocation of kiosks in the database. A CSR is held as `pending` until the
// operator approves it; approval issues the device certificate and pins the device key; revocation marks
// the kiosk and publishes a new CRL that every collector instance enforces on TLS.
import type pg from 'pg';
import { makeCrl, makeDeviceCertificate } from './ca/authority.ts';
import { parseCsr } from './ca/csr.ts';
import type { CaSigner } from './ca/x509.ts';
import { withTransaction } from './db/transaction.ts';
import { refuse } from './http-errors.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';
import { defined } from '../core/checked.ts';

export interface KioskRow {
  kiosk_id: string;
  status: 'pending' | 'approved' | 'revoked';
  key_fingerprint: string;
  public_key_pem: string;
  cert_pem: string | null;
  cert_serial: string | null;
}

/** A kiosk's CSR arrives (HTTP or `fleet enrol --csr`). Re-sending the same CSR is harmless. */
export async function submitCsr(pool: pg.Pool, csrText: string): Promise<{ kioskId: string; status: string; keyFingerprint: string }> {
  let csr: ReturnType<typeof parseCsr>;
  try {
    csr = parseCsr(csrText);
  } catch (e) {
    throw refuse('MALFORMED_BODY', (e as Error).message);
  }
  const publicKeyPem = csr.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const r = await pool.query<{ status: string; key_fingerprint: string }>(
    `INSERT INTO kiosks (kiosk_id, status, csr_pem, key_fingerprint, public_key_pem) VALUES ($1, 'pending', $2, $3, $4)
     ON CONFLICT (kiosk_id) DO UPDATE SET kiosk_id = kiosks.kiosk_id RETURNING status, key_fingerprint`,
    [csr.kioskId, csrText, csr.keyFingerprint, publicKeyPem],
  );
  const row = defined(r.rows[0], ErrorCodes.INTERNAL, 'the kiosk row the upsert returns');
  // An enrolled id with another key is not re-enrolled by whoever asks: the operator revokes and deletes first.
  if (row.key_fingerprint !== csr.keyFingerprint) throw refuse('ENROLMENT_CONFLICT', `kiosk ${csr.kioskId} is enrolled with another device key`);
  return { kioskId: csr.kioskId, status: row.status, keyFingerprint: csr.keyFingerprint };
}

export async function approve(
  pool: pg.Pool,
  signer: CaSigner,
  kioskId: string,
  o: { days: number; fingerprint?: string; now?: Date },
): Promise<{ certPem: string; serial: string; keyFingerprint: string }> {
  const r = await pool.query<KioskRow & { csr_pem: string }>('SELECT * FROM kiosks WHERE kiosk_id = $1', [kioskId]);
  const row = r.rows[0];
  if (!row) throw new KioskError(ErrorCodes.USAGE, `no enrolment request from kiosk ${kioskId}`);
  if (row.status === 'revoked') throw new KioskError(ErrorCodes.USAGE, `kiosk ${kioskId} is revoked`);
  // The operator compares the fingerprint the technician read off the kiosk (`provision enroll` prints it).
  if (o.fingerprint && o.fingerprint.toUpperCase() !== row.key_fingerprint) {
    throw new KioskError(ErrorCodes.USAGE, `kiosk ${kioskId} asked with key ${row.key_fingerprint}, not ${o.fingerprint}: not approved`);
  }
  const csr = parseCsr(row.csr_pem);
  const { certPem, serialHex } = await makeDeviceCertificate(signer, csr, o.now ?? new Date(), o.days);
  await pool.query(`UPDATE kiosks SET status = 'approved', cert_pem = $2, cert_serial = $3, approved_at = now() WHERE kiosk_id = $1 AND status <> 'revoked'`, [
    kioskId,
    certPem,
    serialHex,
  ]);
  return { certPem, serial: serialHex, keyFingerprint: row.key_fingerprint };
}

export async function revoke(
  pool: pg.Pool,
  signer: CaSigner,
  kioskId: string,
  o: { reason: string; crlDays: number; now?: Date },
): Promise<{ crlNumber: bigint }> {
  const r = await pool.query(`UPDATE kiosks SET status = 'revoked', revoked_at = now(), revoke_reason = $2 WHERE kiosk_id = $1 RETURNING kiosk_id`, [
    kioskId,
    o.reason,
  ]);
  if (!r.rowCount) throw new KioskError(ErrorCodes.USAGE, `unknown kiosk ${kioskId}`);
  return publishCrl(pool, signer, o.crlDays, o.now);
}

/** A new CRL (number + 1) of every revoked device certificate, stored for all instances to pick up. */
export async function publishCrl(pool: pg.Pool, signer: CaSigner, days: number, now = new Date()): Promise<{ crlNumber: bigint }> {
  return withTransaction(pool, async (tx) => {
    const cur = await tx.query<{ number: string }>('SELECT number FROM ca_crl WHERE id = 1 FOR UPDATE');
    const number = BigInt(cur.rows[0]?.number ?? '0') + 1n;
    const revoked = await tx.query<{ cert_serial: string; revoked_at: Date }>(
      `SELECT cert_serial, revoked_at FROM kiosks WHERE status = 'revoked' AND cert_serial IS NOT NULL ORDER BY cert_serial`,
    );
    const pem = await makeCrl(
      signer,
      revoked.rows.map((x) => ({ serialHex: x.cert_serial, revokedAt: x.revoked_at })),
      number,
      now,
      days,
    );
    const next = new Date(now.getTime() + days * 86_400_000);
    await tx.query(
      `INSERT INTO ca_crl (id, number, pem, this_update, next_update) VALUES (1, $1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET number = excluded.number, pem = excluded.pem, this_update = excluded.this_update, next_update = excluded.next_update`,
      [number.toString(), pem, now, next],
    );
    return { crlNumber: number };
  });
}

export async function currentCrl(pool: pg.Pool): Promise<{ number: string; pem: string; nextUpdate: Date } | null> {
  const r = await pool.query<{ number: string; pem: string; next_update: Date }>('SELECT number, pem, next_update FROM ca_crl WHERE id = 1');
  const row = r.rows[0];
  return row ? { number: row.number, pem: row.pem, nextUpdate: row.next_update } : null;
}
