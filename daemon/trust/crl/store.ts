// The revocation store as readers see it: per issuer, the generation `current` points at, opened
// read-only with prepared statements. Readers re-read the link at most every `recheckMs`, so they keep
// answering from the old generation until a swap and move to the new one right after.
import { join } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { importCrl, type ImportOptions, type ImportResult } from './importer.ts';
import { currentGeneration, issuerDir, listIssuerIds } from './store-layout.ts';
import { effectiveTimes, readMeta, type CrlMetaRow } from './store-schema.ts';
import type { RevokedRow } from './serial-blocks.ts';
import { openGeneration, openImmutable, type OpenGeneration } from './generation-lookup.ts';

export type { RevokedRow };

export interface IssuerStatus {
  issuerId: string;
  source: string;
  crlNumber: string | null;
  deltaCrlNumber: string | null;
  thisUpdate: string;
  nextUpdate: string;
  entries: number;
  fingerprint: string;
  importedAt: string;
  generation: string;
}

export interface CrlStoreOptions {
  /** how often readers look for a new generation (default 1000 ms; 0 = on every call) */
  recheckMs?: number;
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

export class CrlStore {
  private readonly open = new Map<string, { g?: OpenGeneration; checkedAt: number }>();
  private readonly recheckMs: number;

  constructor(
    readonly root: string,
    opts: CrlStoreOptions = {},
  ) {
    this.recheckMs = opts.recheckMs ?? 1000;
  }

  import(file: string, issuer: X509Certificate | Buffer, opts?: ImportOptions): ImportResult {
    const r = importCrl(this.root, file, issuer, opts);
    const slot = this.open.get(r.issuerId);
    if (slot) slot.checkedAt = -Infinity; // our own import: look again at once
    return r;
  }

  /** The generation in force for an issuer, or undefined when the store has no CRL for it. */
  private generation(issuerId: string): OpenGeneration | undefined {
    const now = performance.now();
    let slot = this.open.get(issuerId);
    if (slot && now - slot.checkedAt < this.recheckMs) return slot.g;
    const dir = issuerDir(this.root, issuerId);
    if (!slot) {
      slot = { checkedAt: now };
      this.open.set(issuerId, slot);
    }
    slot.checkedAt = now;
    let gen = currentGeneration(dir);
    if (gen === slot.g?.gen) return slot.g;
    for (let attempt = 0; ; attempt++) {
      try {
        const next = gen ? openGeneration(dir, gen) : undefined;
        slot.g?.close();
        slot.g = next;
        return next;
      } catch (e) {
        // the generation may have been collected between readlink and open: read the link again once
        if (attempt > 0) {
          slot.checkedAt = -Infinity;
          throw new KioskError(ErrorCodes.CRL_STORE_UNAVAILABLE, 'cannot open the CRL store', { error: (e as Error).message });
        }
        gen = currentGeneration(dir);
      }
    }
  }

  /** Metadata and the entry for one serial (canonical DER INTEGER content), from one generation. */
  query(issuerId: string, serial: Buffer): { meta: CrlMetaRow; row: RevokedRow | undefined } | undefined {
    const g = this.generation(issuerId);
    if (!g) return undefined;
    try {
      return { meta: g.meta, row: g.lookup(serial) };
    } catch (e) {
      throw new KioskError(ErrorCodes.CRL_STORE_UNAVAILABLE, 'CRL store query failed', { error: (e as Error).message });
    }
  }

  /** Just the entry (the benchmarked lookup). */
  lookup(issuerId: string, serial: Buffer): RevokedRow | undefined {
    const g = this.generation(issuerId);
    return g ? g.lookup(serial) : undefined;
  }

  /** Every revoked serial in force for an issuer (hex of the INTEGER content → entry), in no particular order. */
  listRevoked(issuerId: string): Map<string, RevokedRow> {
    const g = this.generation(issuerId);
    const out = new Map<string, RevokedRow>();
    g?.forEach((serial, row) => {
      if (row) out.set(serial.toString('hex'), row);
      else out.delete(serial.toString('hex'));
    });
    return out;
  }

  status(): IssuerStatus[] {
    const out: IssuerStatus[] = [];
    for (const id of listIssuerIds(this.root)) {
      const dir = issuerDir(this.root, id);
      const gen = currentGeneration(dir);
      if (!gen) continue;
      const db = openImmutable(join(dir, gen));
      try {
        const m = readMeta(db);
        if (!m) continue;
        const t = effectiveTimes(m);
        out.push({
          issuerId: id,
          source: m.source,
          crlNumber: m.crl_number,
          deltaCrlNumber: m.delta_number,
          thisUpdate: iso(t.thisUpdate),
          nextUpdate: iso(t.nextUpdate),
          entries: m.revoked_count,
          fingerprint: m.fingerprint,
          importedAt: iso(m.imported_at),
          generation: gen,
        });
      } finally {
        db.close();
      }
    }
    return out;
  }

  close(): void {
    for (const s of this.open.values()) s.g?.close();
    this.open.clear();
  }
}
