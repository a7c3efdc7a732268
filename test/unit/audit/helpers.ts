import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import type { AuditContext } from '../../../daemon/audit/record.ts';

export const tmp = (p = 'idkiosk-audit-') => mkdtempSync(join(tmpdir(), p));

export const CTX: AuditContext = { kioskId: 'kiosk-t1', site: 'site-a', operator: 'op-x', softwareVersion: '9.9.9', revocationSource: 'crl' };

export function result(i: number): ResultView {
  return {
    outcome: i % 3 === 0 ? 'refused' : 'verified',
    document: 'mynumber-jpki-auth',
    reasons: i % 3 === 0 ? ['TRUST_REVOKED'] : [],
    certificate: { serialNumber: (0x1000 + i).toString(16), fingerprintSha256: 'AB'.repeat(32), notAfter: '2030-01-01T00:00:00.000Z' },
    revocation: i % 3 === 0 ? 'revoked' : 'good',
  };
}
