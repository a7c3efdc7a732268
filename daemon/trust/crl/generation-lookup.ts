// The lookup of one generation database, for its schema (see store-schema.ts).
import type Database from 'better-sqlite3';
import type { CrlMetaRow } from './store-schema.ts';
import { blockOf, findInBlock, type RevokedRow } from './serial-blocks.ts';
import { hashSerial } from './serial-hash.ts';

/** serial (canonical DER INTEGER content) → its entry, or undefined when it is not revoked. */
export function generationLookup(db: Database.Database, meta: CrlMetaRow): (serial: Buffer) => RevokedRow | undefined {
  if (meta.schema_version === 1) {
    const row = db.prepare('SELECT revoked_at, reason, invalidity FROM revoked WHERE serial = ?');
    return (serial) => row.get(serial) as RevokedRow | undefined;
  }
  const block = db.prepare('SELECT data FROM serial_blocks WHERE id = ?').pluck();
  const { hash_seed: seed, block_bits: bits } = meta;
  const fromBlocks = (serial: Buffer): RevokedRow | undefined => {
    const h = hashSerial(serial, 0, serial.length, seed);
    const data = block.get(blockOf(h, bits)) as Buffer | undefined;
    return data ? findInBlock(data, serial, h, seed) : undefined;
  };
  // a generation no delta was applied to skips the overlay query
  if (meta.overlay_count === 0) return fromBlocks;
  const overlay = db.prepare('SELECT revoked_at, reason, invalidity, removed FROM delta_revoked WHERE serial = ?');
  return (serial) => {
    const o = overlay.get(serial) as (RevokedRow & { removed: number }) | undefined;
    if (o) return o.removed ? undefined : { revoked_at: o.revoked_at, reason: o.reason, invalidity: o.invalidity };
    return fromBlocks(serial);
  };
}
