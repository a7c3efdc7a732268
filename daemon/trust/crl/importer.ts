// Importing a verified CRL into the store. Entries are grouped by serial hash as they stream past (spilling
// to a staging file when they do not fit in memory, see entry-partitioner.ts); nothing is written to a
// database before the whole CRL has verified. A full CRL becomes a fresh generation of hashed serial blocks
// that replaces the current one atomically; a delta CRL — only on top of the base CRL number it names — is
// written into a small delta generation (the overlay alone) on top of the full generation in force, which
// is neither copied nor written, and swapped in the same way. A generation in force is never written again.
//
// This file reads and checks the CRL and decides full or delta; writing a full CRL's generation is in
// generation-build.ts, applying a delta in delta-apply.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, type X509Certificate } from 'node:crypto';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { parseCrlIssuer } from './cert-info.ts';
import { readCrl, type CrlReadResult } from './crl-reader.ts';
import { applyDelta } from './delta-apply.ts';
import { isoFromSeconds } from './der.ts';
import { REMOVE_FROM_CRL } from './oids.ts';
import { EntryPartitioner } from './entry-partitioner.ts';
import { installFull } from './generation-build.ts';
import { acquireWriterLock, collectGarbage, ensureDir, issuerDir, newGenerationName } from './store-layout.ts';

export interface ImportOptions {
  /** where the file came from (URL, path), recorded in the metadata */
  source?: string;
  now?: Date;
  maxBytes?: number;
  onProgress?: (bytes: number, entries: number) => void;
  /** memory for entries before they spill to the staging file, in bytes (default 32 MiB; tests use less) */
  bufferBytes?: number;
  /** how long a CRL without nextUpdate is used after its thisUpdate (default 7 days) */
  maxAgeWithoutNextUpdateSeconds?: number;
}

export interface ImportResult {
  kind: 'full' | 'delta' | 'unchanged';
  issuerId: string;
  crlNumber?: string;
  baseCrlNumber?: string;
  thisUpdate: string;
  nextUpdate: string;
  /** entries in the CRL file */
  entries: number;
  /** revoked serials in force after the import */
  revokedInForce: number;
  added?: number;
  removed?: number;
  /** the CRL's fingerprint (crl-reader.ts) */
  fingerprint: string;
  generation: string;
  /** nextUpdate already passed at import time */
  stale: boolean;
}

export function importCrl(root: string, file: string, issuerCert: X509Certificate | Buffer, o: ImportOptions = {}): ImportResult {
  const issuer = parseCrlIssuer(issuerCert);
  const dir = issuerDir(root, issuer.issuerId);
  ensureDir(dir);
  const gen = newGenerationName();
  const stagingPath = join(dir, `${gen}.staging`);
  const entries = new EntryPartitioner(stagingPath, randomBytes(4).readUInt32LE(0), o.bufferBytes);
  const lock = acquireWriterLock(root);
  let installed = false;
  try {
    collectGarbage(dir);
    let removals = 0;
    const crl = readCrl(file, {
      issuer,
      maxBytes: o.maxBytes,
      onProgress: o.onProgress,
      onEntry(buf, s, e, revokedAt, reason, invalidity) {
        entries.add(buf, s, e, revokedAt, reason, invalidity);
        if (reason === REMOVE_FROM_CRL) removals++;
      },
    });
    // RFC 5280 §5.1.2.5 lets a CRL omit nextUpdate. Such a CRL is used for a bounded time from its thisUpdate
    // (default 7 days, as BoringSSL's CRL checks do), after which checks answer unknown (CRL_STALE).
    if (crl.nextUpdate === undefined) crl.nextUpdate = crl.thisUpdate + (o.maxAgeWithoutNextUpdateSeconds ?? 7 * 86400);
    const idp = crl.issuingDistributionPoint;
    if (idp && (idp.indirectCRL || idp.onlySomeReasons || idp.onlyContainsAttributeCerts)) {
      throw new KioskError(ErrorCodes.CRL_SCOPE, 'indirect, reason-partitioned and attribute-certificate CRLs are not supported');
    }
    const now = (o.now ?? new Date()).getTime() / 1000;
    const common = {
      issuerId: issuer.issuerId,
      crlNumber: crl.crlNumber,
      thisUpdate: isoFromSeconds(crl.thisUpdate),
      nextUpdate: isoFromSeconds(crl.nextUpdate),
      entries: crl.entries,
      fingerprint: crl.fingerprint,
      stale: now > crl.nextUpdate,
    };
    const ctx: Ctx = { file, dir, gen, entries, crl, issuerDer: issuer.der, source: o.source ?? file, now };
    if (crl.baseCrlNumber !== undefined) {
      const delta = applyDelta(ctx);
      installed = delta.generation === gen;
      return { ...common, ...delta };
    }
    // A removeFromCRL entry in a complete CRL (RFC 5280 §5.3.1 meant it for delta CRLs) leaves its serial
    // UNREVOKED as far as this CRL goes (§6.3.3 (j), (k)): it is not written. A serial the same CRL also lists
    // with another reason stays revoked (fail closed).
    const full = installFull(ctx, removals > 0);
    installed = full.generation === gen;
    return { ...common, ...full };
  } finally {
    entries.close();
    rmSync(stagingPath, { force: true });
    if (!installed) rmSync(join(dir, gen), { force: true });
    lock.release();
  }
}

export interface Ctx {
  file: string;
  dir: string;
  gen: string;
  entries: EntryPartitioner;
  crl: CrlReadResult;
  issuerDer: Buffer;
  source: string;
  now: number;
}
