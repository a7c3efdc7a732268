// The outbox survives kill -9: records committed before the kill are never lost, the endpoint ends up
// with every sequence number exactly once (it deduplicates by chain+seq, as the protocol requires), and
// the chain still verifies.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../daemon/audit/verify.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import type { AuditBatch } from '../../../daemon/audit/outbox.ts';
import { verifyEs256 } from '../../../daemon/device/device-key.ts';
import { tmp } from '../../unit/audit/helpers.ts';
import { selfSigned, startHttps } from './tls-server.ts';

const CHILD = join(import.meta.dirname, 'outbox-child.ts');

function runChild(args: string[], killAfterAppended: number | null): Promise<{ lastAppended: number; killed: boolean; drained: boolean }> {
  return new Promise((resolve) => {
    // node itself (not the tsx wrapper, which forks): SIGKILL must hit the process that holds the database
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = 0;
    let killed = false;
    let drained = false;
    let buf = '';
    p.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^appended (\d+)$/.exec(line);
        if (m) last = Number(m[1]);
        if (line === 'drained') drained = true;
        if (killAfterAppended !== null && last >= killAfterAppended && !killed) {
          killed = true;
          p.kill('SIGKILL');
        }
      }
    });
    p.on('exit', () => resolve({ lastAppended: last, killed, drained }));
  });
}

describe('audit outbox under kill -9', () => {
  it('loses nothing and stores nothing twice', async () => {
    const dir = tmp();
    const keyFile = join(dir, 'device.key');
    const key = DeviceKey.loadOrGenerate(keyFile).key;
    const db = join(dir, 'audit.db');
    const tls = selfSigned();
    const stored = new Map<number, string>();
    let deliveries = 0;
    let badSignatures = 0;
    let down = false;
    const server = await startHttps(tls, (req, body, res) => {
      if (down) {
        res.writeHead(503).end();
        return;
      }
      const sig = Buffer.from(String(req.headers['x-idkiosk-signature']), 'base64url');
      if (!verifyEs256(key.publicKey, body, sig)) badSignatures++;
      const batch = JSON.parse(body.toString()) as AuditBatch;
      for (const r of batch.records) {
        deliveries++;
        if (!stored.has(r.seq))
          stored.set(r.seq, r.hash); // idempotent by seq
        else expect(stored.get(r.seq)).toBe(r.hash);
      }
      // ack slowly-ish so some kills land between delivery and the local ack
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ acked: batch.records.map((r) => r.seq) })), 5);
    });
    const TOTAL = 120;
    const args = [db, keyFile, `${server.url}/audit`, tls.certFile, String(TOTAL)];
    try {
      let committed = 0;
      for (const killAt of [17, 45, 46, 80]) {
        if (killAt === 80) down = true; // endpoint down across a crash
        const r = await runChild(args, killAt);
        expect(r.killed).toBe(true);
        committed = Math.max(committed, r.lastAppended);
        // every record reported appended before the kill is in the database
        const ro = new Database(db, { readonly: true });
        const max = (ro.prepare('SELECT max(seq) m FROM records').get() as { m: number }).m;
        ro.close();
        expect(max).toBeGreaterThanOrEqual(committed);
      }
      down = false;
      const final = await runChild(args, null);
      expect(final.drained).toBe(true);
      expect([...stored.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
      expect(badSignatures).toBe(0);
      // resends happen only for batches in flight at a kill: bounded by kills × batch size
      expect(deliveries - TOTAL).toBeLessThanOrEqual(4 * 7);
      const ro = new Database(db, { readonly: true });
      expect(verifyAudit(ro, key.publicKey)).toMatchObject({ ok: true, records: TOTAL });
      expect((ro.prepare('SELECT count(*) n FROM outbox').get() as { n: number }).n).toBe(0);
      ro.close();
    } finally {
      await server.close();
    }
  }, 60_000);
});
