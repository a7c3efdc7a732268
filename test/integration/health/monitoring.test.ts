// Alert rules pass `promtool check rules` and behave as `promtool test rules` expects; the alert rules
// and the Grafana dashboard only use metric names the daemon (or the fleet collector) actually exports.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../../daemon/health/monitoring');
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
if (!promtool) console.warn('promtool not installed (Debian package "prometheus"): rule checks skipped');

const exported = new Set([
  ...[...readFileSync(join(DIR, '../metrics.ts'), 'utf8').matchAll(/name: '(idkiosk_[a-z_]+)'/g)].map((m) => m[1]!),
  'idkiosk_fleet_last_heartbeat_timestamp_seconds', // the heartbeat collector's, see docs/operations.md
]);
const namesIn = (expr: string) => [...expr.matchAll(/\b((?:idkiosk|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!);

describe('monitoring', () => {
  it.skipIf(!promtool)('promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', join(DIR, 'idkiosk-alerts.yml')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it.skipIf(!promtool)('promtool test rules (alerts fire on the faults, stay quiet otherwise)', () => {
    const r = spawnSync('promtool', ['test', 'rules', 'idkiosk-alerts.test.yml'], { cwd: DIR, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it("the issue's alerts exist: CRL stale, paper end, reader missing, clock unsynchronised, kiosk silent", () => {
    const y = readFileSync(join(DIR, 'idkiosk-alerts.yml'), 'utf8');
    for (const a of ['IdkioskCrlStale', 'IdkioskPrinterPaperEnd', 'IdkioskReaderMissing', 'IdkioskClockUnsynchronised', 'IdkioskSilent'])
      expect(y).toContain(`alert: ${a}`);
    for (const expr of [...y.matchAll(/expr: (.*)/g)].map((m) => m[1]!)) {
      for (const n of namesIn(expr)) if (n.startsWith('idkiosk_')) expect(exported, `${n} in alert rules`).toContain(n);
    }
  });

  it('the Grafana dashboard is valid JSON whose queries use exported metrics', () => {
    const d = JSON.parse(readFileSync(join(DIR, 'idkiosk-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[]; uid: string };
    expect(d.uid).toBe('idkiosk-fleet');
    expect(d.panels.length).toBeGreaterThan(8);
    for (const p of d.panels) for (const t of p.targets) for (const n of namesIn(t.expr)) if (n.startsWith('idkiosk_')) expect(exported, n).toContain(n);
  });
});
