// The hash chain: each record's hash covers the previous hash and the record's own text (which names its
// sequence number and chain id), and the device key signs that hash. The chain's two ends are signed
// statements too: the anchor (first retained record, moved forward by retention) and the head (last
// record), so cutting records off either end is detected without trusting the database.
import { createHash } from 'node:crypto';

export const HASH_TAG = Buffer.from('idkiosk-audit-v1\n');

export function genesisHash(chain: string): Buffer {
  return createHash('sha256').update(`idkiosk-audit-genesis\n${chain}`).digest();
}

export function recordHash(prev: Buffer, body: string): Buffer {
  return createHash('sha256').update(HASH_TAG).update(prev).update(body, 'utf8').digest();
}

/** Statement signed for the anchor: the first retained sequence number and the hash before it. */
export function anchorStatement(chain: string, seq: number, prev: Buffer): string {
  return `idkiosk-audit-anchor\n${chain}\n${seq}\n${prev.toString('hex')}`;
}

/** Statement signed for the head: the last sequence number and its hash (seq 0 = empty chain). */
export function headStatement(chain: string, seq: number, hash: Buffer): string {
  return `idkiosk-audit-head\n${chain}\n${seq}\n${hash.toString('hex')}`;
}

export function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
