// A real session through the kiosk (demo card on the simulated reader, PIN on the keypad path) leaves
// exactly one audit record with the session's facts and nothing personal; a refused card leaves its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKiosk } from '../../../daemon/app.ts';
import { verifyAudit } from '../../../daemon/audit/verify.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { DemoCardSet } from '../../../drivers/sim/demo/demo-card-set.ts';

describe('audit record per real session', () => {
  it('verified and revoked demo cards each produce one signed, chained record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-audit-session-'));
    const cfg = parseConfig({
      kioskId: 'kiosk-a1',
      server: { port: 0 },
      audit: { db: join(dir, 'audit.db') },
      health: { port: 0, diskPath: dir },
      api: { enabled: false },
    });
    const kiosk = await startKiosk({ config: cfg, demo: new DemoCardSet(), version: '0.9.0' });
    const ended: string[] = [];
    kiosk.runtime.events.on('session-ended', ({ result }) => ended.push(result.outcome));
    const until = async (pred: () => boolean) => {
      const end = Date.now() + 10_000;
      while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(pred()).toBe(true);
    };
    try {
      for (const card of ['mynumber', 'mynumber-revoked'] as const) {
        kiosk.demo!.insert(card);
        await until(() => kiosk.runtime.getState().phase === 'secret-entry');
        for (const k of ['1', '2', '3', '4', 'enter']) kiosk.runtime.key(k);
        await until(() => ended.length === (card === 'mynumber' ? 1 : 2));
        kiosk.demo!.remove();
        await until(() => kiosk.runtime.getState().phase === 'idle' || kiosk.runtime.getState().phase === 'result');
        kiosk.runtime.cancel();
      }
      const store = kiosk.operations.audit!.store;
      const rows = (store.db.prepare('SELECT body FROM records ORDER BY seq').all() as { body: string }[]).map((r) => r.body);
      expect(rows).toHaveLength(2);
      const [ok, revoked] = rows.map((b) => JSON.parse(b));
      expect(ok).toMatchObject({
        seq: 1,
        kioskId: 'kiosk-a1',
        document: 'mynumber-jpki-auth',
        method: 'jpki-auth',
        verdict: 'verified',
        softwareVersion: '0.9.0',
        revocation: { status: 'good' },
      });
      expect(ok.certificate.serial).toMatch(/^[0-9A-F]+$/i);
      expect(revoked).toMatchObject({ seq: 2, verdict: 'refused', revocation: { status: 'revoked' } });
      expect(revoked.reasons).toContain('TRUST_REVOKED');
      for (const b of rows) expect(b).not.toMatch(/1234|"name"|"address"|dateOfBirth/);
      expect(verifyAudit(store.db, kiosk.deviceKey.publicKey)).toMatchObject({ ok: true, records: 2 });
    } finally {
      await kiosk.stop();
    }
  }, 30_000);
});
