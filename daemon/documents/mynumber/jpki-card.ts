// The JPKI-AP card primitives both JPKI flows use (user authentication and signing): EF selection,
// the token EF, certificate EFs whose length comes from their DER header, and COMPUTE SIGNATURE
// (`80 2A 00 80 Lc DigestInfo 00`, docs/reference/mynumber.md §4.2) with the selected key EF.
import { createHash } from 'node:crypto';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { statusError } from '../../../drivers/reader/card-session.ts';
import { SW_OK } from '../../../drivers/reader/apdu.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';

/** DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1). */
const SHA256_DIGESTINFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export function sha256DigestInfoOfDigest(digest: Buffer): Buffer {
  if (digest.length !== 32) throw new KioskError(ErrorCodes.INTERNAL, 'SHA-256 digest must be 32 bytes');
  return Buffer.concat([SHA256_DIGESTINFO_PREFIX, digest]);
}

export function sha256DigestInfo(message: Buffer): Buffer {
  return sha256DigestInfoOfDigest(createHash('sha256').update(message).digest());
}

export async function selectEfOrFail(session: CardSession, fid: number, what: string): Promise<void> {
  const sw = await session.selectEf(fid);
  if (sw !== SW_OK) throw statusError(sw, `select ${what}`);
}

/** EF 0006: "JPKIAPICCTOKEN2" on a card, "JPKIAPGPSETOKEN" on a smartphone; null when absent. */
export async function readJpkiToken(session: CardSession, fid: number): Promise<string | null> {
  if ((await session.selectEf(fid)) !== SW_OK) return null;
  const res = await session.send({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 0x20 });
  return res.sw === SW_OK ? res.data.toString('latin1').replace(/[\s\0]+$/, '') : null;
}

export async function readCertificateEf(session: CardSession, fid: number, what: string): Promise<Buffer> {
  await selectEfOrFail(session, fid, what);
  const der = await session.readTlvFile(what);
  if (der[0] !== 0x30) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what} is not a DER SEQUENCE`);
  return der;
}

/** A CA certificate the card carries: informational only (trust comes from configured anchors), so absence is fine. */
export async function readOptionalCertificateEf(session: CardSession, fid: number, what: string): Promise<Buffer | null> {
  try {
    return await readCertificateEf(session, fid, what);
  } catch (e) {
    if (e instanceof KioskError && e.code === ErrorCodes.CARD_REMOVED) throw e;
    return null;
  }
}

/** COMPUTE SIGNATURE with the key EF `keyFid` over a DigestInfo; returns the signature bytes. */
export async function computeSignature(session: CardSession, keyFid: number, digestInfo: Buffer, what: string): Promise<Buffer> {
  await selectEfOrFail(session, keyFid, what);
  const res = await session.send({ cla: 0x80, ins: 0x2a, p1: 0x00, p2: 0x80, data: digestInfo, le: 256 });
  if (res.sw !== SW_OK) throw statusError(res.sw, `COMPUTE SIGNATURE (${what})`);
  if (res.data.length === 0 || res.data.length > 512) {
    throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `signature of ${res.data.length} bytes`);
  }
  return res.data;
}
