// Shared helpers for the CRL unit tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCrlIssuer } from '../../../daemon/trust/crl/cert-info.ts';
import { readCrl, type CrlReadOptions } from '../../../daemon/trust/crl/crl-reader.ts';
import type { TestCa } from '../../harness/crl-fixtures.ts';

export const dir = mkdtempSync(join(tmpdir(), 'idkiosk-crl-unit-'));
let n = 0;
export function writeTemp(der: Buffer, name = `c${n++}.crl`): string {
  const p = join(dir, name);
  writeFileSync(p, der);
  return p;
}

export interface Entry {
  serial: string;
  revokedAt: number;
  reason: number;
  invalidity: number;
}

export function parse(der: Buffer, ca: TestCa, o: Partial<CrlReadOptions> = {}) {
  const entries: Entry[] = [];
  const result = readCrl(writeTemp(der), {
    issuer: parseCrlIssuer(ca.der),
    onEntry: (b, s, e, t, r, inv) => entries.push({ serial: b.subarray(s, e).toString('hex'), revokedAt: t, reason: r, invalidity: inv }),
    ...o,
  });
  return { result, entries };
}
